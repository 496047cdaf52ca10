/**
 * The legacy builder (`DOCKER_BUILDKIT=0`): `Step 2/9 : ADD …`, ` ---> Using cache`, ` ---> Running in …`,
 * ` ---> <id>`, `Successfully built …`. Old engines print `Step 8 : …` (no total) and count from 0.
 * It counts every instruction, so a step's index is its global number and there is no stage.
 *
 * Each line is classified into a kind (legacy-lines.ts), then a table maps the kind to a small handler
 * over the reader's state (`LegacyState`). A handler whose kind needs a step (an arrow before any `Step`)
 * reads the line as `other`, as the grammar has nothing else for it.
 */
import type { BuildTrace, Step } from '../model.ts';
import { detach, MAX_VERTICES, MAX_WARNINGS, type BlockReader, type Going } from './draft.ts';
import { classifyLegacyLine, type LegacyLine } from './legacy-lines.ts';
import { LineCleaner, type PrefixPlan } from './lines.ts';
import { splitImageRef } from './names.ts';
import { parseBytes } from './units.ts';

// An image ID, perhaps with a comment the poster typed after it (` ---> a6c5e1342c98 # not cached?`).
const IMAGE_ID_RE = /^[0-9a-f]{12,64}(?:\s|$)/;
const COMPOSE_LABEL_RE = /^LABEL com\.docker\.compose\.image\.builder=classic$/;
/** ONBUILD triggers kept per FROM: a real base image has a handful. */
const MAX_TRIGGERS = 100;
const MAX_OUTPUT_LINES = 20;

interface LegacyStep {
  step: Step;
  ran: boolean;
  usedCache: boolean;
  pulled: boolean;
  ended: boolean;
  triggers: string[];
  triggerRan: boolean;
  /**
   * The failure message printed under this step, if any. A RUN's own output can say the same words, so
   * it only counts when the step then never ends with ` ---> <id>` (see `settleFailures`).
   */
  failure: string | null;
  /** The first ` ---> <id>` after the step: the image it produced (for FROM: the base image's ID). */
  resultId: string | null;
}

interface LegacyState {
  trace: BuildTrace;
  steps: LegacyStep[];
  current: LegacyStep | null;
  /** The FROM whose ONBUILD triggers are running, while they run. */
  triggerHost: LegacyStep | null;
  zeroBased: boolean;
  /** The reader stopped where the next build begins. */
  nextBuild: boolean;
  /** The trigger step being run, when old engines print triggers as their own `Step` lines. */
  trigger: { usedCache: boolean } | null;
  tooManySteps: boolean;
  /** Lines before the first step that are no known legacy line (the shell, the CI around the build). */
  unplaced: number;
}

export function legacyReader(source: string, plan: PrefixPlan): BlockReader<BuildTrace> {
  const s: LegacyState = {
    trace: emptyTrace(source, plan),
    steps: [],
    current: null,
    triggerHost: null,
    zeroBased: false,
    nextBuild: false,
    trigger: null,
    tooManySteps: false,
    unplaced: 0,
  };
  const cleaner = new LineCleaner(plan);
  let stopped = false;
  const readLine = (line: string, time: string | null): Going => {
    if (time !== null) {
      if (s.trace.startedAt === null) s.trace.startedAt = detach(time);
      s.trace.completedAt = time;
    }
    const kind = classifyLegacyLine(line);
    return (LINE_HANDLERS[kind.kind] as LineHandler<LegacyLine>)(s, kind, line, time);
  };
  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !cleaner.lines(text, readLine);
      return !stopped;
    },
    nextBuildAt: () => (s.nextBuild ? cleaner.stoppedAt : -1),
    finish: () => finish(s),
  };
}

function emptyTrace(source: string, plan: PrefixPlan): BuildTrace {
  return {
    source,
    format: 'legacy',
    builder: { name: null, driver: null, digestLines: false, era: 'legacy' },
    linePrefix: plan.style,
    steps: [],
    internal: [],
    baseImages: [],
    transfers: { context: null, dockerfile: null, dockerignore: null },
    cacheImports: [],
    cacheExports: [],
    errors: [],
    warnings: [],
    commands: [],
    imageId: null,
    truncated: false,
    notes: [],
    startedAt: null,
    completedAt: null,
  };
}

/** `line` is the whole line, for a kind read as `other` when it finds no step to apply to. */
type LineHandler<L extends LegacyLine> = (s: LegacyState, kind: L, line: string, time: string | null) => Going;

const LINE_HANDLERS: { [K in LegacyLine['kind']]: LineHandler<Extract<LegacyLine, { kind: K }>> } = {
  step: readStep,
  'buildkit-start'(s, _kind, line) {
    // BuildKit takes over in the same text (compose after a `docker build`): the next build.
    if (s.steps.length > 0) return startsNextBuild(s);
    readOther(s, line);
  },
  arrow(s, { what }, line, time) {
    const current = s.current;
    if (current === null) return readOther(s, line);
    if (s.trigger) return readTriggerArrow(s, s.trigger, current, what);
    if (what === 'Using cache') current.usedCache = true;
    // (`Running in` alone: a paste cut before the container ID.)
    else if (what.startsWith('Running in')) {
      current.ran = true;
      if (s.triggerHost === current) current.triggerRan = true;
    } else if (IMAGE_ID_RE.test(what)) {
      current.ended = true;
      current.resultId ??= detach(what.split(/\s/)[0] as string);
      if (time !== null) current.step.completedAt = detach(time);
    }
  },
  triggers(s, _kind, line) {
    if (s.current === null) return readOther(s, line);
    s.triggerHost = s.current;
  },
  trigger(s, { instruction }, line) {
    const host = s.triggerHost;
    if (host === null) return readOther(s, line);
    if (host.triggers.length < MAX_TRIGGERS) host.triggers.push(detach(instruction));
  },
  context(s, { size }) {
    // Each build sends its context first: one sent after steps ran starts the next build.
    if (s.steps.length > 0) return startsNextBuild(s);
    s.trace.transfers.context = parseBytes(size);
  },
  built(s, { imageId }) {
    s.trace.imageId = detach(imageId);
  },
  warning(s, { text }) {
    if (s.trace.warnings.length < MAX_WARNINGS) s.trace.warnings.push(detach(text));
  },
  pull(s, _kind, line) {
    if (s.current === null) return readOther(s, line);
    s.current.pulled = true;
  },
  failure(s, _kind, line) {
    if (s.current === null) return readOther(s, line);
    s.current.failure = detach(line);
  },
  other(s, _kind, line) {
    readOther(s, line);
  },
};

/** A line the grammar gives no other meaning: the step's output, or chatter before the first step. */
function readOther(s: LegacyState, line: string): void {
  const current = s.current;
  if (current === null) {
    if (line.trim() !== '') s.unplaced++;
    return;
  }
  if (line.trim() !== '' && !line.startsWith('Removing intermediate container')) {
    const out = current.step.output ?? (current.step.output = []);
    if (out.length >= MAX_OUTPUT_LINES) out.shift();
    out.push(detach(line));
  }
}

function readStep(s: LegacyState, { number, total, instruction }: Extract<LegacyLine, { kind: 'step' }>, _line: string, time: string | null): Going {
  const current = s.current;
  const host = s.triggerHost;
  // Older engines print each trigger as its own `Step N : …` after `Trigger N, …`.
  if (host && (host.triggers.includes(instruction) || (current && number <= current.step.index - (s.zeroBased ? 1 : 0)))) {
    s.current = host;
    s.trigger = { usedCache: false };
    return;
  }
  s.trigger = null;
  s.triggerHost = null;
  const previous = s.steps[s.steps.length - 1];
  // Step numbers only go up within one build: this is the next build pasted below the first.
  if (previous && number <= previous.step.index - (s.zeroBased ? 1 : 0)) return startsNextBuild(s);
  if (s.steps.length >= MAX_VERTICES) {
    // A real Dockerfile has hundreds of steps at most; this log is generated or hostile.
    s.tooManySteps = true;
    return false;
  }
  if (s.steps.length === 0 && number === 0) s.zeroBased = true;
  const step = newStep(s.zeroBased ? number + 1 : number, number, total, detach(instruction));
  if (time !== null) step.step.startedAt = detach(time);
  s.current = step;
  s.steps.push(step);
}

function newStep(index: number, printed: number, total: string | null, instruction: string): LegacyStep {
  return {
    step: {
      stage: null,
      index,
      total: total === null ? null : Number(total),
      label: total === null ? `Step ${printed}` : `Step ${printed}/${total}`,
      instruction,
      truncated: false,
      status: 'not-run',
      durationS: null,
      vertices: [],
      digest: null,
    },
    ran: false,
    usedCache: false,
    pulled: false,
    ended: false,
    triggers: [],
    triggerRan: false,
    failure: null,
    resultId: null,
  };
}

/** An arrow under a trigger printed as its own step: one that ends without `Using cache` ran (COPY triggers print no `Running in`). */
function readTriggerArrow(s: LegacyState, trigger: { usedCache: boolean }, host: LegacyStep, what: string): void {
  if (what === 'Using cache') trigger.usedCache = true;
  else if (IMAGE_ID_RE.test(what)) {
    if (!trigger.usedCache) host.triggerRan = true;
    host.ended = true;
    s.trigger = null;
  }
}

function startsNextBuild(s: LegacyState): false {
  s.nextBuild = true;
  return false;
}

function finish(s: LegacyState): BuildTrace {
  const trace = s.trace;
  settleFailures(s);
  const failed = trace.errors.length > 0;
  const baseRefs = new Set<string>();
  for (const ls of s.steps) {
    settleStatus(s, ls, failed);
    const step = ls.step;
    if (COMPOSE_LABEL_RE.test(step.instruction)) {
      // `docker compose build` (classic builder) appends this LABEL: it is no Dockerfile step.
      trace.notes.push(`${step.label} \`${step.instruction}\` is the label docker compose adds to a classic build, not a Dockerfile step: it is left out.`);
      continue;
    }
    trace.steps.push(step);
    if (step.instruction.startsWith('FROM ')) {
      const { ref, digest } = splitImageRef(step.instruction.slice(5));
      if (!baseRefs.has(ref)) {
        baseRefs.add(ref);
        // The ID under FROM is the only trace of a moved tag in a legacy log: keep it for comparison.
        trace.baseImages.push({ ref, digest, stage: null, imageId: ls.resultId });
      }
    }
  }
  if (s.zeroBased) trace.notes.push('This engine numbers steps from 0 (`Step 0 : …`); indexes here count from 1.');
  if (trace.truncated) trace.notes.push('The log ends before the build finished: steps without a result are marked not-run.');
  if (s.tooManySteps) trace.notes.push(`More than ${MAX_VERTICES} steps: the rest of the log was not read.`);
  trace.reading = { repairs: [], learnedPrefix: null, build: 1, builds: 1, unplacedLines: s.unplaced };
  return trace;
}

/** A failure message under a step that never ended with ` ---> <id>`: the step failed. */
function settleFailures(s: LegacyState): void {
  for (const ls of s.steps) {
    if (ls.failure !== null && !ls.ended) {
      ls.step.status = 'error';
      ls.step.error = ls.failure;
      s.trace.errors.push({ step: { stage: null, index: ls.step.index }, message: ls.failure, lines: [ls.failure] });
    }
  }
}

function settleStatus(s: LegacyState, ls: LegacyStep, failed: boolean): void {
  const step = ls.step;
  if (step.status === 'error') return; // set from the failure line (settleFailures)
  if (step.instruction.startsWith('FROM ')) {
    settleFrom(ls);
  } else if (!ls.ended && (ls.usedCache || ls.ran)) {
    // The log stops inside the step, but it already said which way it went.
    step.status = ls.usedCache ? 'cached' : 'built';
    step.statusNote = ls.usedCache ? 'the log ends here; the step had taken the cache' : 'the log ends while this step was running: it ran';
    if (!failed) s.trace.truncated = true;
  } else if (!ls.ended) {
    step.status = 'not-run';
    step.statusNote = failed ? 'the build failed before this step finished' : 'the log ends before this step finished';
    if (!failed) s.trace.truncated = true;
  } else {
    step.status = ls.usedCache ? 'cached' : 'built';
  }
}

/** A FROM is built when its ONBUILD triggers ran or its image was pulled, cached otherwise. */
function settleFrom(ls: LegacyStep): void {
  const step = ls.step;
  if (ls.triggers.length > 0 || ls.triggerRan) {
    step.status = ls.triggerRan ? 'built' : 'cached';
    step.statusNote = `the base image's ONBUILD triggers ${ls.triggerRan ? 'ran' : 'were cached'}${ls.triggers.length ? `: ${ls.triggers.join('; ')}` : ''}`;
  } else if (ls.pulled) {
    step.status = 'built';
    step.statusNote = 'the legacy builder pulled the base image here';
  } else {
    step.status = 'cached';
    step.statusNote = 'FROM uses the local base image as is; it is not rebuilt';
  }
}
