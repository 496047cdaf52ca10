/**
 * The builds one log file holds, as the build picker lists them, and the user's choice of which to
 * compare and in which order. Summaries are made in the analysis worker (from the traces it read) and
 * travel back to the page; the choice travels to the worker as that log's `pick`.
 */
import { defaultBuildOrder } from '../../core/log/build-order.ts';
import type { BuildTrace, InputProblem } from '../../core/model.ts';
import { summarizeRecord, type RecordSummary } from './record-chip.ts';

/** One build of a log, in a few numbers (small: it crosses the worker boundary). */
export interface LogBuildSummary {
  /** 1-based position in the file. */
  build: number;
  steps: number;
  cached: number;
  built: number;
  failed: number;
  /** The first Dockerfile step as the log prints it (`[1/4] FROM docker.io/lab/base:1`), null when none. */
  firstStep: string | null;
  /** When the build started, from CI timestamps or rawjson, null when the log does not say. */
  startedAt: string | null;
  truncated: boolean;
  /** What a build record carries (a `.dockerbuild`), absent for a log. */
  record?: RecordSummary;
}

/** The builds of each log given, in the order given (empty for a log that could not be read). */
export interface LogBuilds {
  name: string;
  builds: LogBuildSummary[];
}

export function summarizeBuilds(traces: BuildTrace[]): LogBuildSummary[] {
  return traces.map((trace, i) => {
    const count = (status: string) => trace.steps.filter((s) => s.status === status).length;
    const first = trace.steps[0];
    return {
      build: trace.reading?.build ?? i + 1,
      steps: trace.steps.length,
      cached: count('cached'),
      built: count('built'),
      failed: count('error'),
      firstStep: first ? `${first.label} ${first.instruction}`.trim() : null,
      startedAt: trace.startedAt ?? first?.startedAt ?? null,
      truncated: trace.truncated,
      ...(trace.record ? { record: summarizeRecord(trace) } : {}),
    };
  });
}

/**
 * The user's choice for one log: every build in the order shown, and the ones left out. The pick sent to
 * the analysis is the order without the left-out builds.
 */
export interface BuildChoice {
  order: number[];
  skipped: number[];
}

/**
 * Every build, in the order the analysis compares them when nobody picked (`starts`: each build's start
 * stamp; builds quoted out of order are put in the order they ran, as the analysis does).
 */
export function defaultChoice(count: number, starts: (string | null)[] = []): BuildChoice {
  const order = starts.length === count ? defaultBuildOrder(starts) : Array.from({ length: count }, (_, i) => i + 1);
  return { order, skipped: [] };
}

/** The choice made to fit a log of `count` builds: unknown numbers dropped, missing ones appended. */
export function fitChoice(choice: BuildChoice | undefined, count: number, starts: (string | null)[] = []): BuildChoice {
  if (!choice) return defaultChoice(count, starts);
  const order = [...new Set(choice.order.filter((n) => Number.isInteger(n) && n >= 1 && n <= count))];
  for (let n = 1; n <= count; n++) if (!order.includes(n)) order.push(n);
  return { order, skipped: choice.skipped.filter((n) => order.includes(n)) };
}

/** Moves build `n` one place up (-1) or down (+1) in the order. */
export function moveBuild(choice: BuildChoice, n: number, delta: -1 | 1): BuildChoice {
  const from = choice.order.indexOf(n);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= choice.order.length) return choice;
  const order = [...choice.order];
  order.splice(from, 1);
  order.splice(to, 0, n);
  return { ...choice, order };
}

export function toggleBuild(choice: BuildChoice, n: number, on: boolean): BuildChoice {
  const skipped = choice.skipped.filter((s) => s !== n);
  return { ...choice, skipped: on ? skipped : [...skipped, n] };
}

/**
 * The `pick` to send for a log: undefined when every build is compared in file order (the default), the
 * picked builds in order otherwise. A choice that picks nothing, or numbers the log does not hold, is
 * ignored with a note rather than sent.
 */
export function pickOf(name: string, choice: BuildChoice | undefined, count: number): { pick: number[] | undefined; note: InputProblem | null } {
  // No choice, or a log whose builds are not known (yet, or no longer): all its builds.
  if (!choice || count < 1) return { pick: undefined, note: null };
  const unknown = [...choice.order, ...choice.skipped].filter((n) => !Number.isInteger(n) || n < 1 || n > count);
  const pick = choice.order.filter((n, i) => !choice.skipped.includes(n) && !unknown.includes(n) && choice.order.indexOf(n) === i);
  if (pick.length === 0) {
    return {
      pick: undefined,
      note: { input: name, message: `No build of ${name} is ticked, so all ${count} are compared.`, hint: 'Tick the builds to compare.' },
    };
  }
  const note: InputProblem | null =
    unknown.length > 0
      ? { input: name, message: `${name} holds ${count} build${count === 1 ? '' : 's'}; the choice of build ${unknown.join(', ')} was ignored.` }
      : null;
  const isDefault = pick.length === count && pick.every((n, i) => n === i + 1);
  return { pick: isDefault ? undefined : pick, note };
}

/** "4 steps: 3 cached, 1 built" for a picker row. */
export function summaryWords(s: LogBuildSummary): string {
  const parts = [`${s.cached} cached`, `${s.built} built`];
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  const steps = `${s.steps} step${s.steps === 1 ? '' : 's'}`;
  return s.steps === 0 ? 'no Dockerfile step' : `${steps}: ${parts.join(', ')}${s.truncated ? ' (log cut)' : ''}`;
}

/** `2025-03-09T15:44:13.087Z` → `2025-03-09 15:44:13`; anything else as written. */
export function timeWords(iso: string | null): string | null {
  if (!iso) return null;
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

/**
 * The chip words for each log, given how many builds of each take part (in log order): builds are numbered
 * across the logs, so a log of two builds after a log of one is "log of builds 2–3".
 */
export function logChipWords(counts: number[]): string[] {
  let next = 1;
  return counts.map((count) => {
    const n = Math.max(1, count);
    const first = next;
    next += n;
    return n === 1 ? `log of build ${first}` : `log of builds ${first}–${first + n - 1}`;
  });
}

/** How many builds of a log take part: the picked ones, else all it holds (1 while unknown). */
export function buildsTakingPart(choice: BuildChoice | undefined, builds: LogBuildSummary[] | undefined): number {
  const count = builds?.length ?? 0;
  if (count < 1) return 1;
  return pickOf('', choice, count).pick?.length ?? count;
}
