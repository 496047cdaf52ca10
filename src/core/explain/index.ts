/**
 * The diagnosis: align the builds, find the root misses and their cascade, rank the causes of each root
 * miss with evidence, explain the printed digests, suggest what would have kept the cache.
 *
 * With N logs the builds are compared in consecutive pairs (`pairs`); the diagnosis itself is about the
 * latest pair in which something missed (or the last pair when nothing did). With one log it reports
 * what one log can show: which steps ran, and what their digests mean.
 */
import type {
  BuildCommand,
  BuildPlan,
  BuildTrace,
  Cause,
  ContextIndex,
  Diagnosis,
  DiagnosisStep,
  SourceDiff,
  StepContentKey,
  StepId,
  Warning,
} from '../model.ts';
import { contentKeys } from '../context/index.ts';
import type { Alignment, AlignedRow } from './align.ts';
import { alignBuilds } from './align.ts';
import { rankCauses } from './causes/index.ts';
import type { PairView } from './causes/view.ts';
import { diffPair, type PlanKeys } from './context-diff.ts';
import { hashNotes } from './hashes.ts';
import { printedCached } from './printed.ts';
import type { PairMisses } from './misses.ts';
import { findMisses } from './misses.ts';
import { suggestionsFor, warningsFor } from './suggestions.ts';
import { timeLost } from './time-lost.ts';
import { missVerdict, noMissVerdict, singleBuildVerdict, verdictStates } from './verdict.ts';

export interface DiagnoseInput {
  /** Build logs, read, in chronological order. */
  traces: BuildTrace[];
  /** Dockerfiles: none, one shared by every build, or one per build (in order). */
  plans: BuildPlan[];
  /** The build command of each build, when known (else the one found inside its log is used). */
  commands?: (BuildCommand | null)[];
  /** The build context of each build, when given. */
  contexts?: (ContextIndex | null)[];
  /**
   * Context diffs already computed, per consecutive pair (entry i compares build i and i+1). When absent,
   * they are computed from `contexts` and the Dockerfiles.
   */
  contextDiffs?: (SourceDiff[] | null)[];
  /**
   * Content keys already computed per build (`contentKeys(context, plan)`), with the plan they were
   * computed for: reused by the context diff and the hash notes when the plan is the one they use.
   */
  contentKeys?: (PlanKeys | null)[];
}

function stepId(row: AlignedRow): StepId {
  return { stage: row.stage, index: row.index, instruction: row.instruction };
}

function commandsPerBuild(input: DiagnoseInput): (BuildCommand | null)[] {
  return input.traces.map((t, i) => input.commands?.[i] ?? t.commands[0] ?? null);
}

function emptyDiagnosis(verdict: string): Diagnosis {
  return { first_miss: null, root_misses: [], steps: [], causes: [], verdict };
}

export function diagnose(input: DiagnoseInput): Diagnosis {
  const { traces } = input;
  if (traces.length === 0)
    return emptyDiagnosis('No build log was given: give the log of the build that rebuilt, and one of a build before it that was cached.');

  const al = alignBuilds(traces, input.plans);
  const commands = commandsPerBuild(input);
  const contexts = traces.map((_, i) => input.contexts?.[i] ?? null);
  const warnings: Warning[] = [...new Set(al.notes)].map((message) => ({ kind: 'input', message }));
  const pairs = pairsOf(input, al, commands, contexts);
  const main = [...pairs].reverse().find((p) => p.misses.roots.length > 0) ?? pairs[pairs.length - 1] ?? null;
  const causes: Cause[] = main ? rankCauses(main.view) : [];
  const roots = main?.misses.roots ?? [];
  const suggestionInputs = { al, traces, causes, misses: main?.misses ?? null, commands, contexts };
  const diagnosis: Diagnosis = {
    first_miss: roots[0] ? stepId(roots[0]) : null,
    root_misses: roots.map(stepId),
    steps: al.rows.map((row) => diagnosisStep(row, main?.misses ?? null)),
    causes,
    hash_notes: hashNotes({
      keys: main?.view.diffs ? null : latestContentKeys(al.plans, contexts, main?.view.later ?? traces.length - 1, input.contentKeys),
      al,
      sources: traces.map((t) => t.source),
      pair: main ? { earlier: main.view.earlier, later: main.view.later } : null,
      missed: main?.misses.missed ?? new Set(),
      diffs: main?.view.diffs ?? null,
      contextSources: contexts.map((c) => c?.source ?? null),
    }),
    suggestions: suggestionsFor(suggestionInputs),
    warnings: [...warningsFor(suggestionInputs), ...warnings],
    verdict: main
      ? roots.length > 0
        ? missVerdict(main.view, main.misses, causes, traces.length)
        : noMissVerdict(main.view, traces.length)
      : singleBuildVerdict(al, traces[0]!),
  };
  const stated = main ? verdictStates(main.misses, causes) : undefined;
  if (stated) diagnosis.verdict_states = stated;
  if (traces.length > 2) {
    diagnosis.pairs = pairs.map((p) => ({
      earlier: p.view.earlier,
      later: p.view.later,
      first_miss: p.misses.roots[0] ? stepId(p.misses.roots[0]) : null,
    }));
  }
  const diffs = main?.view.diffs;
  if (diffs) diagnosis.context_diffs = diffs;
  if (main) diagnosis.compared = { earlier: main.view.earlier, later: main.view.later };
  if (main && roots.length > 0) diagnosis.time_lost = timeLost(diagnosis, main.view.later);
  return diagnosis;
}

/** Every consecutive pair of builds: its misses, and its context diff when both contexts are known. */
function pairsOf(
  input: DiagnoseInput,
  al: Alignment,
  commands: (BuildCommand | null)[],
  contexts: (ContextIndex | null)[],
): { view: PairView; misses: PairMisses }[] {
  const { traces } = input;
  const pairs: { view: PairView; misses: PairMisses }[] = [];
  for (let later = 1; later < traces.length; later++) {
    const earlier = later - 1;
    const misses = findMisses(al, earlier, later);
    const keys = { a: input.contentKeys?.[earlier] ?? null, b: input.contentKeys?.[later] ?? null };
    const view: PairView = {
      al,
      misses,
      earlier,
      later,
      traceE: traces[earlier]!,
      traceL: traces[later]!,
      planE: al.plans[earlier] ?? null,
      planL: al.plans[later] ?? null,
      commandE: commands[earlier] ?? null,
      commandL: commands[later] ?? null,
      contextE: contexts[earlier] ?? null,
      contextL: contexts[later] ?? null,
      diffs:
        input.contextDiffs?.[earlier] ?? diffPair(contexts[earlier] ?? null, contexts[later] ?? null, al.plans[earlier] ?? null, al.plans[later] ?? null, keys),
    };
    pairs.push({ view, misses });
  }
  return pairs;
}

/** One row of the step table: its statuses per build, and its role in the pair the diagnosis is about. */
function diagnosisStep(row: AlignedRow, misses: PairMisses | null): DiagnosisStep {
  const role = misses ? (misses.roles.get(row.key) ?? 'not-run') : singleRole(row);
  const because = misses?.becauseOf.get(row.key) ?? null;
  const ps = row.plans.find((p) => p) ?? null;
  return {
    stage: row.stage,
    index: row.index,
    instruction: row.instruction,
    line: ps ? ps.line : null,
    status_by_build: row.statuses,
    duration_by_build: row.logs.map((s) => s?.durationS ?? null),
    digest_by_build: row.logs.map((s) => s?.digest ?? null),
    role,
    because_of: role === 'cascade' && because ? { stage: because.stage, index: because.index } : null,
  };
}

/** The content keys of one build's context, for the hash notes when no diff is there to show both. */
function latestContentKeys(
  plans: (BuildPlan | null)[],
  contexts: (ContextIndex | null)[],
  build: number,
  known: DiagnoseInput['contentKeys'],
): { source: string; keys: StepContentKey[] } | null {
  const ctx = contexts[build] ?? null;
  const plan = plans[build] ?? null;
  if (!ctx || !plan) return null;
  const given = known?.[build];
  return { source: ctx.source, keys: given && given.plan === plan ? given.keys : contentKeys(ctx, plan) };
}

/** With one build there is no miss, only what ran. */
function singleRole(row: AlignedRow): DiagnosisStep['role'] {
  const s = row.statuses[0] ?? null;
  if (row.keyword === 'FROM') return row.allLogs[0]?.some(printedCached) ? 'cached' : s === null ? 'not-run' : 'unchanged';
  if (s === 'cached') return 'cached';
  if (s === 'built') return 'built';
  if (s === 'error') return 'error';
  return 'not-run';
}
