/**
 * What a log literally printed for a step. The log reader reports a FROM that printed `DONE` as cached
 * (it only resolved the image: nothing was rebuilt) and says so in `statusNote`; some facts depend on
 * the printed word itself — `--no-cache` makes the FROM print CACHED, a pruned cache makes it print DONE.
 */
import { FROM_RESOLVE_NOTE } from '../log/index.ts';
import type { Step } from '../model.ts';

/**
 * The step printed `CACHED` (not a FROM's `DONE` that the reader counts as cached, nor a legacy FROM).
 * The reader sets `statusNote` exactly when the status is not what the log states directly.
 */
export function printedCached(step: Step): boolean {
  return step.status === 'cached' && !step.statusNote;
}

/** The result word the log printed: `CACHED`, `DONE 12.7s`, `ERROR: …`, `CANCELED`, or `not run`. */
export function printedWord(step: Step): string {
  const done = step.durationS !== null ? `DONE ${step.durationS.toFixed(1)}s` : 'DONE';
  if (step.statusNote === FROM_RESOLVE_NOTE) return done;
  switch (step.status) {
    case 'cached':
      return printedCached(step) ? 'CACHED' : step.label.startsWith('Step ') ? 'Using cache' : done;
    case 'built':
      return done;
    case 'error':
      return step.error ? `ERROR: ${step.error}` : 'ERROR';
    case 'canceled':
      return 'CANCELED';
    default:
      return 'not run';
  }
}
