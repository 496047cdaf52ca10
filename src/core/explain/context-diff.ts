/**
 * The context diff of one pair of builds: which COPY/ADD sources changed between the two contexts.
 * Needs both contexts and a Dockerfile (to know which files each step copies).
 */
import type { BuildPlan, ContextIndex, SourceDiff } from '../model.ts';

export function diffPair(a: ContextIndex | null, b: ContextIndex | null, planA: BuildPlan | null, planB: BuildPlan | null): SourceDiff[] | null {
  if (!a || !b || !(planA ?? planB)) return null;
  // Wired to the context module's diffContexts as soon as it lands.
  return null;
}
