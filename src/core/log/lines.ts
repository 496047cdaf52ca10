/**
 * Splitting a log into lines and taking off the decoration CI consoles add to every line.
 *
 * Which decorations a log carries is decided once per log from a sample of its first lines, so that an
 * ordinary log whose output happens to start with `12:00:00 ` keeps its text. Each enabled stripper is
 * then tried on every line. Timestamps are kept: they give real durations.
 *
 * Hot path: a plain log without decoration costs one `indexOf` and one `slice` per line; the regexes
 * only run when the sample showed the decoration is there.
 */
import type { LinePrefixStyle } from '../model.ts';

export interface PrefixPlan {
  style: LinePrefixStyle;
  /** The log holds ESC bytes: strip ANSI sequences (colours, erase-line, GitLab's `\x1b[0K`). */
  ansi: boolean;
  /** The log holds CR bytes: a CR inside a line means the terminal overwrote what came before it. */
  carriageReturns: boolean;
  /** GitLab raw traces mark sections with `section_start:<epoch>:<name>\r`. */
  gitlabSections: boolean;
  /** Line-number links left by copying a GitHub Actions log page. */
  githubLinks: boolean;
  /** Jenkins timestamper `HH:MM:SS `. */
  clockTime: boolean;
  /** ISO-8601 timestamps: GitHub Actions, Gitea, GitLab, `[2026-11-29T16:26:56.615Z] `. */
  isoTime: boolean;
  /** `[job] | ` (act, Gitea) and `service  | ` (compose logs) prefixes. */
  pipe: boolean;
  /** A timestamp alone on the line before each log line. */
  timestampLine: boolean;
}

// A leading ISO-8601 timestamp, optionally bracketed, then either a space or the end of the line.
// GitLab (17+) follows it with a stream marker like `00O ` or `01E+ `.
// VS Code dev containers write `2024-02-16 02:29:15.118Z: `.
const ISO_PREFIX_RE = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?:?(?: (?:\d\d[OE]\+? )?| ?$)/;
const CLOCK_PREFIX_RE = /^\[?(\d\d:\d\d:\d\d(?:\.\d+)?)\]?(?: | ?$)/;
const PIPE_PREFIX_RE = /^(?:\[[^\]]{1,100}\]|[A-Za-z0-9][\w.\-/]{0,80})\s*\|(?: |$)/;
// ESC [ … final byte, ESC ] … BEL/ST (titles, hyperlinks), and lone two-byte escapes.
// (Bounded repeats: an unterminated sequence must not make each ESC scan the rest of a huge line.)
const ANSI_RE = /\x1b(?:\[[0-9;?<=>]{0,32}[ -/]{0,4}[@-~]|\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const GITLAB_SECTION_RE = /section_(?:start|end):\d+:[^\r\s]*\r?/g;
// Copying a GitHub Actions log from the web page leaves line-number links inside the text:
// `54682[432](https://github.com/o/r/actions/runs/1/jobs/2#step:4:448)b4b7…`.
const GITHUB_LINE_LINK_RE = /\[\d{1,9}\]\(https:\/\/github\.com\/[^)\s#]{1,300}#step:\d{1,6}:\d{1,9}\)/g;

const SAMPLE_LINES = 400;
export const HEAD_BYTES = 1 << 20;

/** Looks at the first lines of the log and decides which decorations to strip. */
export function planPrefixes(text: string): PrefixPlan {
  return planPrefixesOfHead(text, true) as PrefixPlan;
}

/**
 * The plan from the head of a log; null when `head` is not the whole log (`complete` false) and does not
 * yet hold what the plan is decided on (HEAD_BYTES of text and SAMPLE_LINES non-blank lines), so a stream
 * reads on and asks again. Only whole lines of an incomplete head are sampled.
 */
export function planPrefixesOfHead(text: string, complete: boolean): PrefixPlan | null {
  if (!complete && text.length < HEAD_BYTES) return null;
  // Decided on the head of the log: scanning 50 MB three times costs more than reading it. Stray control
  // bytes later on are still caught line by line (see LineCleaner).
  const head = text.length > HEAD_BYTES ? text.slice(0, HEAD_BYTES) : text;
  const plan: PrefixPlan = {
    style: 'none',
    ansi: head.includes('\x1b'),
    carriageReturns: head.includes('\r'),
    gitlabSections: head.includes('section_start:') || head.includes('section_end:'),
    githubLinks: head.includes('#step:') && head.includes('](https://github.com/'),
    clockTime: false,
    isoTime: false,
    pipe: false,
    timestampLine: false,
  };
  let sampled = 0;
  let iso = 0;
  let clock = 0;
  let bareStamp = 0;
  let pipe = 0;
  let start = 0;
  while (start < text.length && sampled < SAMPLE_LINES) {
    let end = text.indexOf('\n', start);
    if (end === -1) {
      if (!complete) return null;
      end = text.length;
    }
    let line = text.slice(start, end);
    start = end + 1;
    line = cleanControls(line, plan);
    if (line.trim() === '') continue;
    sampled++;
    const isoMatch = ISO_PREFIX_RE.exec(line);
    const clockMatch = isoMatch ? null : CLOCK_PREFIX_RE.exec(line);
    const stamp = isoMatch ?? clockMatch;
    if (isoMatch) iso++;
    if (clockMatch) clock++;
    if (stamp && stamp[0].length >= line.trimEnd().length) bareStamp++;
    const rest = stamp ? line.slice(stamp[0].length) : line;
    if (PIPE_PREFIX_RE.test(rest)) pipe++;
  }
  if (!complete && sampled < SAMPLE_LINES) return null;
  if (sampled === 0) return plan;
  const stamped = iso + clock;
  // A log where about half the lines are a bare timestamp puts each timestamp on its own line.
  if (bareStamp >= sampled * 0.3 && stamped - bareStamp < sampled * 0.2) {
    plan.timestampLine = true;
    plan.isoTime = iso > 0;
    plan.clockTime = clock > 0;
  } else {
    plan.isoTime = iso >= sampled * 0.5;
    plan.clockTime = !plan.isoTime && clock >= sampled * 0.5;
  }
  plan.pipe = pipe >= sampled * 0.5;
  const styles: LinePrefixStyle[] = [];
  if (plan.timestampLine) styles.push('timestamp-line');
  else if (plan.isoTime) styles.push('iso8601');
  else if (plan.clockTime) styles.push('jenkins-time');
  if (plan.pipe) styles.push('job-pipe');
  plan.style = styles.length === 0 ? 'none' : styles.length === 1 ? (styles[0] as LinePrefixStyle) : 'mixed';
  return plan;
}

const ALL_CONTROLS = { ansi: true, gitlabSections: true, githubLinks: true } as const;

/** Escape sequences, GitLab section markers; a CR inside the line keeps only what the terminal showed last. */
function cleanControls(line: string, plan: Pick<PrefixPlan, 'ansi' | 'gitlabSections' | 'githubLinks'>): string {
  if (plan.ansi && line.includes('\x1b')) line = line.replace(ANSI_RE, '');
  if (plan.gitlabSections && line.includes('section_')) line = line.replace(GITLAB_SECTION_RE, '');
  if (plan.githubLinks && line.includes('#step:')) line = line.replace(GITHUB_LINE_LINK_RE, '');
  return line;
}

/** A line as the console showed it: colour codes gone, CR overwrites applied. */
export function cleanLine(line: string): string {
  return resolveCarriageReturns(cleanControls(line, ALL_CONTROLS));
}

/** Takes the CR overwrite into account: `a\rb` shows `b`; trailing CRs (CRLF, `\r\r\n`) are line ends. */
function resolveCarriageReturns(line: string): string {
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 13) end--;
  if (end !== line.length) line = line.slice(0, end);
  const cr = line.lastIndexOf('\r');
  return cr === -1 ? line : line.slice(cr + 1);
}

/** Receives each cleaned line and the timestamp its prefix carried; return false to stop early. */
export type LineVisitor = (line: string, time: string | null) => boolean | void;

/** No prefix, no control bytes at the head of the log: lines can be used as they are. */
export function isUndecorated(plan: PrefixPlan): boolean {
  return !(
    plan.clockTime ||
    plan.isoTime ||
    plan.pipe ||
    plan.timestampLine ||
    plan.ansi ||
    plan.carriageReturns ||
    plan.gitlabSections ||
    plan.githubLinks
  );
}

/** In an undecorated log, a line that still needs `cleanLine`: a colour code or CR the head did not show. */
export function needsCleaning(line: string): boolean {
  const first = line.charCodeAt(0);
  return first === 27 || first === 115 /* s */ || line.charCodeAt(line.length - 1) === 13 || (first !== 35 && line.includes('\x1b'));
}

/**
 * Cleans the raw lines of one log in order. It keeps the state a line can leave for the next (a
 * timestamp alone on its line), so a log read in pieces gives the same lines as a whole one.
 */
export class LineCleaner {
  readonly #plan: PrefixPlan;
  readonly #decorated: boolean;
  readonly #fast: boolean;
  #pendingTime: string | null = null;

  constructor(plan: PrefixPlan) {
    this.#plan = plan;
    this.#decorated = plan.clockTime || plan.isoTime || plan.pipe || plan.timestampLine;
    this.#fast = isUndecorated(plan);
  }

  /**
   * Calls `visit` with each line of `text` (lines end at LF; a last line without one counts); returns
   * false when the visitor stopped.
   */
  lines(text: string, visit: LineVisitor): boolean {
    const plan = this.#plan;
    let start = 0;
    const length = text.length;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = length;
      let line = text.slice(start, end);
      start = end + 1;
      if (this.#fast) {
        // A colour code or CR the head of the log did not show: clean just this line.
        if (needsCleaning(line)) line = cleanLine(line);
        if (visit(line, null) === false) return false;
        continue;
      }
      line = cleanControls(line, plan);
      let time: string | null = null;
      if (this.#decorated) {
        const stripped = stripPrefixes(line, plan);
        line = stripped.line;
        time = stripped.time;
        if (plan.timestampLine) {
          if (stripped.bare) {
            this.#pendingTime = time;
            continue;
          }
          if (time === null) time = this.#pendingTime;
          this.#pendingTime = null;
        }
      }
      if (plan.carriageReturns) line = resolveCarriageReturns(line);
      if (visit(line, time) === false) return false;
    }
    return true;
  }
}

interface Stripped {
  line: string;
  time: string | null;
  /** The line was nothing but a timestamp. */
  bare: boolean;
}

function stripPrefixes(line: string, plan: PrefixPlan): Stripped {
  let time: string | null = null;
  let bare = false;
  // Timestamp, then job prefix, then a timestamp again: act prints `[job] | ` before the tool's own stamps.
  for (let pass = 0; pass < 2; pass++) {
    if (plan.isoTime || plan.clockTime) {
      const m = (plan.isoTime ? ISO_PREFIX_RE : CLOCK_PREFIX_RE).exec(line);
      if (m) {
        time ??= m[1] ?? null;
        line = line.slice(m[0].length);
        if (line.trim() === '') bare = true;
      }
    }
    if (pass === 0 && plan.pipe) {
      const m = PIPE_PREFIX_RE.exec(line);
      if (m) line = line.slice(m[0].length);
      else break;
    } else break;
  }
  if (bare) line = '';
  return { line, time, bare };
}
