/**
 * Time lost: what each root miss cost the later build — the root step and every step of its cascade,
 * timed by the later log's own durations (`DONE 12.7s`). A CACHED step costs (almost) nothing, so the
 * rebuild time is the loss. Some logs print no durations (the tty view cut short, legacy builder): the
 * steps without one are counted apart, never guessed.
 */
import type { Diagnosis, DiagnosisStep, StepRef, TimeLost } from '../model.ts';

export function timeLost(d: Pick<Diagnosis, 'root_misses' | 'steps'>, later: number): TimeLost[] {
  return d.root_misses.map((root) => {
    const rows = d.steps.filter((row) => belongsTo(row, root));
    const times = rows.map((row) => row.duration_by_build?.[later] ?? null);
    const known = times.filter((t): t is number => t !== null);
    return {
      root: { stage: root.stage, index: root.index },
      // Tenths, as the logs print them: a sum of floats would show 0.30000000000000004.
      seconds: known.length === 0 ? null : Math.round(known.reduce((a, b) => a + b, 0) * 10) / 10,
      steps: rows.length,
      untimed: times.length - known.length,
    };
  });
}

function belongsTo(row: DiagnosisStep, root: StepRef): boolean {
  if (row.role === 'root-miss') return same(row, root);
  return row.role === 'cascade' && !!row.because_of && same(row.because_of, root);
}

function same(a: StepRef, b: StepRef): boolean {
  return a.stage === b.stage && a.index === b.index;
}

/** The whole loss of a diagnosis: seconds over every root, and whether some step had no duration. */
export function totalTimeLost(list: TimeLost[]): { seconds: number | null; steps: number; untimed: number } {
  const timed = list.filter((t) => t.seconds !== null);
  const seconds = timed.length === 0 ? null : Math.round(timed.reduce((a, t) => a + (t.seconds ?? 0), 0) * 10) / 10;
  return { seconds, steps: list.reduce((a, t) => a + t.steps, 0), untimed: list.reduce((a, t) => a + t.untimed, 0) };
}
