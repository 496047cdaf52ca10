/**
 * `cache-unavailable`: the step's key did not change, but BuildKit no longer had (or could not reach)
 * the result: a prune or garbage collection, another builder or CI runner, a cache import that failed
 * or was not configured.
 *
 * The strongest evidence a log can give is the vertex digest: for a step with no build context upstream,
 * the same `#N sha256:` in both builds means the same op on the same inputs, hence the same cache key —
 * so a miss there is the cache's absence, not a change.
 */
import type { AlignedRow } from '../align.ts';
import { rowLabel } from '../align.ts';
import { shortDigest } from '../evidence.ts';
import { printedCached, printedWord } from '../printed.ts';
import { bytes } from '../text.ts';
import { contextUpstream, fromRowOf, readsContext } from '../upstream.ts';
import { baseFacts } from './base-image.ts';
import type { Candidate, Finding, PairView } from './view.ts';
import { missEvidence, stepName, stepRefOf } from './view.ts';

export const TELL_CACHE_APART =
  '`docker buildx du --verbose` (or `docker system df -v`) on the builder shows whether the records of the good build still exist; `docker buildx history ls` (buildx ≥ 0.20) or the CI job shows which builder and runner each build used';

/** What the logs and commands say about the cache being there: kept as each check finds it. */
interface Signals {
  evidence: string[];
  reasons: string[];
  /** One finding alone makes a lost cache established (another builder, an import that was not asked for). */
  strong: boolean;
  /** How much the rest supports it (a failed import, a re-sent context, an equal digest). */
  support: number;
}

export function cacheUnavailableCause(v: PairView, root: AlignedRow, content: Candidate[]): Finding {
  const sig: Signals = { evidence: [...missEvidence(v, root)], reasons: [], strong: false, support: 0 };
  builderSignals(v, sig);
  digestSignal(v, root, sig);
  const failedImports = importSignals(v, root, sig);
  transferSignal(v, root, sig);
  fromSignal(v, root, sig);
  const { evidence, reasons, strong, support } = sig;
  const contentHigh = content.some((c) => c.confidence === 'high');
  if (contentHigh && !strong && failedImports === 0) return { candidates: [], ruledOut: [] };

  // A suspected moved base tag is the same observation as a missing cache (nothing but the rebuild),
  // so it does not make this cause less likely; the other content causes do.
  const contentSuspect = content.some((c) => c.confidence !== 'low' && !(c.kind === 'base-image-changed' && c.confidence !== 'high'));
  const confidence = strong ? 'high' : contentHigh ? 'low' : support >= 1 ? 'medium' : contentSuspect ? 'low' : 'medium';
  const why = reasons.length > 0 ? ` (${[...new Set(reasons)].join('; ')})` : '';
  return {
    candidates: [
      {
        kind: 'cache-unavailable',
        confidence,
        step: stepRefOf(root),
        summary: `${stepName(root)} missed although its inputs show no change: the cached result was not available to this build — pruned or garbage-collected, another builder or runner, or a cache import that failed${why}.`,
        evidence,
        to_tell_apart: TELL_CACHE_APART,
        weight: 4 + support,
      },
    ],
    ruledOut: [],
  };
}

function builderSignals(v: PairView, sig: Signals): void {
  const bE = v.traceE.builder;
  const bL = v.traceL.builder;
  if ((bE.name && bL.name && bE.name !== bL.name) || (bE.driver && bL.driver && bE.driver !== bL.driver)) {
    sig.strong = true;
    sig.reasons.push('the builds ran on different builders');
    sig.evidence.push(
      `builder: "${bE.name ?? '?'}" (${bE.driver ?? '?'} driver) in ${v.traceE.source} → "${bL.name ?? '?'}" (${bL.driver ?? '?'} driver) in ${v.traceL.source}`,
    );
  }

  if ((v.traceE.format === 'legacy') !== (v.traceL.format === 'legacy')) {
    sig.strong = true;
    sig.reasons.push('one build used the legacy builder and the other BuildKit, which share no cache');
    sig.evidence.push(
      `${v.traceE.source} was built by ${v.traceE.format === 'legacy' ? 'the legacy builder' : 'BuildKit'}, ${v.traceL.source} by ${v.traceL.format === 'legacy' ? 'the legacy builder' : 'BuildKit'}: their caches are separate`,
    );
  }
}

function digestSignal(v: PairView, root: AlignedRow, sig: Signals): void {
  const dE = root.logs[v.earlier]?.digest ?? null;
  const dL = root.logs[v.later]?.digest ?? null;
  const noContext = !contextUpstream(v.al, root, v.later);
  const base = baseFacts(v.al, v, root);
  const baseSettled = base.pinned || (base.digestE !== null && base.digestE === base.digestL) || (base.imageIdE !== null && base.imageIdE === base.imageIdL);
  if (dE && dL && dE === dL && noContext) {
    // With the base settled, nothing else is left: the key was the same. With an unpinned local tag the
    // FROM op does not change either when the tag moves, so the digest supports both readings equally.
    sig.support += 1;
    if (baseSettled || !fromRowOf(v.al, root, v.later)) sig.strong = true;
    sig.evidence.push(
      baseSettled
        ? `${rowLabel(root)} has the same vertex digest ${shortDigest(dL)} in both logs and no build context upstream: same op, same inputs, same cache key — BuildKit just did not find it`
        : `${rowLabel(root)} has the same vertex digest ${shortDigest(dL)} in both logs and no build context upstream: same op on the same inputs — the same cache key unless the base tag now names another image (a moved local tag does not change this digest)`,
    );
  }
}

/** Failed cache imports and missing `--cache-from`; returns how many imports failed in the later build. */
function importSignals(v: PairView, root: AlignedRow, sig: Signals): number {
  const failedL = v.traceL.cacheImports.filter((c) => c.ok === false);
  const failedE = v.traceE.cacheImports.filter((c) => c.ok === false);
  for (const c of failedL) {
    sig.support += 1;
    sig.reasons.push('a cache import failed');
    sig.evidence.push(`${v.traceL.source}: importing cache manifest from ${c.ref} → ERROR${c.error ? `: ${c.error}` : ''}`);
  }
  if (failedL.length > 0 && failedE.length > 0 && root.statuses[v.earlier] === 'cached') {
    sig.evidence.push(
      `the import failed in ${v.traceE.source} too, which was CACHED from the builder's local cache anyway: the failed import alone does not explain the miss — the local cache was gone (pruned or garbage-collected)`,
    );
  }
  if (v.commandL && v.commandL.cache_from.length === 0 && !(v.commandE && v.commandE.cache_from.length > 0)) {
    // Not a cause by itself, but it decides whether anything but the local cache could have served it.
    sig.evidence.push(`${v.traceL.source}'s command has no --cache-from: only the builder's local cache could serve it (a fresh CI runner has none)`);
  }
  if (v.commandE && v.commandL && v.commandE.cache_from.length > 0 && v.commandL.cache_from.length === 0) {
    sig.strong = true;
    sig.reasons.push('the later build imports no cache');
    sig.evidence.push(`${v.traceE.source} used --cache-from ${v.commandE.cache_from.join(', ')}; ${v.traceL.source} has no --cache-from`);
  }
  return failedL.length;
}

function transferSignal(v: PairView, root: AlignedRow, sig: Signals): void {
  // fsutil sends only what the builder lacks: a context re-sent in full means its copy was dropped too.
  const tE = v.traceE.transfers.context;
  const tL = v.traceL.transfers.context;
  const contextUnchanged = v.diffs !== null && v.diffs.every((d) => !d.changed);
  // Without the contexts, a bigger transfer is just as likely a changed file — unless the step that
  // missed does not read the context at all.
  if (tE !== null && tL !== null && tL > tE && (contextUnchanged || (v.diffs === null && !readsContext(root, v.later)))) {
    // The one trace a prune leaves that a moved base tag does not: weigh it above the base suspicion.
    sig.support += 3;
    sig.reasons.push('the builder had lost its copy of the context');
    sig.evidence.push(
      `transferring context: ${bytes(tE)} → ${bytes(tL)}: the builder asked for more of the context than last time, as after a prune or GC of its copy (touched files do this too)`,
    );
  }
}

function fromSignal(v: PairView, root: AlignedRow, sig: Signals): void {
  const fromRow = fromRowOf(v.al, root, v.later);
  const fromCachedL = fromRow ? (fromRow.allLogs[v.later]?.some(printedCached) ?? false) : false;
  const fromStep = fromRow?.logs[v.later] ?? null;
  if (fromStep && !fromCachedL) sig.evidence.push(`${v.traceL.source}: the FROM printed ${printedWord(fromStep)}, not CACHED, as it does after a prune`);
  if (fromCachedL) {
    sig.support -= 1;
    sig.evidence.push(`${v.traceL.source}: the FROM printed CACHED, so the builder still had cache records for it — less likely a prune`);
  }
}
