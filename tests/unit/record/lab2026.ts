/** The lab-2026 cases (Docker 28.5.2 / BuildKit v0.25.2) and what their truth.json says, as tests read it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CauseKind } from '../../../src/core/model.ts';

export const LAB = join(import.meta.dirname, '../../fixtures/lab-2026');

export const CASES = [
  'arg-used',
  'copy-file-content',
  'env-change',
  'base-image-updated',
  'cache-pruned',
  'multistage',
  'bake-two-targets',
  'build-check-warning',
] as const;

export interface Truth {
  first_miss_step: string;
  first_miss_vertex: string;
  cause: string;
  changed: string[];
  b_missed_steps: string[];
  b_cached_steps: string[];
}

export function truthOf(name: string): Truth {
  return JSON.parse(readFileSync(join(LAB, name, 'truth.json'), 'utf8')) as Truth;
}

/** truth.json's `cause` (free text by the lab) in cachewhy's cause kinds. */
export function expectedKind(cause: string): CauseKind {
  if (cause.startsWith('file-content-changed') || cause === 'builder-stage-input-changed') return 'context-changed';
  if (cause === 'build-arg-changed') return 'build-arg-changed';
  if (cause === 'dockerfile-env-changed') return 'instruction-changed';
  if (cause.startsWith('base-image-changed')) return 'base-image-changed';
  if (cause === 'build-cache-pruned') return 'cache-unavailable';
  throw new Error(`no cause kind for ${cause}`);
}

/** The context file truth.json names (`src/data.txt (3 lines -> 4 lines)` → `src/data.txt`), if it names one. */
export function changedFile(truth: Truth): string | null {
  const first = truth.changed[0] ?? '';
  const word = first.split(' ')[0] ?? '';
  return /^[\w./-]+\.\w+$/.test(word) && !first.startsWith('--') && !first.startsWith('Dockerfile') ? word : null;
}

/** `[worker worker 2/3]` (bake prints the target first), `[2/3]`, `[builder 2/3]` → stage and index. */
export function missOf(truth: Truth): { stage: string | null; index: number } {
  const m = /^\[(?:(?:\S+ )?(\S+) )?(\d+)\/\d+\]$/.exec(truth.first_miss_step);
  if (!m) throw new Error(`unreadable first miss ${truth.first_miss_step}`);
  return { stage: m[1] ?? null, index: Number(m[2]) };
}

export const file = (name: string, f: string): string => join(LAB, name, f);
