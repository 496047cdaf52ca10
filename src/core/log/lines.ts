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
  /** A prefix learned from the log itself (see `learnPrefix`), stripped after the known ones. */
  learned: LearnedPrefix | null;
  /** Timestamps glued inside a line (stamped per write, not per line): removed wherever they stand. */
  gluedStamps: RegExp | null;
}

export interface LearnedPrefix {
  /** Anchored at the line start. */
  re: RegExp;
  /** Its shape for the report: digit runs as `0`, whitespace shown as written. */
  shape: string;
}

// A leading ISO-8601 timestamp, optionally bracketed, then either a space or the end of the line.
// GitLab (17+) follows it with a stream marker like `00O ` or `01E+ `.
// VS Code dev containers write `2024-02-16 02:29:15.118Z: `.
const ISO_PREFIX_RE = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?:?(?: (?:\d\d[OE]\+? )?| ?$)/;
const CLOCK_PREFIX_RE = /^\[?(\d\d:\d\d:\d\d(?:\.\d+)?)\]?(?: | ?$)/;
const PIPE_PREFIX_RE = /^(?:\[[^\]]{1,100}\]|[A-Za-z0-9][\w.\-/]{0,80})\s*\|(?: |$)/;
// ESC [ … final byte, ESC ] … BEL/ST (titles, hyperlinks), and lone two-byte escapes.
// (Bounded repeats: an unterminated sequence must not make each ESC scan the rest of a huge line.)
// eslint-disable-next-line no-control-regex -- matching ANSI escape sequences is the point
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
    learned: null,
    gluedStamps: null,
  };
  const sample: string[] = [];
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
    sample.push(line);
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
  plan.learned = learnPrefix(sample.map((l) => stripPrefixes(l, plan).line));
  plan.gluedStamps = gluedStampsOf(plan, sample);
  const styles: LinePrefixStyle[] = [];
  if (plan.timestampLine) styles.push('timestamp-line');
  else if (plan.isoTime) styles.push('iso8601');
  else if (plan.clockTime) styles.push('jenkins-time');
  if (plan.pipe) styles.push('job-pipe');
  if (plan.learned) styles.push('learned');
  plan.style = styles.length === 0 ? 'none' : styles.length === 1 ? (styles[0] as LinePrefixStyle) : 'mixed';
  return plan;
}

// Where a build line begins once its decoration is off: BuildKit plain and tty, the legacy builder.
const BUILD_LINE_RE =
  /#\d{1,9} (?:\[|DONE\b|CACHED\b|ERROR\b|CANCELED\b|sha256:|extracting |transferring |resolve |writing |naming |exporting |building with |\d+\.\d+ |\.\.\.)|Step \d+(?:\/\d+)? : |(?<!-)---> |=> |\[\+\] Building |Sending build context |Successfully built |Removing intermediate container /;
const STEP_IN_LINE_RE = /\[[^\]\n]{0,80}\d+\/\d+\] |Step \d+(?:\/\d+)? : /;
/** A learned prefix must stand before at least this share of the build lines in the sample. */
const LEARNED_SHARE = 0.5;
const MAX_LEARNED_LENGTH = 120;

/**
 * Learns a decoration no known CI style covers — a CI that writes tab-separated fields
 * (`build\t24-Jan-2015 22:58:16\t`), a logging framework (`2019-09-25 11:19:08,991 tool INFO Docker: `),
 * an `awk` line number (`2: `), a quote marker — from what stands before the build lines of the sample.
 * Prefixes are grouped by shape (digit runs, letter runs, blanks); the shape most build lines carry becomes
 * a regex in which words that never change stay literal, so a varying word (a month) may vary and the
 * line's own first word is not taken for decoration.
 */
export function learnPrefix(lines: readonly string[]): LearnedPrefix | null {
  const byShape = new Map<string, string[]>();
  let buildLines = 0;
  let lonePrefixes = 0;
  for (const line of lines) {
    const m = BUILD_LINE_RE.exec(line);
    if (m === null) continue;
    buildLines++;
    const prefix = line.slice(0, m.index);
    // A lone line quoted in prose counts only when it is a step (`#7 [2/34] ADD …`), not any log line.
    if (prefix.trim() !== '' && !STEP_IN_LINE_RE.test(line)) lonePrefixes++;
    // A blank prefix counts only as an indentation (a paste indented as a block), not the one space
    // BuildKit's own ` => ` and ` ---> ` begin with.
    if (prefix.length < 2 && prefix.trim() === '') continue;
    if (prefix.length > MAX_LEARNED_LENGTH) continue;
    const shape = shapeOf(prefix);
    const group = byShape.get(shape);
    if (group) group.push(prefix);
    else byShape.set(shape, [prefix]);
  }
  let best: string[] = [];
  for (const group of byShape.values()) if (group.length > best.length) best = group;
  // One line is enough when it is all there is (a snippet of a step or two behind a logging prefix).
  if (best.length < 1 || best.length < buildLines * LEARNED_SHARE || (best.length < 2 && (buildLines > 1 || lonePrefixes > 0))) return null;
  return { re: prefixRegex(best), shape: shapeForReport(best[0] as string) };
}

const RUN_RE = /\d+|[A-Za-z]+|[ \t]+|[^\dA-Za-z \t]/g;

function runsOf(text: string): string[] {
  return text.match(RUN_RE) ?? [];
}

function shapeOf(prefix: string): string {
  return runsOf(prefix)
    .map((r) => (/^\d/.test(r) ? '0' : /^[A-Za-z]/.test(r) ? 'a' : /^[ \t]/.test(r) ? ' ' : r))
    .join('');
}

/** The regex for prefixes of one shape: constant words literal, changing words and numbers as classes. */
function prefixRegex(prefixes: string[]): RegExp {
  const runs = prefixes.map(runsOf);
  const first = runs[0] as string[];
  const parts = first.map((run, i) => {
    if (/^\d/.test(run)) return String.raw`\d+`;
    if (/^[ \t]/.test(run)) return '[ \\t]+';
    if (/^[A-Za-z]/.test(run)) return runs.every((r) => r[i] === run) ? run : '[A-Za-z]+';
    return run.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  });
  // The blank that ends a prefix may be all the indentation a build line had (` ---> `): take it too.
  return new RegExp(`^${parts.join('')}[ \\t]*`);
}

function shapeForReport(prefix: string): string {
  return prefix.replace(/\d+/g, '0');
}

// An ISO-8601 stamp glued to the text before it: `… 2.00kB done2025-03-09 15:44:13.087Z: `.
const GLUED_ISO_RE = /(?<=[A-Za-z.)\]])\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?(?::? |:?$)/g;

/**
 * A stamper that stamps each write rather than each line glues stamps inside lines. Only looked for when
 * lines carry such stamps as their prefix and the sample shows one glued.
 */
function gluedStampsOf(plan: PrefixPlan, sample: readonly string[]): RegExp | null {
  if (!plan.isoTime) return null;
  return sample.some((l) => {
    GLUED_ISO_RE.lastIndex = 0;
    return GLUED_ISO_RE.test(l);
  })
    ? GLUED_ISO_RE
    : null;
}

/** A line start right after a glued stamp: the stamp stood between two lines, not inside one. */
const LINE_AFTER_STAMP_RE = /^(?:#\d{1,9} |Step \d| ?---> |\s*=> |\[\+\] )/;

/** The lines a line with glued stamps stands for: cut where a line starts after a stamp, else joined. */
function splitGlued(line: string, re: RegExp): string[] {
  const out: string[] = [];
  let current = '';
  let from = 0;
  re.lastIndex = 0;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    current += line.slice(from, m.index);
    from = m.index + m[0].length;
    if (LINE_AFTER_STAMP_RE.test(line.slice(from))) {
      out.push(current);
      current = '';
    }
  }
  out.push(current + line.slice(from));
  return out.filter((l, i) => i === 0 || l.trim() !== '');
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
    plan.learned !== null ||
    plan.gluedStamps !== null ||
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
  /** Where in the last text given to `lines` the line the visitor stopped at begins; -1 if it did not stop. */
  stoppedAt = -1;
  /** Where the line being visited begins in the text given to `lines`. */
  lineStart = 0;

  constructor(plan: PrefixPlan) {
    this.#plan = plan;
    this.#decorated = plan.clockTime || plan.isoTime || plan.pipe || plan.timestampLine || plan.learned !== null;
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
    this.stoppedAt = -1;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = length;
      let line = text.slice(start, end);
      const lineStart = start;
      this.lineStart = start;
      start = end + 1;
      if (this.#fast) {
        // A colour code or CR the head of the log did not show: clean just this line.
        if (needsCleaning(line)) line = cleanLine(line);
        if (visit(line, null) === false) return this.#stop(lineStart);
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
      if (plan.gluedStamps !== null && line.length > 20) {
        for (const part of splitGlued(line, plan.gluedStamps)) {
          if (visit(part, time) === false) return this.#stop(lineStart);
        }
        continue;
      }
      if (visit(line, time) === false) return this.#stop(lineStart);
    }
    return true;
  }

  #stop(lineStart: number): false {
    this.stoppedAt = lineStart;
    return false;
  }
}

const TIME_IN_PREFIX_RE = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b/;

/** The timestamp a learned prefix holds, if any: it still gives durations. */
function timeIn(prefix: string): string | null {
  const m = TIME_IN_PREFIX_RE.exec(prefix);
  return m ? m[0].replace(',', '.') : null;
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
  if (plan.learned !== null) {
    const m = plan.learned.re.exec(line);
    if (m !== null && m[0].length < line.length) {
      time ??= timeIn(m[0]);
      line = line.slice(m[0].length);
    }
  }
  if (bare) line = '';
  return { line, time, bare };
}
