/**
 * The one-sentence answer: which step missed first, why, and what it dragged along.
 */
import type { BuildTrace, Cause, Diagnosis } from '../model.ts';
import type { Alignment, AlignedRow } from './align.ts';
import type { PairMisses } from './misses.ts';
import { argValuesText, changedBuildArgs } from './causes/build-arg.ts';
import type { PairView } from './causes/view.ts';
import { fileChangePhrase } from './evidence.ts';

function stepTitle(row: AlignedRow): string {
  const pos = row.total ? `${row.index}/${row.total}` : `${row.index}`;
  return row.stage ? `Step [${row.stage} ${pos}] \`${row.instruction}\`` : `Step ${pos} \`${row.instruction}\``;
}

/** A kind added to `CauseKind` without its phrase here fails to compile (`never`). */
function unknownKind(kind: never): string {
  return `of ${String(kind)}`;
}

function becausePhrase(cause: Cause): string {
  switch (cause.kind) {
    case 'context-changed': {
      const files = cause.files ?? [];
      if (files.length === 0) return 'a file it copies from the context probably changed (give both contexts to name it)';
      const first = files.slice(0, 2).map(fileChangePhrase).join(' and ');
      return files.length > 2 ? `${first} (${files.length} files in all)` : first;
    }
    case 'build-arg-changed':
      return buildArgPhrase(cause);
    case 'instruction-changed':
      return instructionPhrase(cause);
    case 'base-image-changed':
      return 'its base image changed';
    case 'cache-unavailable':
      return 'the cached result was not available (pruned, garbage-collected, another builder, or a failed cache import), although its inputs did not change';
    case 'no-cache':
      return 'the build ran with --no-cache';
    case 'upstream-rebuilt':
      return 'the stage it copies from rebuilt';
    case 'none':
      return 'of something the inputs do not show';
    default:
      return unknownKind(cause.kind);
  }
}

/** Rendered from the cause's sub-kind and args (never from its summary, whose wording is free). */
function buildArgPhrase(cause: Cause): string {
  const args = cause.args ?? [];
  const [only] = args;
  if (cause.sub_kind === 'arg-value' && only) return `the build arg ${only.name} changed (${argValuesText(only)})`;
  if (cause.sub_kind === 'arg-expanded' && args.length > 0)
    return `the build arg behind ${args.map((a) => `$${a.name}`).join(', ')} changed (the log shows its value changing)`;
  return 'a build arg it depends on changed';
}

function instructionPhrase(cause: Cause): string {
  switch (cause.sub_kind) {
    case 'heredoc-edited':
    case 'heredoc-suspected':
      return 'its heredoc body was edited (only the Dockerfile shows it)';
    case 'earlier-line':
    case 'env-line':
      return 'an ENV/ARG line before it was edited';
    default:
      return 'its Dockerfile line was edited';
  }
}

/** The causes the verdict words: the first root miss's own (a crossing stage is the cascade's story). */
function causesOfFirst(misses: PairMisses, causes: Cause[]): Cause[] {
  const first = misses.roots[0];
  if (!first) return [];
  return causes.filter((c) => c.step?.stage === first.stage && c.step?.index === first.index && c.kind !== 'upstream-rebuilt');
}

/** The verdict's phrase for this cause is all its summary says: one changed file, and nothing sent with it to add. */
function phraseIsWhole(cause: Cause): boolean {
  return cause.kind === 'context-changed' && cause.sub_kind === 'files-changed' && cause.files?.length === 1 && (cause.build_files ?? []).length === 0;
}

/**
 * The cause whose every fact the verdict states, so that a short post does not repeat it. Two causes of
 * equal confidence are both named, and each summary then says how they relate (words the verdict does not
 * repeat), except the second of two established causes, whose summary is left as it is.
 */
export function verdictStates(misses: PairMisses, causes: Cause[]): Diagnosis['verdict_states'] {
  const [top, second] = causesOfFirst(misses, causes);
  if (!top) return undefined;
  const stated = second && second.confidence === top.confidence ? (top.confidence === 'high' ? second : null) : top;
  return stated && phraseIsWhole(stated) ? { kind: stated.kind, step: stated.step } : undefined;
}

export function missVerdict(v: PairView, misses: PairMisses, causes: Cause[], builds: number): string {
  const first = misses.roots[0];
  if (!first) return noMissVerdict(v, builds);
  const [top, second] = causesOfFirst(misses, causes);
  let because = top ? becausePhrase(top) : 'of something the inputs do not show';
  if (top && second && top.confidence === 'high' && second.confidence === 'high') because = `${because}, and ${becausePhrase(second)} (either alone misses it)`;
  else if (top && second && top.confidence === second.confidence) because = `${because}, or ${becausePhrase(second)} — the inputs cannot tell which`;
  const cascade = [...misses.becauseOf.entries()].filter(([, root]) => root === first).length;
  const after = cascade > 0 ? `; the ${cascade === 1 ? 'step' : `${cascade} steps`} after it ${cascade === 1 ? 'was' : 'were'} rebuilt because of it` : '';
  const others = misses.roots.slice(1);
  const otherText =
    others.length > 0
      ? `; ${others.length === 1 ? 'one other step' : `${others.length} other steps`} missed on ${others.length === 1 ? 'its' : 'their'} own (${others.map((r) => stepTitle(r).replace(/^Step /, '')).join(', ')})`
      : '';
  const failed = v.al.rows.find((r) => r.statuses[v.later] === 'error');
  const failure = !failed ? '' : failed === first ? '; it then failed' : `; the build then failed at ${stepTitle(failed).replace(/^Step /, '')}`;
  const pair = v.later !== builds - 1 || v.earlier !== builds - 2 ? ` (between ${v.traceE.source} and ${v.traceL.source})` : '';
  return `${stepTitle(first)} missed${pair} because ${because}${after}${otherText}${failure}.`;
}

export function noMissVerdict(v: PairView, builds: number): string {
  const cached = v.al.rows.filter((r) => r.keyword !== 'FROM' && r.statuses[v.later] === 'cached').length;
  const ignored = changedBuildArgs(v).filter(
    (c) => !(v.planL ?? v.planE)?.steps.some((s) => c.name in s.args) && !(c.name in ((v.planL ?? v.planE)?.globalArgs ?? {})),
  );
  const args =
    ignored.length > 0 && (v.planL ?? v.planE)
      ? ` The build arg${ignored.length > 1 ? 's' : ''} ${ignored.map((c) => c.name).join(', ')} changed, but no stage declares ${ignored.length > 1 ? 'them' : 'it'}, so ${ignored.length > 1 ? 'they' : 'it'} cannot change a cache key.`
      : '';
  const pair = builds > 2 ? ` between ${v.traceE.source} and ${v.traceL.source}` : '';
  // Steps that ran in the later build without having been CACHED before: no hit was lost, but the
  // user still sees a rebuild — say why that is not a miss, and what "no cache at all" points to.
  const ran = v.al.rows.filter((r) => r.keyword !== 'FROM' && (r.statuses[v.later] === 'built' || r.statuses[v.later] === 'error'));
  const firstRan = ran[0];
  if (!firstRan)
    return `No step missed${pair}: every step CACHED in ${v.traceE.source} was CACHED in ${v.traceL.source} too (${cached} CACHED).${args}${earlierRebuilt(v)}`;
  const noCacheAnywhere = cached === 0 && !v.al.rows.some((r) => r.keyword !== 'FROM' && r.statuses[v.earlier] === 'cached');
  const why = noCacheAnywhere
    ? ` Neither build used the cache at all: a fresh builder or CI runner, a pruned cache, --no-cache, or no --cache-from to import one.`
    : '';
  return `No step missed${pair}: the ${ran.length === 1 ? 'step' : `${ran.length} steps`} that ran in ${v.traceL.source} (from ${stepTitle(firstRan).replace(/^Step /, '')}) ${ran.length === 1 ? 'was' : 'were'} not CACHED in ${v.traceE.source} either, so no cached result was lost${cached > 0 ? ` (${cached} CACHED)` : ''}.${why}${args}`;
}

/**
 * The earlier log rebuilt steps that the later one found CACHED: the question is probably about the earlier
 * log (logs given in the wrong order, or the rebuild the user means came first), so say how to ask it.
 */
function earlierRebuilt(v: PairView): string {
  const rows = v.al.rows.filter((r) => r.keyword !== 'FROM');
  const rebuilt = rows.filter((r) => r.statuses[v.earlier] === 'built' && r.statuses[v.later] === 'cached');
  if (rebuilt.length === 0) return '';
  const n = rebuilt.length === 1 ? 'step' : `${rebuilt.length} steps`;
  return ` ${v.traceE.source} itself rebuilt ${n} from ${stepTitle(rebuilt[0]!).replace(/^Step /, '')}: to ask why, give the log of the build before it first (logs go earlier build first).`;
}

export function singleBuildVerdict(al: Alignment, trace: BuildTrace): string {
  const steps = al.rows.filter((r) => r.keyword !== 'FROM' && r.statuses[0] !== null);
  const ran = steps.filter((r) => r.statuses[0] === 'built' || r.statuses[0] === 'error');
  const cached = steps.filter((r) => r.statuses[0] === 'cached');
  const firstRan = ran[0];
  if (!firstRan)
    return `One build (${trace.source}): all ${cached.length} steps after FROM were CACHED. Give the log of a build that rebuilt to learn why it missed.`;
  return `One build (${trace.source}): ${ran.length} of ${steps.length} steps ran and ${cached.length} were CACHED; the first step that ran is ${stepTitle(firstRan).replace(/^Step /, 'step ')}. Give the log of an earlier, cached build to learn why it missed.`;
}
