/**
 * The build picker's logic: a summary per build of a multi-build log, and the user's choice turned into
 * the `pick` the analysis worker gets — the default sends nothing, a choice that picks nothing or names
 * a build the log does not hold is ignored with a note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, readLogInput } from '../../../src/core/analyze.ts';
import {
  buildsTakingPart,
  defaultChoice,
  fitChoice,
  logChipWords,
  moveBuild,
  pickOf,
  summarizeBuilds,
  summaryWords,
  timeWords,
  toggleBuild,
} from '../../../src/ui/inputs/log-builds.ts';

const lab = (file: string) => readFileSync(join(import.meta.dirname, '../../fixtures/lab/copy-file-content', file), 'utf8');

describe('log builds', () => {
  it('summarises each build of a text holding two builds', async () => {
    const log = await readLogInput('pasted log', lab('a.log') + lab('b.log'));
    expect(log.read.ok).toBe(true);
    if (!log.read.ok) return;
    const summaries = summarizeBuilds(log.read.value);
    expect(summaries.map((s) => [s.build, s.steps, s.cached])).toEqual([
      [1, 4, 4],
      [2, 4, 2],
    ]);
    expect(summaries[1]!.built).toBeGreaterThan(0);
    expect(summaries[0]!.firstStep).toBe('[1/4] FROM docker.io/lab/base:1');
    expect(summaryWords(summaries[0]!)).toMatch(/^4 steps: 4 cached, 0 built$/);
    // Summaries are plain data: they cross the worker boundary.
    expect(structuredClone(summaries)).toEqual(summaries);
  });

  it('turns the choice into the pick sent, in the order chosen', async () => {
    expect(pickOf('x.log', undefined, 3)).toEqual({ pick: undefined, note: null });
    expect(pickOf('x.log', defaultChoice(3), 3)).toEqual({ pick: undefined, note: null });
    const onlySecond = toggleBuild(defaultChoice(2), 1, false);
    expect(pickOf('x.log', onlySecond, 2)).toEqual({ pick: [2], note: null });
    const reversed = moveBuild(defaultChoice(2), 2, -1);
    expect(reversed.order).toEqual([2, 1]);
    expect(pickOf('x.log', reversed, 2).pick).toEqual([2, 1]);
    expect(moveBuild(reversed, 2, -1)).toBe(reversed);
    expect(toggleBuild(onlySecond, 1, true).skipped).toEqual([]);

    // The pick does what it says in the analysis.
    const text = lab('a.log') + lab('b.log');
    const report = analyze({ logs: [{ name: 'pasted log', text, pick: pickOf('pasted log', onlySecond, 2).pick }], dockerfiles: [] }).report;
    expect(report.builds.map((b) => b.source)).toEqual(['pasted log#2']);
  });

  it('ignores a bad choice with a note, never sends it', () => {
    const none = pickOf('x.log', { order: [1, 2], skipped: [1, 2] }, 2);
    expect(none.pick).toBeUndefined();
    expect(none.note?.message).toBe('No build of x.log is ticked, so all 2 are compared.');
    const stale = pickOf('x.log', { order: [3, 2, 1], skipped: [1] }, 2);
    expect(stale.pick).toEqual([2]);
    expect(stale.note?.message).toMatch(/holds 2 builds; the choice of build 3 was ignored/);
    // Builds unknown (the log is being read again): no pick, no note.
    expect(pickOf('x.log', { order: [2], skipped: [] }, 0)).toEqual({ pick: undefined, note: null });
    // The picker shows a stale choice fitted to the log.
    expect(fitChoice({ order: [3, 2, 2], skipped: [3, 1] }, 2)).toEqual({ order: [2, 1], skipped: [1] });
  });

  it('writes times as a date and a clock', () => {
    expect(timeWords('2025-03-09T15:44:13.087Z')).toBe('2025-03-09 15:44:13');
    expect(timeWords(null)).toBeNull();
  });

  it('numbers builds across logs for the chips', () => {
    expect(logChipWords([1, 2, 1])).toEqual(['log of build 1', 'log of builds 2–3', 'log of build 4']);
    const two = [1, 2].map((build) => ({ build, steps: 1, cached: 1, built: 0, failed: 0, firstStep: null, startedAt: null, truncated: false }));
    expect(buildsTakingPart(undefined, two)).toBe(2);
    expect(buildsTakingPart(toggleBuild(defaultChoice(2), 1, false), two)).toBe(1);
    expect(buildsTakingPart(undefined, undefined)).toBe(1);
  });
});

describe('the picker shows the order the analysis uses by default', () => {
  it('builds quoted out of order are listed in the order of their stamps, and that order is no pick', () => {
    const starts = ['18:56:43', '17:49:32', '17:39:22'];
    expect(defaultChoice(3, starts).order).toEqual([3, 2, 1]);
    expect(fitChoice(undefined, 3, starts).order).toEqual([3, 2, 1]);
    // Unstamped builds keep the file's order.
    expect(defaultChoice(2, [null, '10:00:00']).order).toEqual([1, 2]);
  });
});
