/**
 * Every lab-2026 case through the CLI: logs only, records only, both, and `history logs` + `history
 * inspect`: the first miss and the top cause kind as truth.json says, the changed file or arg named,
 * and causes settled by records marked exact.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/model.ts';
import { runCli } from '../cli/run.ts';
import { CASES, changedFile, expectedKind, file, missOf, truthOf } from './lab2026.ts';

async function report(args: string[]): Promise<Report> {
  const run = await runCli(['--json', ...args]);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as Report;
}

function dockerfiles(name: string): string[] {
  return ['Dockerfile', 'Dockerfile.b'].filter((f) => existsSync(file(name, f))).map((f) => file(name, f));
}

const MODES = {
  logs: (n: string) => [file(n, 'a.log'), file(n, 'b.log'), ...dockerfiles(n), file(n, 'context-a.tar'), file(n, 'context-b.tar')],
  records: (n: string) => [file(n, 'a.dockerbuild'), file(n, 'b.dockerbuild')],
  both: (n: string) => [file(n, 'a.dockerbuild'), file(n, 'b.dockerbuild'), file(n, 'context-a.tar'), file(n, 'context-b.tar')],
  // `history logs` of a bake prints one section per target record (worker first in both): one is picked.
  history: (n: string) => [
    file(n, 'a.history-logs.log') + targetPick(n),
    file(n, 'b.history-logs.log') + targetPick(n),
    file(n, 'a.history.json'),
    file(n, 'b.history.json'),
    ...dockerfiles(n),
    file(n, 'context-a.tar'),
    file(n, 'context-b.tar'),
  ],
} as const;

const targetPick = (n: string): string => (n === 'bake-two-targets' ? '#1' : '');

/** Kinds a record settles by itself (an arg, a base digest, an LLB field, an identical LLB). */
const EXACT_FROM_RECORDS = new Set(['build-arg-changed', 'base-image-changed', 'instruction-changed', 'cache-unavailable']);

describe.each(CASES)('lab-2026 %s', (name) => {
  const truth = truthOf(name);
  const kind = expectedKind(truth.cause);
  const miss = missOf(truth);
  const changed = changedFile(truth);

  it.each(Object.keys(MODES) as (keyof typeof MODES)[])('%s: first miss and cause as truth.json', async (mode) => {
    const r = await report(MODES[mode](name));
    const d = r.diagnosis!;
    expect({ stage: d.first_miss?.stage ?? null, index: d.first_miss?.index }).toEqual(miss);
    expect(d.causes[0]?.kind).toBe(kind);
    const top = d.causes[0]!;
    // The changed file is named whenever the contexts were given; records alone cannot name it.
    if (changed && mode !== 'records') expect(top.files?.map((f) => f.path) ?? []).toContain(changed);
    if (kind === 'build-arg-changed') expect(top.summary).toContain('V');
    if (mode === 'records' || mode === 'both') expect(top.exact === true).toBe(EXACT_FROM_RECORDS.has(kind));
    if (mode === 'logs') expect(top.exact).toBeUndefined();
  });
});
