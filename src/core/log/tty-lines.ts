/**
 * The grammar of BuildKit's tty display as typed line kinds: what a row of the final screen is, before
 * tty.ts decides what it means for the build.
 *
 *   [+] Building 12.3s (17/18) FINISHED
 *    => CACHED [stage 2/5] COPY …      0.0s
 *    => [2/5] RUN …                    12.3s
 *    => => transferring context: 45B    0.0s
 *    => ERROR [stage-1 3/5] RUN …       0.5s
 */

export type TtyLine =
  /** `[+] Building 12.3s (17/18) FINISHED`: the display's header, redrawn with every frame. */
  | { kind: 'header'; seconds: number; done: number; total: number; tail: string }
  /** `#1 [`, `Step 1 : `…: the next build printed in another mode (`--progress=plain`, the legacy builder). */
  | { kind: 'other-mode-start' }
  /** ` => [CACHED|ERROR|CANCELED] name   12.3s`: a vertex and its result. */
  | { kind: 'row'; result: RowResult; name: string; gap: number; time: string | undefined }
  /** ` => WARN: …`: a build check. */
  | { kind: 'warn'; text: string }
  /** ` => => # text`: output of the vertex above. */
  | { kind: 'sub-output'; text: string }
  /** ` => => transferring context: 45B`: a status of the vertex above. */
  | { kind: 'sub-status'; status: string }
  /** A ` => ` row that cannot be read (no gap before the time, a line break inside). */
  | { kind: 'broken-row' }
  /** The trailer (`------` blocks, the final error), the warnings list, chatter around the display. */
  | { kind: 'outside' };

/** What a row says of its vertex: no prefix is a vertex that ran (or is running). */
export type RowResult = 'cached' | 'error' | 'canceled' | 'done';

const HEADER_RE = /^\s*\[\+\] Building ([\d.]+)s \((\d+)\/(\d+)\)(.*)$/;
// ` => [CACHED|ERROR|CANCELED] name   12.3s` — the leading space is often lost in a paste. The name and the
// time are split by `splitTimed`, not by a regex: `(.*?)(\s+)(time)?\s*$` backtracks cubically on a line of
// spaces (2,000 spaces took 5 s, a hostile 1 MB line would never end).
const VERTEX_HEAD_RE = /^\s*=> (?!=> )(?:(CACHED|ERROR|CANCELED) )?/;
const SUB_HEAD_RE = /^\s*=> => /;
const TIME_RE = /^\d+(?:\.\d+)?s$/;
const LINE_BREAK_RE = /[\n\r\u2028\u2029]/;
const OTHER_MODE_START_RE = /^(?:#0 building with |#1 \[|Step 1(?:\/\d+)? : |Sending build context to Docker daemon)/;
const RESULT_OF_PREFIX: Record<string, RowResult> = { CACHED: 'cached', ERROR: 'error', CANCELED: 'canceled' };

const OTHER_MODE_START: TtyLine = { kind: 'other-mode-start' };
const BROKEN_ROW: TtyLine = { kind: 'broken-row' };
const OUTSIDE: TtyLine = { kind: 'outside' };

/** `trimmed` is `line` without its leading whitespace. */
export function classifyTtyLine(line: string, trimmed: string): TtyLine {
  const header = HEADER_RE.exec(line);
  if (header) return { kind: 'header', seconds: Number(header[1]), done: Number(header[2]), total: Number(header[3]), tail: header[4] as string };
  if (OTHER_MODE_START_RE.test(line)) return OTHER_MODE_START;
  if (trimmed.startsWith('=> => ')) return classifySub(line);
  if (trimmed.startsWith('=> ')) return classifyRow(line);
  return OUTSIDE;
}

function classifyRow(line: string): TtyLine {
  const m = matchVertex(line);
  if (!m) return BROKEN_ROW;
  const [prefix, name, gap, time] = m;
  if (name.startsWith('WARN: ')) return { kind: 'warn', text: name.slice(6) };
  return { kind: 'row', result: prefix === undefined ? 'done' : (RESULT_OF_PREFIX[prefix] as RowResult), name, gap: gap.length, time };
}

function classifySub(line: string): TtyLine {
  const sub = matchSub(line);
  if (!sub) return BROKEN_ROW;
  return sub.startsWith('# ') ? { kind: 'sub-output', text: sub.slice(2) } : { kind: 'sub-status', status: sub };
}

/** `name   12.3s  ` → name, the whitespace between name and time, the time (undefined when none). */
function splitTimed(rest: string): { name: string; gap: string; time: string | undefined } {
  const end = rest.trimEnd();
  let cut = end.length;
  let time: string | undefined;
  if (end.endsWith('s')) {
    let from = end.length - 1;
    while (from > 0 && /[\d.]/.test(end[from - 1]!)) from--;
    const candidate = end.slice(from);
    if (from > 0 && /\s/.test(end[from - 1]!) && TIME_RE.test(candidate)) {
      time = candidate;
      cut = from;
    }
  }
  const name = end.slice(0, cut).trimEnd();
  return { name, gap: time === undefined ? rest.slice(end.length) : end.slice(name.length, cut), time };
}

/** [prefix, name, gap, time]; null when the line has no trailing gap or time. */
function matchVertex(line: string): [string | undefined, string, string, string | undefined] | null {
  const head = VERTEX_HEAD_RE.exec(line);
  if (!head) return null;
  const { name, gap, time } = splitTimed(line.slice(head[0].length));
  if (LINE_BREAK_RE.test(name)) return null;
  // A row pasted without its padding and time (`=> CACHED [2/5] COPY . .`) is still a step, if it names one.
  if (gap === '' && !name.startsWith('[')) return null;
  return [head[1], name, gap, time];
}

/** The body of a ` => => ` line without its time; null when it holds a line break. */
function matchSub(line: string): string | null {
  const head = SUB_HEAD_RE.exec(line);
  if (!head) return null;
  const { name } = splitTimed(line.slice(head[0].length));
  return LINE_BREAK_RE.test(name) ? null : name;
}
