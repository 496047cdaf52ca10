/**
 * Alignment: one row per Dockerfile step, one column per build.
 *
 * Steps are matched by (stage, index) — the identity BuildKit prints in `[stage 2/5]` — and then checked
 * against the instruction text. Never by `#N` (renumbered every build, in print order) nor by the vertex
 * digest (it changes every build downstream of the context, see hashes.ts).
 */
import { instructionMatches as planStepMatches } from '../dockerfile/index.ts';
import type { BuildPlan, BuildTrace, PlanStep, Step, StepStatus } from '../model.ts';
import { imageRefOfFrom, instructionMatches, keywordOf, normaliseImageRef, shortLabel } from './text.ts';

/** One Dockerfile step across every build. */
export interface AlignedRow {
  /** `stagePosition:index`, the row's identity. */
  key: string;
  /** Stage label as BuildKit prints it (null for a single-stage build). */
  stage: string | null;
  /** Stage position in the Dockerfile (guessed from the labels when no Dockerfile was given). */
  stagePosition: number;
  index: number;
  /** Steps in that stage, when known. */
  total: number | null;
  keyword: string;
  /** Display text: the Dockerfile's (latest version), else the latest log's. */
  instruction: string;
  /** The Dockerfile step per build (null when that build has no Dockerfile or lacks the step). */
  plans: (PlanStep | null)[];
  /** The log step per build (the first one printed when a log prints it several times). */
  logs: (Step | null)[];
  /** Every log step printed for it per build (a FROM is printed DONE then CACHED, platforms repeat). */
  allLogs: Step[][];
  /** Status per build, null when the log does not show the step. */
  statuses: (StepStatus | null)[];
  /** Per build: why the log's text does not match the Dockerfile's text, null when it does. */
  textMismatch: (string | null)[];
  /** Per build: the label of another stage's FROM vertex that stood in for this FROM (shared base). */
  sharedFrom: (string | null)[];
}

export interface Alignment {
  rows: AlignedRow[];
  /** The same rows by key (`stagePosition:index`), for constant-time lookups. */
  byKey: Map<string, AlignedRow>;
  /** The Dockerfile that applies to each build (one per build, one shared, or none). */
  plans: (BuildPlan | null)[];
  /** Things a reader should know about the alignment (mismatched texts, steps missing from a log). */
  notes: string[];
}

/** Which Dockerfile belongs to which build: one per build, one for all, or the last ones for the last builds. */
export function plansPerBuild(plans: BuildPlan[], builds: number): (BuildPlan | null)[] {
  if (plans.length === 0) return Array.from({ length: builds }, () => null);
  if (plans.length === 1) return Array.from({ length: builds }, () => plans[0] ?? null);
  // More than one: the last Dockerfile goes with the last build, and so on backwards; earlier builds
  // without a Dockerfile of their own share the oldest one (warm-up and good build of the same file).
  return Array.from({ length: builds }, (_, i) => plans[Math.max(0, plans.length - (builds - i))] ?? null);
}

/**
 * The Dockerfile stage a log's stage label refers to. A single-stage Dockerfile prints no label, except
 * when a `RUN --mount` made BuildKit register a second source state: then it prints `stage-0`.
 */
export function stagePositionInPlan(label: string | null, plan: BuildPlan): number | null {
  const named = plan.stages.find((s) => s.label === label || (label !== null && s.name === label));
  if (named) return named.position;
  if (plan.stages.length <= 1 && (label === null || label === 'stage-0')) return 0;
  const m = label ? /^stage-(\d+)$/.exec(label) : null;
  if (m) {
    const pos = Number(m[1]);
    if (pos < plan.stages.length) return pos;
  }
  if (label === null) return plan.stages.length > 0 ? plan.stages.length - 1 : 0;
  return null;
}

/**
 * Stage positions from log labels alone: `stage-N` is position N; a null label is a single stage;
 * named stages take the free positions in the order they first appear.
 */
function guessStagePositions(traces: BuildTrace[]): Map<string | null, number> {
  const positions = new Map<string | null, number>();
  const named: string[] = [];
  for (const t of traces) {
    for (const s of t.steps) {
      if (s.stage === null) positions.set(null, 0);
      else {
        const m = /^stage-(\d+)$/.exec(s.stage);
        if (m) positions.set(s.stage, Number(m[1]));
        else if (!named.includes(s.stage)) named.push(s.stage);
      }
    }
  }
  const taken = new Set(positions.values());
  let next = 0;
  for (const name of named) {
    while (taken.has(next)) next++;
    positions.set(name, next);
    taken.add(next);
  }
  return positions;
}

const STATUS_WEIGHT: Record<StepStatus, number> = { 'not-run': 0, cached: 1, built: 2, canceled: 3, error: 4 };

function emptyRow(key: string, builds: number, init: Partial<AlignedRow>): AlignedRow {
  return {
    key,
    stage: null,
    stagePosition: 0,
    index: 0,
    total: null,
    keyword: '',
    instruction: '',
    plans: Array.from({ length: builds }, () => null),
    logs: Array.from({ length: builds }, () => null),
    allLogs: Array.from({ length: builds }, () => []),
    statuses: Array.from({ length: builds }, () => null),
    textMismatch: Array.from({ length: builds }, () => null),
    sharedFrom: Array.from({ length: builds }, () => null),
    ...init,
  };
}

/**
 * `docker compose build` of several services and `docker buildx bake` of several targets print each
 * service's steps with the same labels: they are different builds (often of one Dockerfile). Compare one
 * service — the one whose steps ran in the last build although the build before had them, else the first
 * the logs show — and say so.
 */
function oneService(traces: BuildTrace[], notes: string[]): BuildTrace[] {
  const services = [...new Set(traces.flatMap((t) => t.steps.map((s) => s.service ?? null)).filter((s): s is string => s !== null))];
  if (services.length <= 1) return traces;
  const chosen = serviceThatRebuilt(traces, services) ?? (services[0] as string);
  notes.push(
    `The logs build ${services.length} compose services or bake targets (${services.join(', ')}); only ${chosen} is compared — give one service's log and Dockerfile to diagnose another.`,
  );
  return traces.map((t) => ({ ...t, steps: t.steps.filter((s) => (s.service ?? chosen) === chosen) }));
}

/** The service with the most steps that ran in the last build and were there in the one before it. */
function serviceThatRebuilt(traces: BuildTrace[], services: string[]): string | null {
  const later = traces[traces.length - 1];
  const earlier = traces[traces.length - 2];
  if (!later || !earlier) return null;
  const had = new Set(earlier.steps.filter((s) => s.status === 'cached' || s.status === 'built').map((s) => s.label));
  let best: string | null = null;
  let most = 0;
  for (const service of services) {
    const rebuilt = later.steps.filter((s) => s.service === service && s.status === 'built' && !s.instruction.startsWith('FROM ') && had.has(s.label)).length;
    if (rebuilt > most) {
      best = service;
      most = rebuilt;
    }
  }
  return best;
}

export function alignBuilds(allTraces: BuildTrace[], plans: BuildPlan[]): Alignment {
  const notes: string[] = [];
  const traces = oneService(allTraces, notes);
  const builds = traces.length;
  // A Dockerfile that could not be read has no steps: align by the logs alone rather than drop them all.
  const readable = plans.filter((p) => p.steps.length > 0);
  if (readable.length < plans.length) notes.push('A Dockerfile given has no steps that could be read; the steps are aligned by the logs alone.');
  const planOf = plansPerBuild(readable, builds);
  const rows = new Map<string, AlignedRow>();
  addPlanRows(rows, planOf, builds);
  const guessed = guessStagePositions(traces);
  traces.forEach((trace, b) => placeLogSteps(rows, trace, b, planOf, builds, guessed, notes));
  shareFromRows(rows, traces);
  checkTexts(rows, traces, planOf, notes);
  return { rows: [...rows.values()].sort(byDockerfileOrder), byKey: rows, plans: planOf, notes };
}

/** Rows from the Dockerfile(s): the latest version first, so its texts and labels win. */
function addPlanRows(rows: Map<string, AlignedRow>, planOf: (BuildPlan | null)[], builds: number): void {
  const distinctPlans = [...new Set(planOf.filter((p): p is BuildPlan => p !== null))].reverse();
  for (const plan of distinctPlans) {
    for (const ps of plan.steps) {
      const key = `${ps.stagePosition}:${ps.index}`;
      if (!rows.has(key)) {
        rows.set(
          key,
          emptyRow(key, builds, {
            stage: ps.stage,
            stagePosition: ps.stagePosition,
            index: ps.index,
            total: ps.total,
            keyword: ps.keyword,
            instruction: ps.instruction,
          }),
        );
      }
    }
  }
  planOf.forEach((plan, b) => {
    for (const ps of plan?.steps ?? []) {
      const row = rows.get(`${ps.stagePosition}:${ps.index}`);
      if (row) row.plans[b] = ps;
    }
  });
}

/** Each step of one build's log into its row: by stage and index, or for the legacy builder by text in order. */
function placeLogSteps(
  rows: Map<string, AlignedRow>,
  trace: BuildTrace,
  b: number,
  planOf: (BuildPlan | null)[],
  builds: number,
  guessed: Map<string | null, number>,
  notes: string[],
): void {
  const latestPlan = [...planOf].reverse().find((p) => p !== null) ?? null;
  const plan = planOf[b] ?? latestPlan;
  const legacy = trace.format === 'legacy';
  let legacyCursor = 0;
  const planRows = [...rows.values()].sort(byDockerfileOrder);
  for (const step of trace.steps) {
    let row: AlignedRow | undefined;
    if (legacy && plan) {
      // The legacy builder numbers every instruction (ARG, ENV, LABEL too): match by text, in order.
      const found = planRows.findIndex((r, i) => {
        const ps = r.plans[b] ?? r.plans.find((p) => p) ?? null;
        return i >= legacyCursor && (ps ? textMatches(step, ps) : instructionMatches(step.instruction, step.truncated, r.instruction));
      });
      if (found < 0) continue;
      legacyCursor = found + 1;
      row = planRows[found];
    } else {
      const pos = plan ? stagePositionInPlan(step.stage, plan) : (guessed.get(step.stage) ?? 0);
      if (pos === null) {
        notes.push(`${trace.source}: stage "${step.stage}" of ${step.label} is not in the Dockerfile.`);
        continue;
      }
      const key = `${pos}:${step.index}`;
      row = rows.get(key);
      if (!row) {
        if (plan) notes.push(`${trace.source}: ${step.label} ${step.instruction} has no step in the Dockerfile.`);
        row = emptyRow(key, builds, {
          stage: step.stage,
          stagePosition: pos,
          index: step.index,
          total: step.total,
          keyword: keywordOf(step.instruction),
          instruction: step.instruction,
        });
        rows.set(key, row);
      }
    }
    if (!row) continue;
    row.allLogs[b]?.push(step);
    const current = row.statuses[b] ?? null;
    if (current === null || STATUS_WEIGHT[step.status] > STATUS_WEIGHT[current]) row.statuses[b] = step.status;
    if (!row.logs[b]) row.logs[b] = step;
    if (!row.plans.some((p) => p) && !legacy) {
      // Log-only rows show the latest log's text.
      row.instruction = step.instruction;
      row.total = step.total ?? row.total;
    }
  }
}

/**
 * A FROM shared by several stages is one vertex, labelled with one stage's name only (which one can
 * change between builds): let that vertex stand for every stage that uses the same base.
 */
function shareFromRows(rows: Map<string, AlignedRow>, traces: BuildTrace[]): void {
  const builds = traces.length;
  for (const row of rows.values()) {
    if (row.keyword !== 'FROM') continue;
    const ref = imageRefOfFrom(row.instruction);
    if (!ref) continue;
    for (let b = 0; b < builds; b++) {
      if (row.logs[b]) continue;
      const stand = (traces[b]?.steps ?? []).find((s) => {
        const r = keywordOf(s.instruction) === 'FROM' ? imageRefOfFrom(s.instruction) : null;
        return r !== null && normaliseImageRef(r) === normaliseImageRef(ref);
      });
      if (stand) {
        row.statuses[b] = stand.status;
        row.sharedFrom[b] = stand.label;
        row.allLogs[b]?.push(stand);
      }
    }
  }
}

/** Every matched log text checked against its Dockerfile text: a mismatch is noted on the row and said. */
function checkTexts(rows: Map<string, AlignedRow>, traces: BuildTrace[], planOf: (BuildPlan | null)[], notes: string[]): void {
  const builds = traces.length;
  for (const row of rows.values()) {
    for (let b = 0; b < builds; b++) {
      const log = row.logs[b];
      const ps = row.plans[b] ?? (planOf[b] ? null : (rows.get(row.key)?.plans.find((p) => p) ?? null));
      if (!log || !ps) continue;
      if (!textMatches(log, ps)) {
        const msg = `${traces[b]?.source ?? `build ${b + 1}`} shows ${rowLabel(row)} as \`${log.instruction}\` but the Dockerfile${planOf[b] ? '' : ' (given for another build)'} has \`${ps.instruction}\``;
        row.textMismatch[b] = msg;
        notes.push(`${msg}.`);
      }
    }
  }
}

/**
 * The log's text is this Dockerfile step's. The Dockerfile module's check is exact (it expands the values
 * it knows, handles ONBUILD and resolved digests); ours accepts any expansion of a variable, because a
 * Dockerfile read without this build's `--build-arg`s expands `$V` to its default, and a heredoc's name
 * shows only its first line.
 */
function textMatches(log: Step, ps: PlanStep): boolean {
  return (
    planStepMatches(ps, log.instruction, { truncated: log.truncated }) ||
    instructionMatches(log.instruction, log.truncated, ps.written ?? ps.instruction) ||
    instructionMatches(log.instruction, log.truncated, ps.instruction)
  );
}

export function byDockerfileOrder(a: AlignedRow, b: AlignedRow): number {
  return a.stagePosition - b.stagePosition || a.index - b.index;
}

/** The Dockerfile step of a row for a build, falling back to the row's step in any Dockerfile. */
export function planStepOf(row: AlignedRow, build: number): PlanStep | null {
  return row.plans[build] ?? [...row.plans].reverse().find((p) => p !== null) ?? null;
}

/** `[3/4]`, `[builder 2/3]`: the step's label as BuildKit prints it, without the padding. */
export function rowLabel(row: AlignedRow): string {
  return shortLabel(row.stage, row.index, row.total);
}
