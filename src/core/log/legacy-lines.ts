/**
 * The grammar of a legacy-builder log (`DOCKER_BUILDKIT=0`) as typed line kinds: what a line is, before
 * legacy.ts decides what it means for the build. Kinds are tried in this order; a line is the first kind
 * it fits.
 */

export type LegacyLine =
  /** `Step 2/9 : ADD …`, `Step 8 : …` (old engines: no total). */
  | { kind: 'step'; number: number; /** As printed (the label keeps it). */ total: string | null; instruction: string }
  /** `#0 building with …`, `#1 [`, `[+] Building`: BuildKit printing in the same text. */
  | { kind: 'buildkit-start' }
  /** ` ---> Using cache`, ` ---> Running in …`, ` ---> <id>`. */
  | { kind: 'arrow'; what: string }
  /** `# Executing 2 build triggers`: the base image's ONBUILD triggers run under the FROM. */
  | { kind: 'triggers' }
  /** `Trigger 0, COPY . /app`. */
  | { kind: 'trigger'; instruction: string }
  /** `Sending build context to Docker daemon  2.048kB`: every build's first line. */
  | { kind: 'context'; size: string }
  | { kind: 'built'; imageId: string }
  | { kind: 'warning'; text: string }
  /** A base image being pulled (`Pulling from`, `Pull complete`, `Status: Downloaded newer image`). */
  | { kind: 'pull' }
  /** How the legacy builder reports a failed step (a RUN's own output can say the same words). */
  | { kind: 'failure' }
  /** Output of the step, or chatter around the build. */
  | { kind: 'other' };

const STEP_RE = /^Step (\d+)(?:\/(\d+))? : (.*)$/;
// The arrow has one leading space; CI stampers sometimes add another.
const ARROW_RE = /^\s*---> (.*)$/;
const TRIGGERS_RE = /^# Executing (\d+) build triggers?/;
const TRIGGER_RE = /^Trigger (\d+), (.*)$/;
const CONTEXT_RE = /^Sending build context to Docker daemon\s+([\d.]+\s?[kKMGTP]?i?B)/;
const BUILDKIT_START_RE = /^(?:#0 building with |#1 \[|\[\+\] Building )/;
const BUILT_RE = /^Successfully built ([0-9a-f]+)/;
// (`Get http://…: dial tcp …`: how old engines reported an ADD <url> that could not be fetched.)
const FAILURE_RE =
  /^(?:The command .* returned a non-zero code: \d+|(?:COPY|ADD) failed: .*|failed to .*|Error response from daemon: .*|unable to prepare context: .*|Get https?:\/\/\S+: .*)$/;
const PULL_RE = /^(?:(?:[\w.-]+: )?Pulling from |Status: Downloaded newer image|[0-9a-f]{12}: (?:Pull complete|Pulling fs layer))/;
/** Longer lines are never taken for a failure message (and the regex need not run over them). */
const MAX_FAILURE_CHARS = 4096;

const FAILURE: LegacyLine = { kind: 'failure' };
const OTHER: LegacyLine = { kind: 'other' };

export function classifyLegacyLine(line: string): LegacyLine {
  const step = line.charCodeAt(0) === 83 /* S */ ? STEP_RE.exec(line) : null;
  if (step) {
    return { kind: 'step', number: Number(step[1]), total: step[2] ?? null, instruction: (step[3] as string).trim() };
  }
  if (BUILDKIT_START_RE.test(line)) return { kind: 'buildkit-start' };
  const arrow = ARROW_RE.exec(line);
  if (arrow) return { kind: 'arrow', what: (arrow[1] as string).trim() };
  if (TRIGGERS_RE.test(line)) return { kind: 'triggers' };
  let m = TRIGGER_RE.exec(line);
  if (m) return { kind: 'trigger', instruction: (m[2] as string).trim() };
  m = CONTEXT_RE.exec(line);
  if (m) return { kind: 'context', size: m[1] as string };
  m = BUILT_RE.exec(line);
  if (m) return { kind: 'built', imageId: m[1] as string };
  if (line.startsWith('[Warning] ')) return { kind: 'warning', text: line.slice(10) };
  if (PULL_RE.test(line)) return { kind: 'pull' };
  if (line.length < MAX_FAILURE_CHARS && FAILURE_RE.test(line)) return FAILURE;
  return OTHER;
}
