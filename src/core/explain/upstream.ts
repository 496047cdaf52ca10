/**
 * What a step's cache key depends on, in steps: the step before it in its stage (or, for a stage's first
 * step, the stage it is built FROM), and the stages it copies or mounts from. And whether the build
 * context is somewhere upstream — which decides what its printed vertex digest can tell (hashes.ts).
 */
import { mountReadsContext, mountsInText } from '../dockerfile/mounts.ts';
import type { Alignment, AlignedRow } from './align.ts';
import { planStepOf } from './align.ts';
import { keywordOf, squash } from './text.ts';

function rowsOfStage(al: Alignment, position: number): AlignedRow[] {
  return al.rows.filter((r) => r.stagePosition === position);
}

/** The last step of a stage: what `COPY --from=<stage>` and `FROM <stage>` read. */
export function lastStepOfStage(al: Alignment, position: number): AlignedRow | null {
  const rows = rowsOfStage(al, position);
  return rows.reduce<AlignedRow | null>((best, r) => (best === null || r.index > best.index ? r : best), null);
}

/** Finds the stage a `--from=` value names: a stage name/label, or a stage number. */
function stageNamed(al: Alignment, name: string): number | null {
  for (const plan of al.plans) {
    const st = plan?.stages.find((s) => s.name === name || s.label === name);
    if (st) return st.position;
  }
  if (/^\d+$/.test(name)) return Number(name);
  const row = al.rows.find((r) => r.stage === name);
  return row ? row.stagePosition : null;
}

/** `--from=` values of a COPY and `from=` values of RUN mounts, read from the text when no Dockerfile. */
function fromValuesInText(instruction: string): string[] {
  const found: string[] = [];
  for (const m of squash(instruction).matchAll(/(?:--from=|[,\s]from=)([^\s,]+)/g)) if (m[1]) found.push(m[1]);
  return found;
}

/** Positions of the stages a step copies from or mounts (`COPY --from=`, `RUN --mount=…,from=`). */
export function stagesReadBy(al: Alignment, row: AlignedRow, build: number): number[] {
  const ps = planStepOf(row, build);
  const positions = new Set<number>();
  if (ps?.copy?.fromStage !== undefined && ps.copy.fromStage !== null) positions.add(ps.copy.fromStage);
  const mountFroms = (ps?.mounts ?? []).flatMap((m) => (m.from === null ? [] : [m.from]));
  const names = [...fromValuesInText(ps ? ps.instruction : (row.logs[build]?.instruction ?? row.instruction)), ...mountFroms];
  for (const name of names) {
    const pos = stageNamed(al, name);
    if (pos !== null && pos !== row.stagePosition) positions.add(pos);
  }
  return [...positions];
}

/** The stage a stage is built FROM, when it is another stage of the same Dockerfile. */
export function baseStageOf(al: Alignment, position: number, build: number): number | null {
  const plan = al.plans[build] ?? al.plans.find((p) => p !== null) ?? null;
  return plan?.stages.find((s) => s.position === position)?.baseStage ?? null;
}

/** `COPY --link`/`ADD --link`: a layer built on scratch and merged onto the state before it. */
function isLinked(row: AlignedRow, build: number): boolean {
  const ps = planStepOf(row, build);
  if (ps?.copy) return ps.copy.link;
  return /^(COPY|ADD)\s.*--link(=true)?\s/i.test(`${squash(row.logs[build]?.instruction ?? row.instruction)} `);
}

/** The steps whose cache keys feed this step's key directly. */
export function directUpstream(al: Alignment, row: AlignedRow, build: number): AlignedRow[] {
  const deps: AlignedRow[] = [];
  const previous = al.byKey.get(`${row.stagePosition}:${row.index - 1}`);
  if (previous) {
    deps.push(previous);
    // A linked copy's own key skips the layers below it, but its result (the merge) does not: what
    // follows it still depends on the state before it. Walk down through consecutive linked copies.
    for (let below = previous; isLinked(below, build);) {
      const next = al.byKey.get(`${below.stagePosition}:${below.index - 1}`);
      if (!next) break;
      deps.push(next);
      below = next;
    }
  } else {
    const base = baseStageOf(al, row.stagePosition, build);
    const last = base !== null ? lastStepOfStage(al, base) : null;
    if (last) deps.push(last);
  }
  for (const pos of stagesReadBy(al, row, build)) {
    const last = lastStepOfStage(al, pos);
    if (last && !deps.includes(last)) deps.push(last);
  }
  return deps;
}

/** Whether the step itself reads the build context (COPY/ADD of local files, RUN with a bind mount of it). */
export function readsContext(row: AlignedRow, build: number): boolean {
  const ps = planStepOf(row, build);
  if (ps) {
    if ((ps.keyword === 'COPY' || ps.keyword === 'ADD') && ps.copy) return ps.copy.from === null && !ps.copy.remote;
    return (ps.mounts ?? []).some(mountReadsContext);
  }
  const text = squash(row.logs[build]?.instruction ?? row.instruction);
  const kw = keywordOf(text);
  if (kw === 'COPY' || kw === 'ADD') return !/--from=/.test(text) && !/\s(https?|git):\/\//.test(text);
  if (kw === 'RUN') return mountsInText(text).some(mountReadsContext);
  return false;
}

/** Answers per alignment and build, so asking for every step stays linear in the number of steps. */
const contextMemo = new WeakMap<Alignment, Map<string, boolean>>();

/** Whether the build context is upstream of (or read by) this step. */
export function contextUpstream(al: Alignment, row: AlignedRow, build: number): boolean {
  let memo = contextMemo.get(al);
  if (!memo) contextMemo.set(al, (memo = new Map<string, boolean>()));
  const key = `${build}|${row.key}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  memo.set(key, false); // a cycle (a malformed --from) must end somewhere
  const answer = readsContext(row, build) || directUpstream(al, row, build).some((dep) => contextUpstream(al, dep, build));
  memo.set(key, answer);
  return answer;
}

/** The FROM row of a step's stage chain (following FROM <stage>), null when the stage has none (scratch). */
export function fromRowOf(al: Alignment, row: AlignedRow, build: number, seen = new Set<number>()): AlignedRow | null {
  if (seen.has(row.stagePosition)) return null;
  seen.add(row.stagePosition);
  const first = al.rows.find((r) => r.stagePosition === row.stagePosition && r.keyword === 'FROM');
  if (first) return first;
  const base = baseStageOf(al, row.stagePosition, build);
  if (base === null) return null;
  const baseRow = al.rows.find((r) => r.stagePosition === base);
  return baseRow ? fromRowOf(al, baseRow, build, seen) : null;
}

/** True when every step before this one in its stage chain is a FROM: the first step that does work. */
export function isFirstWorkStep(al: Alignment, row: AlignedRow, build: number): boolean {
  if (row.keyword === 'FROM') return false;
  const earlier = al.rows.filter((r) => r.stagePosition === row.stagePosition && r.index < row.index);
  if (earlier.some((r) => r.keyword !== 'FROM')) return false;
  return baseStageOf(al, row.stagePosition, build) === null;
}
