/**
 * Inputs that do not belong together or were cut: the diagnosis must still come back (never throw), and
 * say what does not fit instead of inventing a cause.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { diagnose } from '../../../src/core/explain/index.ts';
import { readLog } from '../../../src/core/log/index.ts';
import { allCases, FIXTURES, trace } from './load.ts';

const cases = allCases();

describe("another case's Dockerfile", () => {
  cases.forEach((name, i) => {
    const other = cases[(i + 1) % cases.length]!;
    it(`${name} logs with ${other}'s Dockerfile: a diagnosis, with the mismatches reported`, () => {
      const plan = readDockerfile(readFileSync(`${FIXTURES}${other}/Dockerfile`, 'utf8'), 'Dockerfile');
      const d = diagnose({ traces: [trace(name, 'a.log'), trace(name, 'b.log')], plans: [plan] });
      expect(d.verdict).toBeTruthy();
      const sameText = readFileSync(`${FIXTURES}${name}/Dockerfile`, 'utf8') === readFileSync(`${FIXTURES}${other}/Dockerfile`, 'utf8');
      if (!sameText) expect(d.warnings?.some((w) => w.kind === 'input')).toBe(true);
    });
  });
});

describe('a b.log cut in the middle (a paste that stopped short)', () => {
  for (const name of cases) {
    it(`${name}: a diagnosis without an exception, and no miss claimed for steps the cut log never shows`, () => {
      const text = readFileSync(`${FIXTURES}${name}/b.log`, 'utf8');
      const cut = readLog(text.slice(0, Math.floor(text.length / 2)), 'b.log');
      if (!cut.ok) return; // too little left to be a log: the reader says so, nothing to diagnose
      const d = diagnose({ traces: [trace(name, 'a.log'), cut.value], plans: [] });
      expect(d.verdict).toBeTruthy();
      const shown = new Set(cut.value.steps.map((s) => `${s.stage}:${s.index}`));
      for (const r of d.root_misses) expect(shown.has(`${r.stage}:${r.index}`)).toBe(true);
    });
  }
});

describe('a Dockerfile that could not be read', () => {
  it('the logs are still aligned and diagnosed (multistage, named stages)', async () => {
    const broken = readDockerfile('this is not a Dockerfile\n', 'Dockerfile');
    const d = diagnose({ traces: [trace('lab/multistage', 'a.log'), trace('lab/multistage', 'b.log')], plans: [broken] });
    expect(d.first_miss).toMatchObject({ stage: 'builder', index: 2 });
    expect(d.warnings?.some((w) => /no steps that could be read/.test(w.message))).toBe(true);
  });
});
