/**
 * Two builds' LLB for one step, compared field by field. A step's digest covers its inputs' digests, so
 * when a step's own fields are equal the difference is upstream: followed to the first op that differs.
 */
import type { RecordLlbOp } from '../model.ts';

export interface LlbDifference {
  /** The op whose own fields differ (the step itself, or an op upstream of it). */
  before: RecordLlbOp;
  after: RecordLlbOp;
  /** Field names as in `RecordLlbOp.fields` (`env APP_MODE`, `copy 0 src`, `identifier`). */
  fields: string[];
  /** True when the differing op is upstream of the step, not the step. */
  upstream: boolean;
}

export type LlbComparison = { kind: 'unknown' } | { kind: 'same' } | { kind: 'different'; difference: LlbDifference | null };

const MAX_DEPTH = 64;

export function compareStepLlb(digestE: string | null, digestL: string | null, opsE: RecordLlbOp[], opsL: RecordLlbOp[]): LlbComparison {
  if (!digestE || !digestL) return { kind: 'unknown' };
  if (digestE === digestL) return { kind: 'same' };
  const byE = new Map(opsE.map((o) => [o.digest, o]));
  const byL = new Map(opsL.map((o) => [o.digest, o]));
  if (!byE.has(digestE) || !byL.has(digestL)) return { kind: 'different', difference: null };
  const difference = firstDifference(byE.get(digestE)!, byL.get(digestL)!, byE, byL, 0);
  // Every recorded field equal: the digests differ only through what provenance leaves out of a local
  // source (its session), which is not a cache key input. BuildKit keys the context by content instead.
  if (difference && difference.fields.length === 0 && difference.before.local) return { kind: 'same' };
  return { kind: 'different', difference };
}

function firstDifference(e: RecordLlbOp, l: RecordLlbOp, byE: Map<string, RecordLlbOp>, byL: Map<string, RecordLlbOp>, depth: number): LlbDifference | null {
  const fields = differingFields(e, l);
  if (fields.length > 0 || depth >= MAX_DEPTH) return { before: e, after: l, fields, upstream: depth > 0 };
  // Same fields: an input differs. The first input (in order) whose digest changed is followed.
  for (let i = 0; i < Math.max(e.inputs.length, l.inputs.length); i++) {
    const a = e.inputs[i];
    const b = l.inputs[i];
    if (a === b) continue;
    const opA = a ? byE.get(a) : undefined;
    const opB = b ? byL.get(b) : undefined;
    if (!opA || !opB) return { before: e, after: l, fields: [`input ${i}`], upstream: depth > 0 };
    return firstDifference(opA, opB, byE, byL, depth + 1);
  }
  return { before: e, after: l, fields: [], upstream: depth > 0 };
}

export function differingFields(a: RecordLlbOp, b: RecordLlbOp): string[] {
  if (a.kind !== b.kind) return ['op'];
  const keys = new Set([...Object.keys(a.fields), ...Object.keys(b.fields)]);
  return [...keys].filter((k) => a.fields[k] !== b.fields[k]).sort();
}
