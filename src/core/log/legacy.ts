/**
 * The legacy builder (`DOCKER_BUILDKIT=0`): `Step 2/9 : ADD …`, ` ---> Using cache`, ` ---> Running in …`,
 * ` ---> <id>`, `Successfully built …`. Old engines print `Step 8 : …` (no total) and count from 0.
 * It counts every instruction, so a step's index is its global number and there is no stage.
 */
import type { BuildTrace, Step } from '../model.ts';
import { detach, MAX_VERTICES, MAX_WARNINGS, type BlockReader } from './draft.ts';
import { LineCleaner, type PrefixPlan } from './lines.ts';
import { splitImageRef } from './names.ts';
import { parseBytes } from './units.ts';

const STEP_RE = /^Step (\d+)(?:\/(\d+))? : (.*)$/;
// The arrow has one leading space; CI stampers sometimes add another.
const ARROW_RE = /^\s*---> (.*)$/;
// An image ID, perhaps with a comment the poster typed after it (` ---> a6c5e1342c98 # not cached?`).
const IMAGE_ID_RE = /^[0-9a-f]{12,64}(?:\s|$)/;
const TRIGGERS_RE = /^# Executing (\d+) build triggers?/;
const TRIGGER_RE = /^Trigger (\d+), (.*)$/;
const CONTEXT_RE = /^Sending build context to Docker daemon\s+([\d.]+\s?[kKMGTP]?i?B)/;
const COMPOSE_LABEL_RE = /^LABEL com\.docker\.compose\.image\.builder=classic$/;
const BUILDKIT_START_RE = /^(?:#0 building with |#1 \[|\[\+\] Building )/;
const BUILT_RE = /^Successfully built ([0-9a-f]+)/;
// How the legacy builder reports a failed step. A RUN's own output can say the same words, so a line
// only counts when the step then never ends with ` ---> <id>` (see the end of legacyReader).
// (`Get http://…: dial tcp …`: how old engines reported an ADD <url> that could not be fetched.)
const FAILURE_RE =
  /^(?:The command .* returned a non-zero code: \d+|(?:COPY|ADD) failed: .*|failed to .*|Error response from daemon: .*|unable to prepare context: .*|Get https?:\/\/\S+: .*)$/;
/** ONBUILD triggers kept per FROM: a real base image has a handful. */
const MAX_TRIGGERS = 100;
const PULL_RE = /^(?:(?:[\w.-]+: )?Pulling from |Status: Downloaded newer image|[0-9a-f]{12}: (?:Pull complete|Pulling fs layer))/;

interface LegacyStep {
  step: Step;
  ran: boolean;
  usedCache: boolean;
  pulled: boolean;
  ended: boolean;
  triggers: string[];
  triggerRan: boolean;
  /** The failure message printed under this step, if any. */
  failure: string | null;
  /** The first ` ---> <id>` after the step: the image it produced (for FROM: the base image's ID). */
  resultId: string | null;
}

export function legacyReader(source: string, plan: PrefixPlan): BlockReader<BuildTrace> {
  const trace: BuildTrace = {
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
  const steps: LegacyStep[] = [];
  let current: LegacyStep | null = null;
  /** The FROM whose ONBUILD triggers are running, while they run. */
  let triggerHost: LegacyStep | null = null;
  let zeroBased = false;
  /** The reader stopped where the next build begins. */
  let nextBuild = false;
  /** The trigger step being run, when old engines print triggers as their own `Step` lines. */
  let trigger: { usedCache: boolean } | null = null;
  let tooManySteps = false;
  /** Lines before the first step that are no known legacy line (the shell, the CI around the build). */
  let unplaced = 0;
  const cleaner = new LineCleaner(plan);
  let stopped = false;

  const readLine = (line: string, time: string | null): boolean | void => {
    if (time !== null) {
      if (trace.startedAt === null) trace.startedAt = detach(time);
      trace.completedAt = time;
    }
    const stepMatch = line.charCodeAt(0) === 83 /* S */ ? STEP_RE.exec(line) : null;
    if (stepMatch) {
      const number = Number(stepMatch[1]);
      const instruction = detach((stepMatch[3] as string).trim());
      // Older engines print each trigger as its own `Step N : …` after `Trigger N, …`.
      if (triggerHost && (triggerHost.triggers.includes(instruction) || (current && number <= current.step.index - (zeroBased ? 1 : 0)))) {
        current = triggerHost;
        trigger = { usedCache: false };
        return;
      }
      trigger = null;
      triggerHost = null;
      const previous = steps[steps.length - 1];
      if (previous && number <= previous.step.index - (zeroBased ? 1 : 0)) {
        // Step numbers only go up within one build: this is the next build pasted below the first.
        nextBuild = true;
        return false;
      }
      if (steps.length >= MAX_VERTICES) {
        // A real Dockerfile has hundreds of steps at most; this log is generated or hostile.
        tooManySteps = true;
        return false;
      }
      if (steps.length === 0 && number === 0) zeroBased = true;
      current = {
        step: {
          stage: null,
          index: zeroBased ? number + 1 : number,
          total: stepMatch[2] === undefined ? null : Number(stepMatch[2]),
          label: stepMatch[2] === undefined ? `Step ${number}` : `Step ${number}/${stepMatch[2]}`,
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
      if (time !== null) current.step.startedAt = detach(time);
      steps.push(current);
      return;
    }
    if (steps.length > 0 && BUILDKIT_START_RE.test(line)) {
      // BuildKit takes over in the same text (compose after a `docker build`): the next build.
      nextBuild = true;
      return false;
    }
    const arrow = ARROW_RE.exec(line);
    if (arrow && current) {
      const what = (arrow[1] as string).trim();
      if (trigger) {
        // A trigger that ends without `Using cache` ran (COPY triggers print no `Running in`).
        if (what === 'Using cache') trigger.usedCache = true;
        else if (IMAGE_ID_RE.test(what)) {
          if (!trigger.usedCache) current.triggerRan = true;
          current.ended = true;
          trigger = null;
        }
        return;
      }
      if (what === 'Using cache') current.usedCache = true;
      // (`Running in` alone: a paste cut before the container ID.)
      else if (what.startsWith('Running in')) {
        current.ran = true;
        if (triggerHost === current) current.triggerRan = true;
      } else if (IMAGE_ID_RE.test(what)) {
        current.ended = true;
        current.resultId ??= detach(what.split(/\s/)[0] as string);
        if (time !== null) current.step.completedAt = detach(time);
      }
      return;
    }
    let m = TRIGGERS_RE.exec(line);
    if (m && current) {
      triggerHost = current;
      return;
    }
    m = TRIGGER_RE.exec(line);
    if (m && triggerHost) {
      if (triggerHost.triggers.length < MAX_TRIGGERS) triggerHost.triggers.push(detach((m[2] as string).trim()));
      return;
    }
    m = CONTEXT_RE.exec(line);
    if (m && steps.length > 0) {
      // Each build sends its context first: one sent after steps ran starts the next build.
      nextBuild = true;
      return false;
    }
    if (m) {
      trace.transfers.context = parseBytes(m[1] as string);
      return;
    }
    m = BUILT_RE.exec(line);
    if (m) {
      trace.imageId = detach(m[1] as string);
      return;
    }
    if (line.startsWith('[Warning] ')) {
      if (trace.warnings.length < MAX_WARNINGS) trace.warnings.push(detach(line.slice(10)));
      return;
    }
    if (current && PULL_RE.test(line)) {
      current.pulled = true;
      return;
    }
    if (current && line.length < 4096 && FAILURE_RE.test(line)) {
      current.failure = detach(line);
      return;
    }
    if (current === null && line.trim() !== '') unplaced++;
    if (current && line.trim() !== '' && !line.startsWith('Removing intermediate container')) {
      const out = current.step.output ?? (current.step.output = []);
      if (out.length >= 20) out.shift();
      out.push(detach(line));
    }
  };

  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !cleaner.lines(text, readLine);
      return !stopped;
    },
    nextBuildAt: () => (nextBuild ? cleaner.stoppedAt : -1),
    finish,
  };

  function finish(): BuildTrace {
    for (const ls of steps) {
      if (ls.failure !== null && !ls.ended) {
        ls.step.status = 'error';
        ls.step.error = ls.failure;
        trace.errors.push({ step: { stage: null, index: ls.step.index }, message: ls.failure, lines: [ls.failure] });
      }
    }
    const failed = trace.errors.length > 0;
    const baseRefs = new Set<string>();
    for (const ls of steps) {
      const s = ls.step;
      const isFrom = s.instruction.startsWith('FROM ');
      if (s.status === 'error') {
        // set from the failure line above
      } else if (!ls.ended && !isFrom && (ls.usedCache || ls.ran)) {
        // The log stops inside the step, but it already said which way it went.
        s.status = ls.usedCache ? 'cached' : 'built';
        s.statusNote = ls.usedCache ? 'the log ends here; the step had taken the cache' : 'the log ends while this step was running: it ran';
        if (!failed) trace.truncated = true;
      } else if (!ls.ended && !isFrom) {
        s.status = 'not-run';
        s.statusNote = failed ? 'the build failed before this step finished' : 'the log ends before this step finished';
        if (!failed) trace.truncated = true;
      } else if (isFrom) {
        if (ls.triggers.length > 0 || ls.triggerRan) {
          s.status = ls.triggerRan ? 'built' : 'cached';
          s.statusNote = `the base image's ONBUILD triggers ${ls.triggerRan ? 'ran' : 'were cached'}${ls.triggers.length ? `: ${ls.triggers.join('; ')}` : ''}`;
        } else if (ls.pulled) {
          s.status = 'built';
          s.statusNote = 'the legacy builder pulled the base image here';
        } else {
          s.status = 'cached';
          s.statusNote = 'FROM uses the local base image as is; it is not rebuilt';
        }
      } else {
        s.status = ls.usedCache ? 'cached' : 'built';
      }
      if (COMPOSE_LABEL_RE.test(s.instruction)) {
        // `docker compose build` (classic builder) appends this LABEL: it is no Dockerfile step.
        trace.notes.push(`${s.label} \`${s.instruction}\` is the label docker compose adds to a classic build, not a Dockerfile step: it is left out.`);
        continue;
      }
      trace.steps.push(s);
      if (isFrom) {
        const { ref, digest } = splitImageRef(s.instruction.slice(5));
        if (!baseRefs.has(ref)) {
          baseRefs.add(ref);
          // The ID under FROM is the only trace of a moved tag in a legacy log: keep it for comparison.
          trace.baseImages.push({ ref, digest, stage: null, imageId: ls.resultId });
        }
      }
    }
    if (zeroBased) trace.notes.push('This engine numbers steps from 0 (`Step 0 : …`); indexes here count from 1.');
    if (trace.truncated) trace.notes.push('The log ends before the build finished: steps without a result are marked not-run.');
    if (tooManySteps) trace.notes.push(`More than ${MAX_VERTICES} steps: the rest of the log was not read.`);
    trace.reading = { repairs: [], learnedPrefix: null, build: 1, builds: 1, unplacedLines: unplaced };
    return trace;
  }
}
