/**
 * The context diff of one pair of builds: which COPY/ADD sources changed between the two contexts.
 * Needs both contexts and a Dockerfile (to know which files each step copies).
 */
import { diffContexts } from '../context/index.ts';
import type { BuildPlan, ContextIndex, SourceDiff } from '../model.ts';

export function diffPair(a: ContextIndex | null, b: ContextIndex | null, planA: BuildPlan | null, planB: BuildPlan | null): SourceDiff[] | null {
  const first = planA ?? planB;
  if (!a || !b || !first) return null;
  return diffContexts(a, b, first, planB ?? first);
}
