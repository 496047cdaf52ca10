/**
 * Matching what a build log printed for a step with the plan's step.
 *
 * Identity is `(stage, index)`; the instruction text is the check. The printed text can differ from the
 * plan's in known ways, each handled here: a FROM gains `@sha256:…` once BuildKit resolved the image, a
 * variable the base image defines (unknown to us) is expanded in the log, a tty or `PROGRESS_NO_TRUNC=0`
 * log cuts the name, and current BuildKit prefixes ONBUILD triggers with `ONBUILD `.
 */
import type { BuildPlan, PlanStep, StepRef } from '../model.ts';
import { normalizeImageRef, parseImageRef, stripDigest } from './image-ref.ts';
import { escapeRegex, expandWord } from './shell-word.ts';

/** A stable string key for a step identity: `builder/3`, `-/2` when the log prints no stage. */
export function planStepKey(ref: StepRef): string {
  return `${ref.stage ?? '-'}/${ref.index}`;
}

/**
 * The plan step printed with this `(stage, index)`, if any. For a single-stage Dockerfile the stage
 * label is a detail of the BuildKit version (hidden stages from `RUN --mount` make it print `stage-0`),
 * so there a missing or extra stage label still finds the step.
 */
export function findPlanStep(plan: BuildPlan, ref: StepRef): PlanStep | undefined {
  const exact = plan.steps.find((s) => s.stage === ref.stage && s.index === ref.index);
  if (exact || plan.stages.length !== 1) return exact;
  const only = plan.stages[0];
  if (ref.stage !== null && ref.stage !== only?.label) return undefined;
  return plan.steps.find((s) => s.index === ref.index);
}

export interface MatchOptions {
  /** The log says the name was cut (tty width, `...`). */
  truncated?: boolean;
}

/** Whether `printed` (the instruction text a log shows) is this plan step's instruction. */
export function instructionMatches(step: PlanStep, printed: string, opts: MatchOptions = {}): boolean {
  // ONBUILD triggers: current BuildKit prints an `ONBUILD ` prefix, older versions do not; accept both.
  const unprefix = (s: string): string => (step.onbuild && s.startsWith('ONBUILD ') ? s.slice('ONBUILD '.length) : s);
  let text = unprefix(printed.trim());
  const instruction = unprefix(step.instruction);
  let truncated = opts.truncated ?? false;
  if (text.endsWith('...') && !instruction.endsWith('...')) {
    text = text.slice(0, -3);
    truncated = true;
  }
  if (step.keyword === 'FROM') return fromMatches(instruction, text, truncated);
  if (text === instruction) return true;
  if (truncated && text.length > 0 && instruction.startsWith(text)) return true;
  const parts = instructionParts(step);
  if (!parts) return false;
  return truncated ? isPrefixOfParts(parts, text) : new RegExp('^' + parts.map(escapeRegex).join('[\\s\\S]*?') + '$', 'su').test(text);
}

/** FROM: same image, ignoring the digest BuildKit appends when it resolved a tag to a manifest. */
function fromMatches(planned: string, printed: string, truncated: boolean): boolean {
  if (!printed.startsWith('FROM ')) return truncated && 'FROM '.startsWith(printed);
  const plannedRef = planned.slice(5);
  const printedRef = printed.slice(5);
  if (truncated) return normalizeImageRef(plannedRef).startsWith(printedRef) || plannedRef.startsWith(printedRef);
  const a = normalizeImageRef(plannedRef);
  const b = normalizeImageRef(printedRef);
  if (a === b) return true;
  const plannedHasDigest = parseImageRef(plannedRef)?.digest != null;
  return !plannedHasDigest && stripDigest(a) === stripDigest(b);
}

const UNKNOWN = '\uE000';

/**
 * The step's name cut at every variable we cannot know (defined by the base image, or a build arg taken
 * from the client's environment): the literal parts between them. Null when there is no such variable.
 */
function instructionParts(step: PlanStep): string[] | null {
  const written = step.written;
  if (!written || !written.includes('$')) return null;
  const known = new Map<string, string>();
  for (const [k, v] of Object.entries(step.args)) if (v !== null) known.set(k, v);
  for (const [k, v] of Object.entries(step.env)) known.set(k, v);
  const isRun = step.keyword === 'RUN';
  const r = expandWord(written, {
    escape: '\\', // the `# escape=` directive is not kept per step; backtick escapes are rare (Windows)
    rawQuotes: isRun,
    skipUnset: isRun,
    lookup: (name) => known.get(name) ?? UNKNOWN,
  });
  if (!r || !r.text.includes(UNKNOWN)) return null;
  return r.text.split(UNKNOWN);
}

/** Whether `text` is the start of some string made of parts[0] + anything + parts[1] + anything + … */
function isPrefixOfParts(parts: readonly string[], text: string): boolean {
  const [first, ...others] = parts;
  if (first === undefined) return text === '';
  if (text.length <= first.length) return first.startsWith(text);
  if (!text.startsWith(first)) return false;
  const rest = text.slice(first.length);
  if (others.length === 0) return false;
  // The unknown value can be any length: try each.
  for (let cut = 0; cut <= rest.length; cut++) {
    if (isPrefixOfParts(others, rest.slice(cut))) return true;
  }
  return false;
}

/** A log step as the matcher needs it. */
export interface PrintedStep {
  stage: string | null;
  index: number;
  instruction: string;
  truncated?: boolean;
}

export interface StepMatch {
  step: PlanStep;
  /** False when the `(stage, index)` matched but the text did not: the Dockerfile is not the one the log built. */
  textMatches: boolean;
}

/** The plan step a log step stands for, by `(stage, index)`, checked against the text. */
export function matchPrintedStep(plan: BuildPlan, printed: PrintedStep): StepMatch | null {
  const step = findPlanStep(plan, printed.stage !== undefined ? printed : { stage: null, index: printed.index });
  if (!step) return null;
  return { step, textMatches: instructionMatches(step, printed.instruction, { truncated: printed.truncated ?? false }) };
}

/**
 * Plan steps BuildKit runs as one vertex with this one: stages FROM the same image on the same platform
 * share their FROM vertex, and the log prints it once, with the label of one of them.
 */
export function stepsSharingVertex(plan: BuildPlan, step: PlanStep): PlanStep[] {
  if (step.keyword !== 'FROM') return [step];
  const platformOf = (s: PlanStep): string | null => plan.stages[s.stagePosition]?.platform ?? null;
  return plan.steps.filter((s) => s.keyword === 'FROM' && s.instruction === step.instruction && platformOf(s) === platformOf(step));
}
