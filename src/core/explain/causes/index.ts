/**
 * Ranked causes for the root misses of one pair of builds.
 *
 * Content causes first (the step's inputs changed: context, build arg, instruction, base image), then
 * availability causes (the key was the same but the result was not there: cache unavailable, --no-cache),
 * which weigh what the content causes found. Within a root, causes rank by confidence, then by how
 * specific their evidence is. When the top two cannot be separated by the inputs, both say so and say
 * what would tell them apart.
 */
import type { Cause, CauseKind, Confidence } from '../../model.ts';
import type { AlignedRow } from '../align.ts';
import { baseImageCause } from './base-image.ts';
import { buildArgCause } from './build-arg.ts';
import { cacheUnavailableCause } from './cache-unavailable.ts';
import { contextCause } from './context.ts';
import { instructionCause } from './instruction.ts';
import { noCacheCause } from './no-cache.ts';
import { upstreamRebuiltCauses } from './upstream-rebuilt.ts';
import type { Candidate, PairView } from './view.ts';

const RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/** How a tie names the other cause. Every kind is listed, so a new kind cannot be named by its id. */
const KIND_NAME: Record<CauseKind, string> = {
  'context-changed': 'a changed context file',
  'build-arg-changed': 'a changed build arg',
  'instruction-changed': 'an edited Dockerfile',
  'base-image-changed': 'a new base image',
  'cache-unavailable': 'a cache that was not available (pruned, another builder, failed import)',
  'no-cache': '--no-cache',
  'upstream-rebuilt': 'a rebuilt stage it copies from',
  none: 'an unknown cause',
};

function byRank(a: Candidate, b: Candidate): number {
  return RANK[b.confidence] - RANK[a.confidence] || b.weight - a.weight;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The ranked causes of one root miss. */
export function causesForRoot(v: PairView, root: AlignedRow): Cause[] {
  const content = [contextCause(v, root), buildArgCause(v, root), instructionCause(v, root), baseImageCause(v, root)];
  const contentCandidates = content.flatMap((f) => f.candidates);
  const availability = [cacheUnavailableCause(v, root, contentCandidates), noCacheCause(v, root, contentCandidates)];
  const findings = [...content, ...availability];
  const ranked = findings.flatMap((f) => f.candidates).sort(byRank);

  // One cause per kind: keep the best of each.
  const seen = new Set<string>();
  const unique = ranked.filter((c) => (seen.has(c.kind) ? false : (seen.add(c.kind), true)));

  // A proven change of the step's inputs misses it on any builder: a missing cache then adds nothing.
  if (contentCandidates.some((c) => c.confidence === 'high')) {
    for (const c of unique) {
      if (c.kind === 'cache-unavailable' && c.confidence !== 'low') {
        c.confidence = 'low';
        c.summary = `${c.summary} Its changed inputs would have missed it anyway.`;
      }
    }
    unique.sort(byRank);
  }

  // A specific, high-confidence cause makes the weaker suspicions of other kinds noise; keep them low.
  const top = unique[0];
  if (top && top.confidence === 'high') {
    for (const c of unique.slice(1)) if (c.confidence === 'medium' && c.kind !== top.kind) c.confidence = 'low';
  }

  const second = unique[1];
  if (top && second && top.confidence === 'high' && second.confidence === 'high') {
    // Both are established (e.g. an edited line built with --no-cache): either alone misses the step.
    top.summary = `${top.summary} ${capitalise(KIND_NAME[second.kind])} applies too: either alone misses this step.`;
  } else if (top && second && top.confidence === second.confidence) {
    const tell = [top.to_tell_apart, second.to_tell_apart].filter((t): t is string => !!t);
    const combined = [...new Set(tell)].join('; ');
    top.summary = `${top.summary} The inputs cannot tell this apart from ${KIND_NAME[second.kind]}.`;
    second.summary = `${second.summary} The inputs cannot tell this apart from ${KIND_NAME[top.kind]}.`;
    if (combined) {
      top.to_tell_apart = combined;
      second.to_tell_apart = combined;
    }
  }

  // What was ruled out is evidence for what remains.
  const ruledOut = findings.flatMap((f) => f.ruledOut).map((r) => `ruled out: ${r}`);
  if (top) top.evidence = [...top.evidence, ...ruledOut];

  // Next to an established cause, weak suspicions are noise: list them only when nothing is established.
  const listed = top?.confidence === 'high' ? unique.filter((c) => c.confidence !== 'low') : unique;
  return listed.map(({ weight: _weight, ...cause }) => cause);
}

/** Causes of every root miss in Dockerfile order, then the stage-crossing cascades. */
export function rankCauses(v: PairView): Cause[] {
  const causes = v.misses.roots.flatMap((root) => causesForRoot(v, root));
  const crossing = upstreamRebuiltCauses(v).map(({ weight: _weight, ...cause }) => cause);
  return [...causes, ...crossing];
}
