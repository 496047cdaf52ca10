/** Reading the fixtures' truth.json files: which cases exist and what BuildKit really did in them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readLog } from '../../../src/core/log/index.ts';
import type { BuildTrace, Step } from '../../../src/core/model.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures', import.meta.url));

export interface Truth {
  case: string;
  a_log_fully_cached?: boolean;
  b_missed_steps: string[];
  b_cached_steps: string[];
  b_error_vertices?: (string | { name: string; line: string })[];
  b_canceled_vertices?: string[];
  legacy?: { a_log_fully_cached?: boolean; b_steps: { label: string; instruction: string; status: string }[] };
  rawjson?: {
    a: { vertices: RawTruthVertex[] };
    b: { vertices: RawTruthVertex[] };
    agrees_with_plain?: boolean;
  };
}

export interface RawTruthVertex {
  name: string;
  digest: string;
  status: 'DONE' | 'CACHED' | 'ERROR' | 'CANCELED' | 'NEVER-STARTED';
  inputs: string[];
}

export interface Case {
  name: string;
  dir: string;
  truth: Truth;
}

export function cases(): Case[] {
  const out: Case[] = [];
  for (const group of ['lab', 'lab-modern']) {
    for (const name of readdirSync(join(FIXTURES, group)).sort()) {
      const dir = join(FIXTURES, group, name);
      const truthFile = join(dir, 'truth.json');
      if (!existsSync(truthFile)) continue;
      out.push({ name: `${group}/${name}`, dir, truth: JSON.parse(readFileSync(truthFile, 'utf8')) as Truth });
    }
  }
  return out;
}

export function has(c: Case, file: string): boolean {
  return existsSync(join(c.dir, file));
}

export function read(c: Case, file: string): BuildTrace {
  const text = readFileSync(join(c.dir, file), 'utf8');
  const r = readLog(text, file);
  if (!r.ok) throw new Error(`${c.name}/${file}: ${r.problem.message}`);
  return r.value;
}

/** `[stage-0  2/34] RUN …` → stage, index, instruction (the truth files write labels as the log prints them). */
export function parseTruthLabel(text: string): { stage: string | null; index: number; instruction: string } {
  const m = /^\[([^\]]*?)\s*(\d+)\/(\d+)\]\s+(.*)$/s.exec(text);
  if (!m) throw new Error(`not a step label: ${text}`);
  const stage = (m[1] ?? '').trim();
  return { stage: stage === '' ? null : stage, index: Number(m[2]), instruction: (m[4] ?? '').trim() };
}

export function findStep(trace: BuildTrace, label: string): Step | undefined {
  const want = parseTruthLabel(label);
  return trace.steps.find((s) => s.stage === want.stage && s.index === want.index && s.instruction === want.instruction);
}

/** The part of a step that must not depend on how the log was decorated. */
export function essence(s: Step): Pick<Step, 'stage' | 'index' | 'total' | 'instruction' | 'status' | 'digest' | 'durationS'> {
  return { stage: s.stage, index: s.index, total: s.total, instruction: s.instruction, status: s.status, digest: s.digest, durationS: s.durationS };
}
