/**
 * Time lost, in words (the diagnosis holds only the numbers, `Diagnosis.time_lost`): one sentence that
 * the verdict of every output (Markdown, plain summary, the app, the CI gate) ends with.
 */
import { totalTimeLost } from '../explain/time-lost.ts';
import type { Report, TimeLost } from '../model.ts';

/** `0.9 s`, `1 min 05 s`: precise enough to compare builds, short enough for a verdict. */
export function seconds(value: number): string {
  if (value < 60) return `${Math.round(value * 10) / 10} s`;
  const whole = Math.round(value);
  return `${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
}

/** The time-lost facts of a report, when its diagnosis has any (old reports and no-miss answers have none). */
export function timeLostOf(report: Report): TimeLost[] {
  const list = report.diagnosis?.time_lost;
  return Array.isArray(list) ? list : [];
}

/** Source of the later build compared, whose durations the loss is taken from. */
function laterSource(report: Report): string {
  const later = report.diagnosis?.compared?.later ?? report.builds.length - 1;
  return report.builds[later]?.source ?? 'the later log';
}

/**
 * `Rebuilding it and the 32 steps after it took 0.9 s in b.log.`; null when nothing missed. Steps the
 * log gives no duration for are said, not guessed.
 */
export function timeLostSentence(report: Report): string | null {
  const list = timeLostOf(report);
  if (list.length === 0) return null;
  const total = totalTimeLost(list);
  const source = laterSource(report);
  const cascade = total.steps - list.length;
  // The verdict before it has just named the root(s) and the steps dragged along.
  const what =
    list.length === 1 ? (cascade > 0 ? 'That rebuild' : 'Rebuilding it') : `Rebuilding the ${list.length} root misses and the ${cascade} steps after them`;
  if (total.seconds === null) return `${source} prints no step durations, so the time lost is unknown.`;
  const partial = total.untimed > 0 ? ` (${total.untimed} of the ${total.steps} steps have no duration in the log)` : '';
  return `${what} took ${total.untimed > 0 ? 'at least ' : ''}${seconds(total.seconds)} in ${source}${partial}.`;
}
