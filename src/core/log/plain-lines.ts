/**
 * The grammar of a `--progress=plain` log, as typed line kinds: what a line is, before the reader
 * (plain.ts) decides what it means for the build. Pure functions of the text; the only context a kind
 * needs is whether the vertex's header was the line just before (a `#N sha256:` line is a digest only there).
 */

/** A whole line of the log. */
export type PlainLine =
  | { kind: 'blank' }
  /** `#0 building with "X" instance using Y driver` (buildx ≥ 0.11): a build's first line. */
  | { kind: 'builder'; name: string; driver: string }
  /** `#N <rest>`: a header, a status, a result or output of vertex N. */
  | { kind: 'vertex'; n: number; rest: string }
  /** The legacy builder or the tty display starting: the same script building in another mode. */
  | { kind: 'other-mode-start'; line: string }
  /** Anything else: the trailer (`------` blocks, `ERROR: failed to solve`), the warnings list, chatter. */
  | { kind: 'outside'; line: string };

/** What follows `#N ` on a line of a vertex whose record is known. */
export type VertexBody =
  /** `#N sha256:<digest>` right under the header (BuildKit v0.8). */
  | { kind: 'digest'; digest: string }
  | { kind: 'done'; durationText: string | null }
  | { kind: 'cached' }
  | { kind: 'canceled' }
  | { kind: 'error'; message: string | null }
  /** `#N WARN: …` a build check (BuildKit ≥ v0.14). */
  | { kind: 'warn'; text: string }
  /** `#N 0.225 text`: output, seconds since the vertex started then the text. */
  | { kind: 'output' }
  /** Docker 18.09: `#N       digest: …`, one field per line. */
  | { kind: 'old-field'; field: OldField; value: string }
  /** `#N ...`: the printer switches to another vertex. */
  | { kind: 'switch-away' }
  /** A progress status (`transferring context: 2B done`, `sha256:… 1.2MB / 3.4MB`, `resolve …`). */
  | { kind: 'status' };

export type OldField = 'digest' | 'name' | 'started' | 'completed' | 'duration' | 'cached' | 'error';

const BUILDER_RE = /^building with "([^"]*)" instance using (\S+) driver/;
const OLD_FIELD_RE = /^\s+(digest|name|started|completed|duration|cached|error):\s?(.*)$/;
/** The legacy builder or the tty display starting (a script that builds with both). */
const OTHER_MODE_START_RE = /^(?:Sending build context to Docker daemon|Step 1(?:\/\d+)? : |\s*\[\+\] Building [\d.]+s \()/;

export function classifyPlainLine(line: string): PlainLine {
  const n = vertexNumber(line);
  if (n === -1) {
    if (line.length === 0) return { kind: 'blank' };
    return OTHER_MODE_START_RE.test(line) ? { kind: 'other-mode-start', line } : { kind: 'outside', line };
  }
  const rest = line.slice(line.indexOf(' ') + 1);
  if (n === 0) {
    const m = BUILDER_RE.exec(rest);
    if (m) return { kind: 'builder', name: m[1] as string, driver: m[2] as string };
  }
  return { kind: 'vertex', n, rest };
}

// Dispatch on the first character, as the printer's words start with distinct letters: most lines are
// decided by one comparison.
const CACHED: VertexBody = { kind: 'cached' };
const CANCELED: VertexBody = { kind: 'canceled' };
const OUTPUT: VertexBody = { kind: 'output' };
const SWITCH_AWAY: VertexBody = { kind: 'switch-away' };
const STATUS: VertexBody = { kind: 'status' };

export function classifyVertexBody(rest: string, afterHeader: boolean): VertexBody {
  const c = rest.charCodeAt(0);
  if (afterHeader && c === 115 /* s */ && rest.length === 71 && rest.startsWith('sha256:')) return { kind: 'digest', digest: rest };
  if (c === 68 /* D */ && (rest === 'DONE' || rest.startsWith('DONE '))) return { kind: 'done', durationText: rest.length > 5 ? rest.slice(5) : null };
  if (c === 67 /* C */) {
    if (rest === 'CACHED') return CACHED;
    if (rest === 'CANCELED') return CANCELED;
  }
  if (c === 69 /* E */ && (rest === 'ERROR' || rest.startsWith('ERROR: ') || rest.startsWith('ERROR '))) {
    return { kind: 'error', message: rest.length > 6 ? rest.slice(rest.charCodeAt(5) === 58 ? 7 : 6) : null };
  }
  if (c === 87 /* W */ && rest.startsWith('WARN: ')) return { kind: 'warn', text: rest.slice(6) };
  if (c >= 48 && c <= 57 && isLogLine(rest)) return OUTPUT;
  if (c === 32 /* space */) {
    const m = OLD_FIELD_RE.exec(rest);
    if (m) return { kind: 'old-field', field: m[1] as OldField, value: m[2] as string };
  }
  return rest === '...' ? SWITCH_AWAY : STATUS;
}

/** `#12 …` → 12; -1 when the line is not a vertex line. */
export function vertexNumber(line: string): number {
  if (line.charCodeAt(0) !== 35 /* # */) return -1;
  let n = 0;
  let i = 1;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) break;
    if (c < 48 || c > 57 || i > 9) return -1;
    n = n * 10 + (c - 48);
  }
  if (i === 1 || i >= line.length - 1) return -1;
  return n;
}

/** `0.225 text`, `12.34 text`, `123.4`: seconds since the vertex started, then the output. */
function isLogLine(rest: string): boolean {
  return isLogLineAt(rest, 0);
}

export function isLogLineAt(line: string, from: number, end = line.length): boolean {
  let i = from;
  let dot = false;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) {
      if (dot) return false;
      dot = true;
    } else if (c < 48 || c > 57) break;
  }
  return dot && i > from + 1 && (i === end || line.charCodeAt(i) === 32 || line.charCodeAt(i) === 13);
}

/** `#<expected> 1.234 …` between start and end: an output line of the vertex printed just before. */
export function isOutputOf(text: string, start: number, end: number, expected: number): boolean {
  if (text.charCodeAt(start) !== 35 /* # */) return false;
  let n = 0;
  let i = start + 1;
  const limit = Math.min(end, start + 11);
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) break;
    if (c < 48 || c > 57) return false;
    n = n * 10 + (c - 48);
  }
  if (i === start + 1 || n !== expected || text.charCodeAt(i) !== 32) return false;
  const c = text.charCodeAt(i + 1);
  return c >= 48 && c <= 57 && isLogLineAt(text, i + 1, end);
}

/** `#7 0.225 color=red` → `color=red` (the output ring holds whole lines while reading). */
export function withoutLogPrefix(line: string): string {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  return b === -1 ? '' : line.slice(b + 1);
}

/** A first line of an unseen `#N` is its header, unless a paste began mid-stream. */
export function looksLikeHeader(rest: string): boolean {
  if (rest === '...' || rest === 'CACHED' || rest === 'CANCELED' || rest === 'DONE') return false;
  if (rest.startsWith('DONE ') || rest.startsWith('ERROR') || rest.startsWith('WARN: ') || isLogLine(rest)) return false;
  return !STATUS_START_RE.test(rest);
}

// Status lines a paste can begin with (the vertex header scrolled away above it).
// (`resolve image config for …` and `exporting to image`/`exporting cache` are vertex names, not statuses.)
const STATUS_START_RE =
  /^(?:sha256:[0-9a-f]{6,}|extracting |transferring |resolve (?!image config)|exporting (?!to |cache)|writing |naming |unpacking |preparing |pulling |pushing |copying |reading from )/;

/** Vertex names the printer re-prints: Dockerfile steps and internal or export vertices. */
export function isVertexName(rest: string): boolean {
  return rest.charCodeAt(0) === 91 /* [ */ || /^(?:exporting to|importing cache|resolve image config|docker-image:\/\/)/.test(rest);
}

/** `[beat stage-1 6/6] RUN x` and `[worker stage-1 6/6] RUN x`: the same step, named after two targets. */
export function sameStepOtherTarget(a: string, b: string): boolean {
  const ma = TARGETED_STEP_RE.exec(a);
  const mb = TARGETED_STEP_RE.exec(b);
  return ma !== null && mb !== null && ma[1] !== mb[1] && ma[2] === mb[2];
}

const TARGETED_STEP_RE = /^\[([^\s/]+) (\S+ \d+\/\d+\] .*)$/;

const INTERNAL_LOAD_RE = /^\[(?:[^\]]* )?internal\] load /;

/** `[internal] load …` (also `[web internal] load …`): the first vertices of every build. */
export function isInternalLoad(rest: string): boolean {
  return rest.charCodeAt(0) === 91 /* [ */ && INTERNAL_LOAD_RE.test(rest);
}

/** Whether a line ends the progress stream and opens the trailer (the error block, the final error). */
export function opensTrailer(trimmed: string): boolean {
  return (
    trimmed === '------' ||
    trimmed.startsWith('------ ') ||
    trimmed.startsWith('ERROR: failed to') ||
    trimmed.startsWith('error: failed to') ||
    trimmed.startsWith('failed to solve') ||
    trimmed.startsWith('executor failed running') ||
    /^Dockerfile(?:\S*)?:\d+$/.test(trimmed)
  );
}
