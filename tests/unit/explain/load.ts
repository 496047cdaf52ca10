/** Loads a fixture case (logs, Dockerfiles, commands, contexts) into the engine's inputs. */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Sha256 } from '../../../src/core/context/hasher.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { DiagnoseInput } from '../../../src/core/explain/index.ts';
import { parseCommandsFile } from '../../../src/core/ingest/command.ts';
import { readLog } from '../../../src/core/log/index.ts';
import type { BuildCommand, BuildPlan, BuildTrace, ContextIndex, StepRef } from '../../../src/core/model.ts';

export const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

/** node:crypto behind the engine's `Sha256` interface. */
export const nodeSha256: Sha256 = {
  digest: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  digestMany: (buffers) => buffers.map((b) => new Uint8Array(createHash('sha256').update(b).digest())),
  create() {
    const h = createHash('sha256');
    return { update: (d) => void h.update(d), finish: () => new Uint8Array(h.digest()) };
  },
};

export interface Truth {
  case: string;
  first_miss_step: string | null;
  cause: string;
  changed: string[];
  notes: string;
  b_missed_steps: string[];
  b_cached_steps: string[];
}

/** Every case folder under lab, lab-modern… that has a truth.json, as `lab/copy-file-content`. */
export function allCases(): string[] {
  return (
    readdirSync(FIXTURES)
      // lab-2026 runs through the CLI in every input mode (logs, records, both) in tests/unit/record.
      .filter((d) => d.startsWith('lab') && d !== 'lab-2026')
      .flatMap((d) => readdirSync(`${FIXTURES}${d}`).map((c) => `${d}/${c}`))
      .filter((c) => existsSync(`${FIXTURES}${c}/truth.json`))
      .sort()
  );
}

export function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(`${FIXTURES}${name}/truth.json`, 'utf8')) as Truth;
}

/** `[ 2/34]` → {stage: null, index: 2}; `[stage-1 3/4]` → {stage: 'stage-1', index: 3}. */
export function parseLabel(label: string): StepRef {
  const m = /^\[(?:(\S+)\s+)?\s*(\d+)\/\d+\]$/.exec(label.trim());
  if (!m) throw new Error(`not a step label: ${label}`);
  return { stage: m[1] ?? null, index: Number(m[2]) };
}

export function trace(name: string, log: string): BuildTrace {
  const r = readLog(readFileSync(`${FIXTURES}${name}/${log}`, 'utf8'), log);
  if (!r.ok) throw new Error(`${name}/${log}: ${r.problem.message}`);
  return r.value;
}

export function commandFor(name: string, log: string): BuildCommand | null {
  const file = `${FIXTURES}${name}/commands.txt`;
  if (!existsSync(file)) return null;
  const all = parseCommandsFile(readFileSync(file, 'utf8'));
  // b.jenkins.log and b.iso.log are b.log stamped live by a CI console: the same build, the same command.
  const same = log.replace(/\.(jenkins|iso)\.log$/, '.log');
  return all.find((c) => c.log === log)?.command ?? all.find((c) => c.log === same)?.command ?? null;
}

/** The Dockerfile a build used: Dockerfile.b for the "b" build when the case changed it. */
export function planFor(name: string, log: string, t: BuildTrace, cmd: BuildCommand | null): BuildPlan {
  const changed = /^(legacy-)?b[.-]/.test(log) && existsSync(`${FIXTURES}${name}/Dockerfile.b`);
  const file = changed ? 'Dockerfile.b' : 'Dockerfile';
  const era = t.builder.era === 'buildkit-v0.8' ? 'buildkit-v0.8' : 'buildkit-modern';
  return readDockerfile(readFileSync(`${FIXTURES}${name}/${file}`, 'utf8'), file, { buildArgs: cmd?.build_args ?? {}, era });
}

export async function contextFor(name: string, tar: string): Promise<ContextIndex | null> {
  const path = `${FIXTURES}${name}/${tar}`;
  if (!existsSync(path)) return null;
  const r = await indexContext({ kind: 'stream', stream: createReadStream(path) as AsyncIterable<Uint8Array> }, { name: tar, hasher: nodeSha256 });
  if (!r.ok) throw new Error(`${path}: ${r.problem.message}`);
  return r.value;
}

export interface LoadOptions {
  logs?: string[];
  dockerfile?: boolean;
  commands?: boolean;
  contexts?: boolean;
  /** One Dockerfile for every build, read without any build's --build-arg values. */
  sharedPlan?: boolean;
}

/** The engine's input for a case: its logs (default a.log, b.log) with Dockerfiles, commands and contexts. */
export async function load(name: string, opts: LoadOptions = {}): Promise<DiagnoseInput> {
  const logs = opts.logs ?? ['a.log', 'b.log'];
  const traces = logs.map((l) => trace(name, l));
  const commands = logs.map((l) => (opts.commands === false ? null : commandFor(name, l)));
  const plans =
    opts.dockerfile === false
      ? []
      : opts.sharedPlan
        ? [readDockerfile(readFileSync(`${FIXTURES}${name}/Dockerfile`, 'utf8'), 'Dockerfile')]
        : logs.map((l, i) => planFor(name, l, traces[i]!, commands[i] ?? null));
  const tarOf = (l: string) => (/^(legacy-)?b[.-]/.test(l) ? 'context-b.tar' : 'context-a.tar');
  const contexts = opts.contexts === false ? [] : await Promise.all(logs.map((l) => contextFor(name, tarOf(l))));
  return { traces, plans, commands, contexts };
}

/** Same step: same index, same stage label (null for a single-stage build). */
export function sameStep(a: { stage: string | null; index: number } | null | undefined, b: StepRef | null): boolean {
  if (!a || !b) return a == null && b === null;
  return a.index === b.index && (a.stage ?? null) === (b.stage ?? null);
}
