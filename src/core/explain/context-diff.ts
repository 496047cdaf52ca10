/**
 * The context diff of one pair of builds: which COPY/ADD sources changed between the two contexts.
 * Needs both contexts and a Dockerfile (to know which files each step copies).
 */
import { diffContexts } from '../context/index.ts';
import type { BuildPlan, ContextIndex, SourceDiff, StepContentKey } from '../model.ts';

/** A context's content keys with the Dockerfile they were computed for: reused only with that very plan. */
export interface PlanKeys {
  plan: BuildPlan;
  keys: StepContentKey[];
}

export function diffPair(
  a: ContextIndex | null,
  b: ContextIndex | null,
  planA: BuildPlan | null,
  planB: BuildPlan | null,
  keys: { a: PlanKeys | null; b: PlanKeys | null } = { a: null, b: null },
): SourceDiff[] | null {
  const first = planA ?? planB;
  if (!a || !b || !first) return null;
  const second = planB ?? first;
  const known = { a: keys.a?.plan === first ? keys.a.keys : null, b: keys.b?.plan === second ? keys.b.keys : null };
  return diffContexts(a, b, first, second, undefined, known);
}
