/**
 * Damage a log takes on its way from a console to cachewhy — a forum that folds a code block into one
 * paragraph, chat that double-spaces it, a terminal or mail client that hard-wraps it, HTML entities,
 * non-breaking and zero-width spaces, typographic quotes, Markdown emphasis around timestamps — and its
 * repair, before any format is sniffed.
 *
 * Which repairs a text needs is decided once, from its head, so that a clean log is passed through
 * untouched (the usual case costs nothing) and a single odd line does not switch a repair on. The repairs
 * themselves work line by line on a stream, holding at most one line back (to join a wrapped line).
 */
import type { TransitRepair } from '../model.ts';

export interface RepairPlan {
  repairs: TransitRepair[];
  /** The column a hard-wrapped text was cut at. */
  wrapWidth: number | null;
  /** How most lines start (a decoration's shape): a line starting so is no wrapped line's rest. */
  commonStart: string | null;
  /** The wrap width was measured on the text as it came, before characters were repaired (`…` → `...`). */
  wrapOnRaw?: boolean;
  /** The shapes of the tokens a decoration puts before each folded line (`[a]`, `|`): cut before them. */
  foldPrefix?: string[] | null;
}

/** Enough of a text to tell its damage; a stream is held this long before reading starts. */
export const REPAIR_HEAD_CHARS = 1 << 16;

// Where a line of a build log begins, found in the middle of a folded line: a BuildKit vertex line, a
// legacy step, arrow or pull line, a tty row, the tty header. Each must follow whitespace (INNER_MARKER_RE).
const MARKER_BODY =
  String.raw`#\d{1,5} (?:\[|DONE\b|CACHED\b|ERROR\b|CANCELED\b|WARN:|sha256:|extracting |transferring |resolve |writing |naming |exporting |pulling |pushing |unpacking |preparing |copying |\d+\.\d+ |\.\.\.)` +
  String.raw`|Step \d{1,4}(?:\/\d{1,4})? : ` +
  // Not any `---> `: yum prints `---> Package …` in a RUN's output.
  String.raw`|---> (?:Using cache|Running in\b|Removed intermediate|[0-9a-f]{12}\b)` +
  String.raw`|=> (?:\[|CACHED |ERROR |CANCELED |exporting |naming |writing |transferring |=> )` +
  String.raw`|\[\+\] Building ` +
  String.raw`|Removing intermediate container |Successfully (?:built|tagged) |Sending build context ` +
  String.raw`|(?:[\w.-]+: )?Pulling from |[0-9a-f]{12}: (?:Pull complete|Pulling fs layer|Waiting|Verifying Checksum|Download complete|Already exists)` +
  String.raw`|Digest: sha256:|Status: (?:Downloaded|Image is up to date)|# Executing \d+ build triggers?|Trigger \d+, |Get https?:\/\/` +
  // The `------` fences of BuildKit's error block (the tty and plain printers put the failing step's last
  // lines between two of them).
  String.raw`|------(?=\s|$)|> \[[^\]\n]{0,80}\d+\/\d+\] ` +
  '|```';
const INNER_MARKER_RE = new RegExp(String.raw`(?<=[^\S\n])(?<!=> )(?:${MARKER_BODY})`, 'g');
/**
 * A whitespace-separated token that is a timestamp a forum kept between folded lines: it holds a time
 * (`17:49:32`) or a date, never just numbers (`(15/26)` is a tty header's count).
 */
const STAMP_TOKEN_RE = /^(?:\*\*|__)?[[(]?(?=\S*(?:\d:\d\d|\d{4}-\d\d))[\dTZ:.,+\-/]{5,40}[\])]?(?:\*\*|__)?:?$/;
const LINE_START_RE = new RegExp(String.raw`^\s*(?:${MARKER_BODY}|=> |#\d{1,5} |Step \d|\[\d|\d{2}:\d{2}:\d{2}|\d{4}-\d\d-\d\d|\*\*)`);

/** A line that itself starts with a log line's start (no decoration before it). */
const MARKER_START_RE = new RegExp(String.raw`^\s*(?:${MARKER_BODY})`);

/** `<br>`, `<br/>`, `<br />`: line breaks a web page kept as markup. */
const BR_RE = /<br\s*\/?>/i;
const BR_SPLIT_RE = /<br\s*\/?>/gi;
const ENTITY_RE = /&(?:gt|lt|amp|quot|apos|nbsp|#\d{1,6}|#x[0-9a-f]{1,6});/gi;
const NAMED_ENTITIES: Record<string, string> = { gt: '>', lt: '<', amp: '&', quot: '"', apos: "'", nbsp: ' ' };
// eslint-disable-next-line no-misleading-character-class -- each code point is matched alone; the joiner (\u200d) is one of them
const INVISIBLE_RE = /[\u00a0\u2007\u202f\u200b\u200c\u200d\u2060\ufeff]/g;
const TYPOGRAPHIC_RE = /[\u201c\u201d\u201e\u2018\u2019\u201a\u2026]|(?<=\s)[\u2013\u2014](?=[a-z])/g;
const TYPOGRAPHIC: Record<string, string> = {
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u2026': '...',
  '\u2013': '--',
  '\u2014': '--',
};
// `**17:49:32**`, `__#7__`: emphasis around a short token, never a glob like `**/*.go`.
const EMPHASIS_RE = /\*\*([^*\s/][^*\n/]{0,40}?)\*\*|(?<![\w_])__([^_\s/][^_\n/]{0,40}?)__(?![\w_])/g;

/**
 * The repairs the head of a text needs (all of a text shorter than REPAIR_HEAD_CHARS). Each layer of
 * damage is looked for in the text as the layers above it were repaired, in the order the repairer
 * applies them: characters, blank lines, wraps, then folds (a fold is only seen in unwrapped lines).
 */
export function planRepairs(head: string): RepairPlan {
  const text = head.length > REPAIR_HEAD_CHARS ? head.slice(0, REPAIR_HEAD_CHARS) : head;
  const repairs: TransitRepair[] = [];
  if (BR_RE.test(text)) repairs.push('html-line-breaks');
  for (const [kind, re] of CHARACTER_DAMAGE) {
    re.lastIndex = 0;
    if (re.test(text)) repairs.push(kind);
  }
  const characters = new TransitRepairer({ repairs, wrapWidth: null, commonStart: null });
  let lines = characters.linesOf(text);
  if (isDoubleSpaced(lines)) {
    repairs.push('double-spaced');
    lines = lines.filter((l) => l.trim() !== '');
  }
  const commonStart = commonStartOf(lines);
  // A terminal wraps what it prints; a forum's damage comes later. Measure on the text as it came first.
  const rawLines =
    repairs.length === 0
      ? lines
      : new TransitRepairer({ repairs: repairs.filter((r) => r === 'html-line-breaks' || r === 'double-spaced'), wrapWidth: null, commonStart: null }).linesOf(
          text,
        );
  const rawWidth = hardWrapWidth(rawLines, commonStart);
  const wrapWidth = rawWidth ?? hardWrapWidth(lines, commonStart);
  if (wrapWidth !== null) {
    repairs.push('hard-wrapped');
    lines = new TransitRepairer({ repairs: [], wrapWidth, commonStart }).linesOf(lines.join('\n'));
  }
  const foldPrefix = isFolded(lines) ? foldPrefixOf(lines) : null;
  if (foldPrefix !== null) repairs.push('folded-lines');
  return { repairs, wrapWidth, commonStart, wrapOnRaw: rawWidth !== null, foldPrefix: foldPrefix?.length ? foldPrefix : null };
}

/** Folded: a line holding two line starts, or several lines that start like a log line and hold another. */
function isFolded(lines: string[]): boolean {
  let holding = 0;
  for (const l of lines) {
    const inner = countInnerMarkers(l);
    if (inner >= 2) return true;
    if (inner === 1 && MARKER_START_RE.test(l)) holding++;
  }
  return holding >= 3;
}

/**
 * What a decoration puts before each line of a folded text (`[build] |`, `12:`, a date and a time): the
 * shapes of the up to six tokens that stand both at the start of most folded lines and before most line
 * starts inside them; [] when nothing does. Only a run seen at line starts counts, so the last words of
 * the line before (`DONE 0.0s`) are never taken for it.
 */
function foldPrefixOf(lines: string[]): string[] {
  const folded = lines.filter((l) => countInnerMarkers(l) >= 1);
  for (let k = MAX_FOLD_PREFIX_TOKENS; k >= 1; k--) {
    const atStart = new Map<string, number>();
    for (const l of folded) {
      const shapes = tokensOf(l).slice(0, k).map(tokenShape);
      if (shapes.length === k) atStart.set(shapes.join(' '), (atStart.get(shapes.join(' ')) ?? 0) + 1);
    }
    // The runs before the line starts inside the folded lines, by shape.
    const before = new Map<string, number>();
    let total = 0;
    for (const l of folded) {
      const lead = l.search(/\S/);
      INNER_MARKER_RE.lastIndex = 0;
      for (let m = INNER_MARKER_RE.exec(l); m !== null && total < MAX_FOLD_SAMPLES; m = INNER_MARKER_RE.exec(l)) {
        if (m.index <= lead) continue;
        total++;
        const run = tokensBefore(l, m.index, k).map(tokenShape).join(' ');
        before.set(run, (before.get(run) ?? 0) + 1);
      }
    }
    // Seen at most paragraph starts too, or before nearly every line start (a paragraph may open with prose).
    const best = [...before.entries()].sort((a, b) => b[1] - a[1])[0];
    if (!best || total === 0) continue;
    const startsToo = (atStart.get(best[0]) ?? 0) >= folded.length * 0.6 && best[1] >= total * 0.6;
    const shapes = best[0].split(' ');
    // A decoration has a mark of its own (digits, brackets, a bar); plain words are the text's own.
    const marked = shapes.some((t) => /[^a]/.test(t));
    // (Not a run that begins with a tty row's own time column, `0.1s`, nor with a log line's own start.)
    const ownText = /^(?:#0|=>|--->|0\.0a)$/.test(shapes[0] ?? '');
    if ((startsToo || (best[1] >= total * 0.8 && total >= 3)) && marked && !ownText) return shapes;
  }
  return [];
}

const MAX_FOLD_PREFIX_TOKENS = 6;
/** Line starts looked at to learn a fold's decoration: enough for a vote, bounded for a hostile line. */
const MAX_FOLD_SAMPLES = 2000;

/** The up to `k` whitespace-separated tokens that end right before `at` (scanned back: no copy of the line). */
function tokensBefore(line: string, at: number, k: number): string[] {
  return runBefore(line, at, k).map((t) => t.text);
}

interface Token {
  text: string;
  start: number;
}

/**
 * The up to `k` whitespace-separated tokens that end right before `at`, nearest last, scanned back from
 * `at` (no copy of the line); `keep` stops the run at the first token (from `at` backwards) it refuses.
 */
function runBefore(line: string, at: number, k: number, keep: (token: string, fromEnd: number) => boolean = () => true): Token[] {
  const tokens: Token[] = [];
  let cut = at;
  while (tokens.length < k) {
    let end = cut;
    while (end > 0 && /\s/.test(line.charAt(end - 1))) end--;
    let start = end;
    while (start > 0 && !/\s/.test(line.charAt(start - 1))) start--;
    const text = line.slice(start, end);
    if (start === end || !keep(text, tokens.length)) break;
    tokens.unshift({ text, start });
    cut = start;
  }
  return tokens;
}

function tokensOf(text: string): string[] {
  return text.trim() === '' ? [] : text.trim().split(/\s+/);
}

function tokenShape(token: string): string {
  return token
    .replace(/\*\*|__/g, '')
    .replace(/\d+/g, '0')
    .replace(/[A-Za-z]+/g, 'a');
}

const CHARACTER_DAMAGE: [TransitRepair, RegExp][] = [
  ['html-entities', ENTITY_RE],
  ['invisible-spaces', INVISIBLE_RE],
  ['typographic-quotes', TYPOGRAPHIC_RE],
  ['markdown-emphasis', EMPHASIS_RE],
];

/** The shape of a line's first characters (digits as 0, letters as a), when most lines share it. */
function commonStartOf(lines: string[]): string | null {
  const counts = new Map<string, number>();
  let filled = 0;
  for (const l of lines) {
    if (l.trim() === '') continue;
    filled++;
    const shape = startShape(l);
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  for (const [shape, n] of counts) if (shape.trim() !== '' && n >= filled * 0.6 && n >= 3) return shape;
  return null;
}

/** The shape of a line's first token (`2022-09-10T02:35:51Z` → `0-0-0a0:0:0a`, `[build]` → `[a]`). */
function startShape(line: string): string {
  return tokenShape(line.trimStart().split(/\s/, 1)[0] ?? '');
}

/** Line starts inside a line: after some text, not the line's own start after its indentation. */
function countInnerMarkers(line: string): number {
  if (line.length < 20) return 0;
  INNER_MARKER_RE.lastIndex = 0;
  let count = 0;
  const lead = line.search(/\S/);
  for (let m = INNER_MARKER_RE.exec(line); m !== null; m = INNER_MARKER_RE.exec(line)) {
    if (m.index > lead) count++;
  }
  return count;
}
/**
 * An empty line after (nearly) every line: a paste through a tool that doubled the line breaks. A line as
 * long as the longest one may be a hard wrap's first part, directly followed by its rest: not counted.
 */
function isDoubleSpaced(lines: string[]): boolean {
  let longest = 0;
  for (const l of lines) if (l.length > longest) longest = l.length;
  let judged = 0;
  let blankAfter = 0;
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const nextBlank = (lines[i + 1] as string).trim() === '';
    if (!nextBlank && line.length === longest) continue;
    judged++;
    if (nextBlank) blankAfter++;
  }
  return judged >= 6 && blankAfter >= judged * 0.9;
}

/**
 * A terminal or mail client that cut long lines at one column: no line is longer than that column, several
 * are exactly as long, and what follows such a line mostly does not start like a log line (nor like most
 * lines of this text start, which is a decoration: `[job] | `, `12: `).
 */
function hardWrapWidth(lines: string[], commonStart: string | null): number | null {
  let width = 0;
  for (const l of lines) if (l.length > width) width = l.length;
  if (width < 60 || width > 250) return null;
  let atWidth = 0;
  let continued = 0;
  for (let i = 0; i < lines.length - 1; i++) {
    if ((lines[i] as string).length !== width) continue;
    atWidth++;
    if (continues(lines[i + 1] as string, commonStart)) continued++;
  }
  return atWidth >= 3 && continued >= atWidth * 0.6 ? width : null;
}

/** Whether a line after a full-width one is the rest of it. */
function continues(next: string, commonStart: string | null): boolean {
  if (next.trim() === '' || LINE_START_RE.test(next)) return false;
  return commonStart === null || startShape(next) !== commonStart;
}

/**
 * Applies a plan to a text given in pieces. `push` returns the repaired text of the whole lines so far
 * (a wrapped line is held until the line after it is seen); `flush` returns the rest.
 */
export class TransitRepairer {
  readonly #plan: RepairPlan;
  readonly #has: Set<TransitRepair>;
  #carry = '';
  /** A line of exactly the wrap width, waiting to see whether the next line continues it. */
  #held: { text: string } | null = null;
  /** The held text's length as it came (before character repairs), when the wrap was measured so. */
  #heldRaw: number | null = null;

  #takeHeld(): string {
    const text = (this.#held as { text: string }).text;
    this.#held = null;
    this.#heldRaw = null;
    return text;
  }

  /** A finished line: cut apart where it was folded. */
  #emit(out: string[], line: string): void {
    if (this.#has.has('folded-lines')) out.push(...unfold(line, this.#plan.foldPrefix ?? null));
    else out.push(line);
  }

  constructor(plan: RepairPlan) {
    this.#plan = plan;
    this.#has = new Set(plan.repairs);
  }

  get needed(): boolean {
    return this.#plan.repairs.length > 0;
  }

  /** A whole text, repaired, as lines. */
  linesOf(text: string): string[] {
    const out = this.push(text) + this.flush();
    const lines = out.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  }

  push(text: string): string {
    const all = this.#carry + text;
    const cut = all.lastIndexOf('\n');
    if (cut === -1) {
      this.#carry = all;
      return '';
    }
    this.#carry = all.slice(cut + 1);
    return this.#lines(all.slice(0, cut));
  }

  flush(): string {
    const rest = this.#carry;
    this.#carry = '';
    let out = rest === '' ? '' : this.#lines(rest);
    if (this.#held !== null) {
      const last: string[] = [];
      this.#emit(last, this.#takeHeld());
      out += last.join('\n') + '\n';
    }
    return out;
  }

  /** Repairs `text` (whole lines without the last line end) and returns them, each ended by `\n`. */
  #lines(text: string): string {
    const out: string[] = [];
    if (this.#has.has('html-line-breaks')) text = text.replace(BR_SPLIT_RE, '\n');
    const width = this.#plan.wrapWidth;
    for (let line of text.split('\n')) {
      const cr = line.endsWith('\r');
      if (cr) line = line.slice(0, -1);
      const rawLength = line.length;
      line = this.#repairCharacters(line);
      if (this.#has.has('double-spaced') && line.trim() === '') continue;
      if (width !== null) {
        if (this.#held !== null) {
          if (continues(line, this.#plan.commonStart)) {
            line = this.#held.text + line;
            this.#held = null;
          } else this.#emit(out, this.#takeHeld());
        }
        const measured = this.#plan.wrapOnRaw ? rawLength + (this.#heldRaw ?? 0) : line.length;
        if (measured === width || (measured > width && measured % width === 0)) {
          this.#held = { text: line };
          this.#heldRaw = measured;
          continue;
        }
        this.#heldRaw = null;
      }
      this.#emit(out, line);
    }
    return out.length === 0 ? '' : out.join('\n') + '\n';
  }

  #repairCharacters(line: string): string {
    const has = this.#has;
    if (has.has('invisible-spaces')) line = line.replace(INVISIBLE_RE, (c) => (c === '\u00a0' || c === '\u2007' || c === '\u202f' ? ' ' : ''));
    if (has.has('html-entities') && line.includes('&')) line = line.replace(ENTITY_RE, decodeEntity);
    if (has.has('typographic-quotes')) line = line.replace(TYPOGRAPHIC_RE, (c) => TYPOGRAPHIC[c] ?? c);
    if (has.has('markdown-emphasis') && (line.includes('**') || line.includes('__')))
      line = line.replace(EMPHASIS_RE, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '');
    return line;
  }
}

function decodeEntity(entity: string): string {
  const body = entity.slice(1, -1).toLowerCase();
  const named = NAMED_ENTITIES[body];
  if (named !== undefined) return named;
  const code = body.startsWith('#x') ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
  return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
}

/**
 * A line that holds several log lines: cut before each line start found inside it, and before each stamp
 * (`**17:49:32**`, `2023-01-05T10:11:12Z`) that stood in front of it. Two stamps in a row are two lines:
 * the first stamped a blank line.
 */
function unfold(line: string, prefix: string[] | null): string[] {
  if (countInnerMarkers(line) === 0) return [line];
  const cuts: number[] = [];
  INNER_MARKER_RE.lastIndex = 0;
  const lead = line.search(/\S/);
  for (let m = INNER_MARKER_RE.exec(line); m !== null; m = INNER_MARKER_RE.exec(line)) {
    if (m.index <= lead) continue;
    const decorated = prefix === null ? -1 : decorationStart(line, m.index, prefix);
    if (decorated >= 0) {
      // A decoration right before this one decorated a blank line: it is a line of its own.
      const blank = decorationStart(line, decorated, prefix as string[]);
      cuts.push(...(blank >= 0 ? [blank, decorated] : [decorated]));
      continue;
    }
    const stamps = stampStarts(line, m.index);
    // The line starts at its stamp (and an earlier stamp in the run stamped a blank line of its own).
    cuts.push(...(stamps.length > 0 ? stamps : [m.index]));
  }
  const parts: string[] = [];
  let from = 0;
  for (const cut of cuts) {
    if (cut <= from) continue;
    const part = line.slice(from, cut).trimEnd();
    if (part.trim() !== '') parts.push(part);
    from = cut;
  }
  parts.push(line.slice(from));
  return parts;
}

/** Where the decoration right before `at` begins, when the tokens there have the decoration's shapes; else -1. */
function decorationStart(line: string, at: number, prefix: string[]): number {
  const run = runBefore(line, at, prefix.length, (token, fromEnd) => tokenShape(token) === prefix[prefix.length - 1 - fromEnd]);
  return run.length === prefix.length ? (run[0] as Token).start : -1;
}

/** Where each stamp token of the run of stamps right before `at` begins, first first. */
function stampStarts(line: string, at: number): number[] {
  return runBefore(line, at, MAX_STAMPS_IN_A_ROW, (token) => STAMP_TOKEN_RE.test(token)).map((t) => t.start);
}

/** A stamp on a blank line, then the stamp of the line: more in a row is no decoration. */
const MAX_STAMPS_IN_A_ROW = 3;

/** A text with its transit damage repaired as a whole (for sniffing a head; readers repair as they go). */
export function repairText(text: string): string {
  const plan = planRepairs(text);
  if (plan.repairs.length === 0) return text;
  const repairer = new TransitRepairer(plan);
  return repairer.push(text) + repairer.flush();
}
