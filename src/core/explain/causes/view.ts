/**
 * What every cause module looks at: one pair of builds (earlier → later) with everything known about
 * each — logs, Dockerfile steps, build commands, the context diff — and the misses found in it.
 */
import type { BuildCommand, BuildPlan, BuildTrace, Cause, ContextIndex, PlanStep, SourceDiff, StepRef } from '../../model.ts';
import type { Alignment, AlignedRow } from '../align.ts';
import { rowLabel } from '../align.ts';
import type { PairMisses } from '../misses.ts';
import { dockerfileLine, logLine, missLine } from '../evidence.ts';

export interface PairView {
  al: Alignment;
  misses: PairMisses;
  earlier: number;
  later: number;
  traceE: BuildTrace;
  traceL: BuildTrace;
  planE: BuildPlan | null;
  planL: BuildPlan | null;
  commandE: BuildCommand | null;
  commandL: BuildCommand | null;
  contextE: ContextIndex | null;
  contextL: ContextIndex | null;
  /** Per-step context diff between the two builds; null when the two contexts (or a Dockerfile) are missing. */
  diffs: SourceDiff[] | null;
}

/** A cause proposed by one module, with a tie-breaking weight among causes of equal confidence. */
export interface Candidate extends Cause {
  /** Higher first among candidates of the same confidence: how specific the evidence is. */
  weight: number;
}

/** What one cause module found for one root miss. */
export interface Finding {
  candidates: Candidate[];
  /** Facts that rule this cause out, quoted as evidence for whatever cause ranks first. */
  ruledOut: string[];
}

export const nothing = (): Finding => ({ candidates: [], ruledOut: [] });

export function stepRefOf(row: AlignedRow): StepRef {
  return { stage: row.stage, index: row.index };
}

/** `[3/4] COPY app.conf /etc/app.conf`, for summaries. */
export function stepName(row: AlignedRow): string {
  return `${rowLabel(row)} \`${row.instruction}\``;
}

/** The log line showing the miss: the later build's result with the earlier build's in brackets. */
export function missEvidence(v: PairView, row: AlignedRow): string[] {
  const after = row.logs[v.later];
  if (!after) return [];
  return [missLine(v.traceE, row.logs[v.earlier] ?? null, v.traceL, after)];
}

/** The step's Dockerfile line (from the later build's Dockerfile), when a Dockerfile was given. */
export function dockerfileEvidence(v: PairView, row: AlignedRow): string[] {
  const plan = v.planL ?? v.planE;
  const ps = row.plans[v.later] ?? row.plans[v.earlier] ?? null;
  return plan && ps ? [dockerfileLine(plan, ps)] : [];
}

/** The later build's Dockerfile step, else the earlier build's. */
export function planStepL(v: PairView, row: AlignedRow): PlanStep | null {
  return row.plans[v.later] ?? row.plans[v.earlier] ?? null;
}

export function logLineOf(v: PairView, row: AlignedRow, build: 'earlier' | 'later'): string | null {
  const b = build === 'earlier' ? v.earlier : v.later;
  const step = row.logs[b];
  const trace = build === 'earlier' ? v.traceE : v.traceL;
  return step ? logLine(trace, step) : null;
}
