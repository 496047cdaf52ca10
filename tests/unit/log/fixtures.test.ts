/**
 * Every real log in tests/fixtures/lab*: the step statuses must be exactly what truth.json says BuildKit
 * did, and the same build read through its plain, Jenkins and ISO-stamped copies must give the same steps.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../../src/core/log/index.ts';
import type { StepStatus } from '../../../src/core/model.ts';
import { cases, essence, findStep, has, parseTruthLabel, read, type Case } from './truth.ts';

const all = cases();
const errorNames = (c: Case): string[] => (c.truth.b_error_vertices ?? []).map((e) => (typeof e === 'string' ? e : e.name));

/** What truth.json says a step of b should read as. */
function expectedStatus(c: Case, label: string): StepStatus {
  if (errorNames(c).includes(label)) return 'error';
  if ((c.truth.b_canceled_vertices ?? []).includes(label)) return 'canceled';
  return 'built';
}

const bVariants = all.flatMap((c) => ['b.log', 'b.jenkins.log', 'b.iso.log'].filter((f) => has(c, f)).map((f) => ({ c, file: f })));

describe('b logs give exactly the step statuses of truth.json', () => {
  it.each(bVariants.map(({ c, file }) => [`${c.name}/${file}`, c, file] as const))('%s', (_n, c, file) => {
    const trace = read(c, file);
    const mentioned = new Set<string>();
    for (const label of c.truth.b_missed_steps) {
      const step = findStep(trace, label);
      expect(step, `${label} is read`).toBeDefined();
      expect(step?.status, label).toBe(expectedStatus(c, label));
      mentioned.add(step?.label ?? '');
    }
    for (const label of c.truth.b_cached_steps) {
      const step = findStep(trace, label);
      expect(step, `${label} is read`).toBeDefined();
      expect(step?.status, label).toBe('cached');
      mentioned.add(step?.label ?? '');
    }
    // Whatever truth.json leaves out is a FROM that only resolved its image.
    for (const s of trace.steps.filter((s) => !mentioned.has(s.label))) {
      expect(s.instruction, `${s.label} is not in truth.json`).toMatch(/^FROM /);
      expect(s.status).toBe('cached');
    }
  });
});

describe('a logs of fully cached builds read as fully cached', () => {
  const withA = all.filter((c) => c.truth.a_log_fully_cached && has(c, 'a.log'));
  it.each(withA.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const trace = read(c, 'a.log');
    expect(trace.steps.length).toBeGreaterThan(0);
    for (const s of trace.steps) expect(`${s.label} ${s.status}`).toBe(`${s.label} cached`);
  });
});

describe('warm-up logs are read without unfinished steps', () => {
  it.each(all.filter((c) => has(c, 'warmup.log')).map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const trace = read(c, 'warmup.log');
    expect(trace.steps.length).toBeGreaterThan(0);
    expect(trace.truncated).toBe(false);
    expect(trace.steps.filter((s) => s.status === 'not-run')).toEqual([]);
  });
});

describe('plain, Jenkins and ISO copies of one build give identical steps', () => {
  const triples = all.filter((c) => has(c, 'b.jenkins.log') && has(c, 'b.iso.log'));
  it.each(triples.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const plain = read(c, 'b.log');
    const jenkins = read(c, 'b.jenkins.log');
    const iso = read(c, 'b.iso.log');
    expect(jenkins.linePrefix).toBe('jenkins-time');
    expect(iso.linePrefix).toBe('iso8601');
    expect(plain.linePrefix).toBe('none');
    expect(jenkins.steps.map(essence)).toEqual(plain.steps.map(essence));
    expect(iso.steps.map(essence)).toEqual(plain.steps.map(essence));
    expect(iso.errors.map((e) => e.message)).toEqual(plain.errors.map((e) => e.message));
    expect(jenkins.transfers).toEqual(plain.transfers);
    // The prefixes' timestamps are kept as real times.
    expect(iso.startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(jenkins.startedAt).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(iso.steps.every((s) => typeof s.startedAt === 'string')).toBe(true);
  });
});

describe('legacy builder logs', () => {
  const legacy = all.filter((c) => c.truth.legacy && has(c, 'legacy-b.log'));
  const legacyStatus: Record<string, StepStatus> = { FROM: 'cached', CACHED: 'cached', EXECUTED: 'built' };
  it.each(legacy.map((c) => [c.name, c] as const))('%s: b steps as truth.legacy says', (_n, c) => {
    const trace = read(c, 'legacy-b.log');
    expect(trace.format).toBe('legacy');
    expect(trace.builder.era).toBe('legacy');
    const want = (c.truth.legacy?.b_steps ?? []).map((s) => ({ label: s.label, instruction: s.instruction, status: legacyStatus[s.status] }));
    expect(trace.steps.map((s) => ({ label: s.label, instruction: s.instruction, status: s.status }))).toEqual(want);
    expect(trace.steps.every((s) => s.stage === null)).toBe(true);
    expect(trace.transfers.context).toBeGreaterThan(0);
    expect(trace.imageId).toMatch(/^[0-9a-f]{12}$/);
  });
  it.each(legacy.filter((c) => c.truth.legacy?.a_log_fully_cached).map((c) => [c.name, c] as const))('%s: a fully cached', (_n, c) => {
    const trace = read(c, 'legacy-a.log');
    for (const s of trace.steps) expect(`${s.label} ${s.status}`).toBe(`${s.label} cached`);
  });
});

describe('failed builds: the failing step and its message', () => {
  const failed = all.filter((c) => errorNames(c).some((n) => n.startsWith('[')));
  it.each(failed.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const trace = read(c, 'b.log');
    const errorLabel = errorNames(c).find((n) => n.startsWith('[')) as string;
    const want = parseTruthLabel(errorLabel);
    expect(trace.errors).toHaveLength(1);
    expect(trace.errors[0]?.step).toEqual({ stage: want.stage, index: want.index });
    const truthLine = (c.truth.b_error_vertices ?? []).map((e) => (typeof e === 'string' ? null : e.line)).find((l) => l);
    const message = trace.errors[0]?.message ?? '';
    if (truthLine) expect(`ERROR: ${message}`).toBe(truthLine);
    expect(message).toMatch(/check-failed && exit 1/);
    // The Dockerfile excerpt / error block after the stream is kept as evidence.
    expect(trace.errors[0]?.lines.some((l) => l.includes('> [stage-1 3/5] RUN echo check-failed && exit 1:'))).toBe(true);
    expect(trace.imageId).toBeNull();
  });
});

describe('rawjson streams', () => {
  const raw = all.filter((c) => c.truth.rawjson && has(c, 'b.rawjson.log'));
  const map: Record<string, StepStatus> = { DONE: 'built', CACHED: 'cached', ERROR: 'error', CANCELED: 'canceled', 'NEVER-STARTED': 'not-run' };
  for (const which of ['a', 'b'] as const) {
    it.each(raw.map((c) => [c.name, c] as const))(`%s: ${which}.rawjson.log statuses, digests and inputs match truth`, (_n, c) => {
      const trace = read(c, `${which}.rawjson.log`);
      expect(trace.format).toBe('buildkit-rawjson');
      const vertices = c.truth.rawjson?.[which].vertices ?? [];
      for (const v of vertices) {
        if (!/^\[[^\]]*\d+\/\d+\]/.test(v.name)) {
          // internal vertices (`[internal] load …`, `exporting to image`) are kept apart from the steps
          expect(trace.internal.find((i) => i.name === v.name)?.digest, v.name).toBe(v.digest);
          continue;
        }
        const step = findStep(trace, v.name);
        if (!step) throw new Error(`${v.name} is not read as a step`);
        const expected = v.status === 'DONE' && step.instruction.startsWith('FROM ') ? 'cached' : map[v.status];
        expect(step.status, v.name).toBe(expected);
        expect(step.digest).toBe(v.digest);
        expect(step.inputs).toEqual(v.inputs);
      }
    });
  }
  it.each(raw.map((c) => [c.name, c] as const))('%s: agrees with the plain log of the same story', (_n, c) => {
    const plain = read(c, 'b.log');
    const json = read(c, 'b.rawjson.log');
    for (const s of plain.steps.filter((s) => !s.instruction.startsWith('FROM '))) {
      const other = json.steps.find((o) => o.stage === s.stage && o.index === s.index);
      expect(other?.instruction).toBe(s.instruction);
      expect(`${s.label} ${other?.status}`).toBe(`${s.label} ${s.status}`);
    }
  });
});

describe('every log file in the fixtures reads, whatever its name says', () => {
  const files = all.flatMap((c) =>
    readdirSync(c.dir)
      .filter((f) => /\.(log|raw)$/.test(f) && !/^(dockerd-debug|registry-access)/.test(f))
      .map((f) => [`${c.name}/${f}`, c, f] as const),
  );
  it.each(files)('%s', (_n, c, f) => {
    const text = readFileSync(join(c.dir, f), 'utf8');
    const r = readLog(text, f);
    expect(r.ok, r.ok ? '' : r.problem.message).toBe(true);
    if (!r.ok) return;
    expect(r.problems).toBeUndefined();
    expect(r.value.steps.length).toBeGreaterThan(0);
    expect(r.value.truncated).toBe(false);
    // `writer-before-b.rawjson-pass.log` is a plain log: the content decides, not the name.
    if (text.startsWith('{')) expect(r.value.format).toBe('buildkit-rawjson');
    else expect(r.value.format).not.toBe('buildkit-rawjson');
  });
});
