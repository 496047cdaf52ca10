/**
 * cachewhy as a new user runs it, on build pairs made for this test on a real Docker 20.10.24 / BuildKit
 * v0.8 (tests/fixtures/real-buildkit, see its README): `cachewhy --json a.log b.log Dockerfile
 * context-a.tar context-b.tar`, through the CLI's own entry point. These pairs are not among the lab
 * fixtures the engine was developed on. Each case's truth.json says what BuildKit did (first miss, missed
 * and cached steps) and what was changed; `expected_cause_kind` and `expected_context_files` are the
 * answer the change calls for (the file and field, exactly: nothing else may be blamed).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Diagnosis, Report } from '../../../src/core/model.ts';
import { runCli } from '../cli/run.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/real-buildkit');

interface RealTruth {
  case: string;
  first_miss_step: string | null;
  b_missed_steps: string[];
  b_cached_steps: string[];
  a_log_fully_cached: boolean;
  expected_cause_kind: string | null;
  expected_context_files: { path: string; change: string }[];
}

const CASES = readdirSync(ROOT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'truth.json')))
  .map((d) => d.name)
  .sort();

const truthOf = (name: string) => JSON.parse(readFileSync(join(ROOT, name, 'truth.json'), 'utf8')) as RealTruth;

/** `[2/3] COPY src/ /app/` or `[2/3]` → 2 (these builds have one unnamed stage). */
const indexOf = (label: string) => Number(/^\[\s*(\d+)\/\d+\]/.exec(label)![1]);

/** What a user gives: both logs, the Dockerfile (both when it changed), both contexts. */
const userFiles = (name: string) =>
  ['a.log', 'b.log', 'Dockerfile', 'Dockerfile.b', 'context-a.tar', 'context-b.tar'].filter((f) => existsSync(join(ROOT, name, f)));

/** The report for the files given (default: `userFiles`). */
async function report(name: string, files = userFiles(name)): Promise<Diagnosis> {
  const r = await runCli(['--json', ...files.map((f) => join(ROOT, name, f))]);
  expect(r.code, r.stderr).toBe(0);
  const parsed = JSON.parse(r.stdout) as Report;
  expect(parsed.diagnosis).not.toBeNull();
  return parsed.diagnosis!;
}

/**
 * A directory's mode is in the checksum of a context BuildKit receives afresh (a 0700 directory header
 * from a real cache.db is in tests/fixtures/checksum/vectors.json), but a chmod of a directory the builder
 * already has is not passed on: dir-mode-change stayed CACHED. So cachewhy names such a change with a
 * caveat and never blames it above a low-confidence suspicion.
 */
const WEAK_CHANGES: Record<string, string[]> = {
  'dir-mode-change': ['src/sub: mode'],
  'dir-mode-and-no-cache': ['src/sub: mode'],
};

const fileKeys = (files: { path: string; change: string }[] | null | undefined) => (files ?? []).map((f) => `${f.path}: ${f.change}`).sort();

describe('real BuildKit build pairs that are not among the lab fixtures, as a new user gives them', () => {
  it('finds the cases', () => expect(CASES.length).toBeGreaterThanOrEqual(12));

  for (const name of CASES) {
    const truth = truthOf(name);
    const what =
      truth.expected_cause_kind === null
        ? 'no miss and nothing blamed'
        : `${truth.expected_cause_kind}${truth.expected_context_files.length ? `: ${fileKeys(truth.expected_context_files).join(', ')}` : ''}`;
    it(`${name}: ${what}`, async () => {
      expect(truth.a_log_fully_cached).toBe(true);
      const d = await report(name);

      // What BuildKit did: the first miss, every missed step a root miss or its cascade, the rest not.
      expect(d.first_miss?.index ?? null).toBe(truth.first_miss_step ? indexOf(truth.first_miss_step) : null);
      const missed = d.steps.filter((s) => s.role === 'root-miss' || s.role === 'cascade').map((s) => s.index);
      expect(missed.sort()).toEqual(truth.b_missed_steps.map(indexOf).sort());
      for (const s of truth.b_cached_steps) expect(d.steps.find((x) => x.index === indexOf(s))?.role).toBe('cached');

      // Nothing is ever blamed on a file beyond the ones that changed what BuildKit hashes; a change
      // BuildKit may not have seen (WEAK_CHANGES) is named with its caveat and only as a low suspicion.
      const weakCauses = d.causes.filter((c) => c.confidence === 'low' && (c.files ?? []).length > 0 && c.files!.every((f) => f.caveat));
      const blamed = d.causes.filter((c) => !weakCauses.includes(c)).flatMap((c) => fileKeys(c.files));
      const allDiffed = (d.context_diffs ?? []).flatMap((x) => x.files);
      const want = fileKeys(truth.expected_context_files);
      expect([...new Set(blamed)].sort()).toEqual(want);
      expect([...new Set(fileKeys(allDiffed.filter((f) => !f.caveat)))].sort()).toEqual(want);
      expect([...new Set(fileKeys(allDiffed.filter((f) => f.caveat)))].sort()).toEqual(WEAK_CHANGES[name] ?? []);
      const changedForReal = (d.context_diffs ?? []).filter((x) => x.changed && !x.files.every((f) => f.caveat));

      if (truth.expected_cause_kind === null) {
        // mtime, owner and .dockerignored files are not part of BuildKit's content checksum.
        expect(d.causes).toEqual([]);
        expect(d.root_misses).toEqual([]);
        expect(changedForReal).toEqual([]);
        expect(d.verdict).toMatch(/^No step missed/);
        return;
      }
      const top = d.causes[0]!;
      expect(top.kind).toBe(truth.expected_cause_kind);
      expect(top.step?.index).toBe(indexOf(truth.first_miss_step!));
      expect(fileKeys(top.files)).toEqual(want);
      if (truth.expected_cause_kind === 'context-changed') {
        expect(top.confidence).toBe('high');
        for (const f of truth.expected_context_files) expect(d.verdict).toContain(`\`${f.path}\``);
      } else {
        // A miss whose cause is not the context: the context is not blamed, not even as a lesser cause
        // (beyond a low suspicion that carries its caveat).
        expect(d.causes.some((c) => c.kind === 'context-changed' && !weakCauses.includes(c))).toBe(false);
        expect(changedForReal).toEqual([]);
      }
    });
  }

  it('with the build commands too, --no-cache and the changed --build-arg are certain (high confidence)', async () => {
    const withCommands = ['a.log', 'b.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'];
    const noCache = await report('no-cache', withCommands);
    expect(noCache.causes[0]).toMatchObject({ kind: 'no-cache', confidence: 'high' });
    const arg = await report('build-arg-change', withCommands);
    expect(arg.causes[0]).toMatchObject({ kind: 'build-arg-changed', confidence: 'high', step: { index: 3 } });
    expect(arg.causes.some((c) => c.kind === 'context-changed')).toBe(false);
  });

  it('logs given in the wrong order: no miss, and the verdict says how to ask about the rebuild', async () => {
    const d = await report('content-change', ['b.log', 'a.log', 'Dockerfile']);
    expect(d.first_miss).toBeNull();
    expect(d.verdict).toMatch(
      /^No step missed: .*b\.log itself rebuilt 2 steps from 2\/3 `COPY src\/ \/app\/`: to ask why, give the log of the build before it first/,
    );
    const inOrder = await report('mtime-only', ['a.log', 'b.log', 'Dockerfile']);
    expect(inOrder.verdict).not.toMatch(/itself rebuilt/);
  });

  // A user whose Dockerfile changed has only the current one at hand; the earlier one is inside
  // context-a.tar (./Dockerfile), so the ENV edit is in the inputs: build 1 is read with its context's
  // Dockerfile, and the note says so.
  it('env-before-copy with only the current Dockerfile: the ENV edit is found in context-a.tar', async () => {
    const d = await report('env-before-copy', ['a.log', 'b.log', 'Dockerfile.b', 'context-a.tar', 'context-b.tar']);
    expect(d.first_miss?.index).toBe(3);
    expect(d.causes[0]).toMatchObject({ kind: 'instruction-changed', step: { index: 3 } });
  });

  // Given both contexts but no Dockerfile: each build is read with the Dockerfile in its context, so the
  // file and field are named, and the verdict asks for nothing the user already gave.
  it("without the Dockerfile, the contexts' own Dockerfiles name the file, and the verdict asks for nothing given", async () => {
    const d = await report('mode-change', ['a.log', 'b.log', 'context-a.tar', 'context-b.tar']);
    expect(d.first_miss?.index).toBe(2);
    expect(d.verdict).not.toMatch(/give both contexts/);
    expect(d.causes[0]).toMatchObject({ kind: 'context-changed', confidence: 'high' });
    expect(d.verdict).toMatch(/`[^`]+`/);
  });
});
