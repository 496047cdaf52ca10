/**
 * The CI gate (`cachewhy check`): given a report of two builds, did the later one miss a step it should
 * have found CACHED? Facts only — which root misses count, which an `--allow-miss` pattern lets through,
 * what they cost — so the CLI, the JUnit writer and the GitHub Action word the same decision.
 *
 * A cascade follows its root: allowing a root (a RUN that must always run) allows the steps it drags
 * along, and a cascade step cannot be allowed on its own (its root is what missed).
 */
import { totalTimeLost } from '../explain/time-lost.ts';
import type { Cause, Diagnosis, Report, StepId, StepRef, TimeLost } from '../model.ts';

export interface GateOptions {
  /** Step labels (`[2/34]`, `builder 3`, `3/5`) or instruction patterns (`RUN date*`, case-insensitive, `*` any text). */
  allowMiss: string[];
  /** Fail only when the misses that are not allowed cost more than this many seconds. */
  maxLostSeconds: number | null;
  /** Both builds were of the same inputs (run twice): any miss is non-determinism in the build. */
  sameInputs: boolean;
}

export interface GateMiss {
  root: StepId;
  /** The Dockerfile line of the root step, when a Dockerfile was given. */
  line: number | null;
  /** The `--allow-miss` pattern that lets it through, null when it counts. */
  allowedBy: string | null;
  /** The top-ranked cause for this root, null when the inputs show none. */
  cause: Cause | null;
  lost: TimeLost | null;
  /** Steps rebuilt only because this root missed. */
  cascade: number;
}

export type GateVerdict = 'pass' | 'fail' | 'no-comparison';

export interface GateResult {
  verdict: GateVerdict;
  /** 0-based indexes of the builds compared. */
  earlier: number;
  later: number;
  sameInputs: boolean;
  misses: GateMiss[];
  /** Time lost to the misses that count (null when the log gives no durations for them). */
  countedSeconds: number | null;
  /** Steps of the counted misses whose duration the log does not give. */
  untimed: number;
  maxLostSeconds: number | null;
  /** True when misses count but cost no more than `maxLostSeconds`: the gate passes, and says so. */
  withinBudget: boolean;
}

export function runGate(report: Report, options: GateOptions): GateResult {
  const d = report.diagnosis;
  const earlier = d?.compared?.earlier ?? Math.max(0, report.builds.length - 2);
  const later = d?.compared?.later ?? report.builds.length - 1;
  const base = { earlier, later, sameInputs: options.sameInputs, maxLostSeconds: options.maxLostSeconds };
  if (!d || report.builds.length < 2) return { ...base, verdict: 'no-comparison', misses: [], countedSeconds: null, untimed: 0, withinBudget: false };
  const misses = d.root_misses.map((root, i) => gateMiss(d, root, d.time_lost?.[i] ?? null, options.allowMiss, label(report)));
  const counted = misses.filter((m) => m.allowedBy === null);
  const total = totalTimeLost(counted.flatMap((m) => (m.lost ? [m.lost] : [])));
  // Unknown durations never prove a miss cheap: the budget only lets through what the log timed.
  const withinBudget =
    counted.length > 0 && options.maxLostSeconds !== null && total.untimed === 0 && total.seconds !== null && total.seconds <= options.maxLostSeconds;
  const verdict: GateVerdict = counted.length === 0 || withinBudget ? 'pass' : 'fail';
  return { ...base, verdict, misses, countedSeconds: total.seconds, untimed: total.untimed, withinBudget };
}

function gateMiss(d: Diagnosis, root: StepId, lost: TimeLost | null, allow: string[], name: (s: StepRef) => string): GateMiss {
  const row = d.steps.find((s) => s.stage === root.stage && s.index === root.index);
  const instruction = root.instruction ?? row?.instruction ?? '';
  const same = (s: StepRef | null | undefined) => !!s && s.stage === root.stage && s.index === root.index;
  return {
    root,
    line: row?.line ?? null,
    allowedBy: allow.find((p) => matchesStep(p, root, instruction, name(root))) ?? null,
    // upstream-rebuilt names the stage a COPY --from follows: the step's own cause ranks first otherwise.
    cause: d.causes.find((c) => same(c.step) && c.kind !== 'upstream-rebuilt') ?? d.causes.find((c) => same(c.step)) ?? null,
    lost,
    cascade: d.steps.filter((s) => s.role === 'cascade' && same(s.because_of)).length,
  };
}

const LABEL = /^\[?\s*(?:([^\s\d/][^\s/]*)\s+)?(\d+)(?:\/\d+)?\s*\]?$/;

/** `[builder 2/5]`, `builder 2`, `2/5` name a step; anything else is a pattern on its instruction. */
export function matchesStep(pattern: string, step: StepRef, instruction: string, printed: string): boolean {
  const p = pattern.trim();
  const m = LABEL.exec(p);
  if (m) return Number(m[2]) === step.index && (m[1] === undefined || m[1] === step.stage);
  if (p === printed) return true;
  const glob = p
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(glob, 'i').test(instruction.replace(/\s+/g, ' '));
}

/** Labels with the totals the logs printed, as the user's log shows them (`[2/34]`, `[builder 3/5]`). */
export function label(report: Report): (step: StepRef) => string {
  return (step) => {
    const total = report.builds.flatMap((b) => b.steps).find((s) => s.stage === step.stage && s.index === step.index)?.total;
    const position = total ? `${step.index}/${total}` : String(step.index);
    return step.stage ? `[${step.stage} ${position}]` : `[${position}]`;
  };
}
