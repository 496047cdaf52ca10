/**
 * Root misses and cascade for one pair of builds (earlier → later).
 *
 * A step *missed* when it was CACHED in the earlier build and ran (or failed, or was cancelled while
 * running) in the later one. A missed step is a *root* when none of the steps its key is built from
 * (upstream.ts) ran in the later build: its own inputs changed, or the cache could not serve it.
 * Every other missed step is *cascade* and names the root it follows.
 *
 * Direct inputs are enough: a CACHED upstream step kept its key, so anything below it that missed
 * did so for its own reasons. That is also why a builder stage that rebuilt to an identical output
 * does not cascade: `COPY --from` is keyed by the content it copies, stays CACHED, and what follows it
 * is judged on its own.
 */
import type { StepRole, StepStatus } from '../model.ts';
import type { Alignment, AlignedRow } from './align.ts';
import { byDockerfileOrder } from './align.ts';
import { printedCached } from './printed.ts';
import { directUpstream } from './upstream.ts';

export interface PairMisses {
  earlier: number;
  later: number;
  /** Keys of the rows that missed. */
  missed: Set<string>;
  roles: Map<string, StepRole>;
  /** For cascade rows: the root miss (or rebuilt step) they follow. */
  becauseOf: Map<string, AlignedRow | null>;
  /** Root misses in Dockerfile order. */
  roots: AlignedRow[];
}

const RAN: StepStatus[] = ['built', 'error', 'canceled'];

/** A FROM's DONE/CACHED says whether its result was needed, not whether the image changed. */
function ranInBuild(row: AlignedRow, build: number): boolean {
  const s = row.statuses[build] ?? null;
  return row.keyword !== 'FROM' && s !== null && RAN.includes(s);
}

export function isMissed(row: AlignedRow, earlier: number, later: number): boolean {
  const before = row.statuses[earlier];
  return row.keyword !== 'FROM' && (before === 'cached' || before === 'built') && ranInBuild(row, later);
}

export function findMisses(al: Alignment, earlier: number, later: number): PairMisses {
  const missed = new Set(al.rows.filter((r) => isMissed(r, earlier, later)).map((r) => r.key));
  const becauseOf = new Map<string, AlignedRow | null>();
  const rootOf = new Map<string, AlignedRow | null>();

  // The root a rebuilt step traces back to: itself when none of its inputs ran, else its first input's root.
  const traceRoot = (row: AlignedRow, seen: Set<string>): AlignedRow | null => {
    if (rootOf.has(row.key)) return rootOf.get(row.key) ?? null;
    if (seen.has(row.key)) return null;
    seen.add(row.key);
    const ranInputs = directUpstream(al, row, later)
      .filter((dep) => ranInBuild(dep, later))
      .sort(byDockerfileOrder);
    let root: AlignedRow | null = row;
    const first = ranInputs[0];
    if (first) root = traceRoot(first, seen) ?? first;
    rootOf.set(row.key, root);
    return root;
  };

  const roles = new Map<string, StepRole>();
  const roots: AlignedRow[] = [];
  for (const row of al.rows) {
    if (missed.has(row.key)) {
      const root = traceRoot(row, new Set());
      if (root === row) {
        roles.set(row.key, 'root-miss');
        roots.push(row);
      } else {
        roles.set(row.key, 'cascade');
        becauseOf.set(row.key, root);
      }
      continue;
    }
    roles.set(row.key, plainRole(row, later));
  }
  return { earlier, later, missed, roles, becauseOf, roots: roots.sort(byDockerfileOrder) };
}

/** The role of a step that did not miss, from its status in the later build. */
function plainRole(row: AlignedRow, later: number): StepRole {
  const s = row.statuses[later] ?? null;
  if (row.keyword === 'FROM') return row.allLogs[later]?.some(printedCached) ? 'cached' : s === null ? 'not-run' : 'unchanged';
  switch (s) {
    case 'cached':
      return 'cached';
    case 'built':
      return 'built';
    case 'error':
      return 'error';
    default:
      return 'not-run';
  }
}
