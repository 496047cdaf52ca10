/**
 * `no-cache`: the later build was asked not to use the cache (`--no-cache`, or `--no-cache-filter` on the
 * step's stage).
 *
 * `--no-cache` leaves no line in a log. What it leaves is a pattern: every step runs, yet the FROM prints
 * CACHED (its cache record is still there; after a prune it prints DONE). With the build command the
 * flag settles it; without, the pattern makes it a suspect when nothing else explains the miss.
 */
import type { AlignedRow } from '../align.ts';
import { printedCached } from '../printed.ts';
import { fromRowOf } from '../upstream.ts';
import type { Candidate, Finding, PairView } from './view.ts';
import { logLineOf, missEvidence, stepName, stepRefOf } from './view.ts';

export function noCacheCause(v: PairView, root: AlignedRow, content: Candidate[]): Finding {
  const name = stepName(root);
  const step = stepRefOf(root);
  const cmd = v.commandL;
  if (cmd) {
    if (cmd.no_cache) {
      return {
        candidates: [
          {
            kind: 'no-cache',
            confidence: 'high',
            step,
            sub_kind: 'no-cache-flag',
            summary: `${name} missed because ${v.traceL.source} was built with --no-cache, which runs every step again.`,
            evidence: [`${v.traceL.source}: ${cmd.text}`, '--no-cache', ...missEvidence(v, root)],
            weight: 10,
          },
        ],
        ruledOut: [],
      };
    }
    const stageName = root.stage ?? v.al.plans[v.later]?.stages.find((s) => s.position === root.stagePosition)?.name ?? null;
    if (stageName && cmd.no_cache_filter.includes(stageName)) {
      return {
        candidates: [
          {
            kind: 'no-cache',
            confidence: 'high',
            step,
            sub_kind: 'no-cache-filter',
            summary: `${name} missed because ${v.traceL.source} was built with --no-cache-filter ${stageName}, which runs that stage again.`,
            evidence: [`${v.traceL.source}: ${cmd.text}`, `--no-cache-filter ${stageName}`, ...missEvidence(v, root)],
            weight: 10,
          },
        ],
        ruledOut: [],
      };
    }
    return { candidates: [], ruledOut: [`${v.traceL.source}'s build command has no --no-cache`] };
  }

  // No command: look for the pattern. Every step ran and the FROM still printed CACHED.
  const stepsL = v.al.rows.filter((r) => r.keyword !== 'FROM' && r.statuses[v.later] !== null);
  const everyStepRan = stepsL.length > 0 && stepsL.every((r) => r.statuses[v.later] !== 'cached');
  const fromRow = fromRowOf(v.al, root, v.later);
  const fromCached = fromRow?.allLogs[v.later]?.some(printedCached) ?? false;
  // One step is no pattern (a pasted excerpt shows a step or two): ask for a few.
  if (!everyStepRan || stepsL.length < 2 || !fromCached || !fromRow) return { candidates: [], ruledOut: [] };
  const strongerElsewhere = content.some((c) => c.confidence !== 'low');
  return {
    candidates: [
      {
        kind: 'no-cache',
        confidence: strongerElsewhere ? 'low' : 'medium',
        step,
        sub_kind: 'no-cache-pattern',
        summary: `${name} missed and so did every other step, while the FROM printed CACHED: the pattern --no-cache leaves (it prints no line of its own); a pruned cache would make the FROM print DONE.`,
        evidence: [
          ...[logLineOf(v, fromRow, 'later')].filter((x): x is string => x !== null),
          `${v.traceL.source}: none of its ${stepsL.length} steps after FROM is CACHED`,
          ...missEvidence(v, root),
        ],
        to_tell_apart: 'the build command of the later build (look for --no-cache), or `docker buildx history inspect` of it (Config.NoCache)',
        weight: 7,
      },
    ],
    ruledOut: [],
  };
}
