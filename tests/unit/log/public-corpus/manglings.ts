/**
 * Transit manglings: what happens to a build log between a console and cachewhy — a CI that stamps every
 * line, a reader who copies part of it, a forum that folds a paragraph or double-spaces it, a terminal that
 * hard-wraps it, HTML entities, non-breaking and zero-width spaces, CRLF line ends. Each mangling is plain
 * data (so a fast-check counterexample prints as what was done) and `mangle` is a pure text → text function
 * of it. Used by mangling.test.ts.
 *
 * Order: a prefix is what the CI wrote, so it comes first; a cut is what the reader selected, so it comes
 * next and works on the lines of the log (`keptLines` tells which survive whole); CRLF is how the paste
 * ended its lines, so it comes last. The transit manglings in between keep the order they were drawn in.
 */
import fc from 'fast-check';
import { readLogBuilds } from '../../../../src/core/log/index.ts';
import type { BuildTrace, StepStatus } from '../../../../src/core/model.ts';
import { loadCorpus, logText, normalLabel } from './corpus.ts';

export type PrefixStyle = 'clock' | 'iso' | 'pipe' | 'bamboo' | 'awk' | 'logging';

export type Mangling =
  /**
   * A forum that folds the post from `fromPct` % of its paragraphs on (the code fence was lost there): each
   * paragraph (run of non-blank lines) becomes one line, its lines joined by single spaces. `stamps`: every
   * line carried a `**HH:MM:SS** ` stamp (a Jenkins timestamp made bold) that stays in front of it.
   */
  | { kind: 'fold'; fromPct: number; stamps: boolean }
  /** An empty line after every line. */
  | { kind: 'double-space' }
  /** The same kind of prefix in front of every line; `fraction`: digits of the seconds fraction (iso). */
  | { kind: 'prefix'; style: PrefixStyle; fraction: number }
  /** Every line wider than `width` columns cut into pieces of exactly `width` columns. */
  | { kind: 'wrap'; width: number }
  | { kind: 'crlf' }
  /** `&` → `&amp;`, `>` → `&gt;`, `"` → `&quot;`. */
  | { kind: 'entities' }
  /** About `ratePct` % of the spaces made non-breaking (chosen by `seed`), one zero-width space at about `zwspAtPct` % of the text. */
  | { kind: 'invisible'; seed: number; ratePct: number; zwspAtPct: number }
  /** Whole lines cut off the head and the tail; `midPct` % of the first line after the tail cut kept too (0: none). */
  | { kind: 'cut'; headPct: number; tailPct: number; midPct: number };

export type ManglingKind = Mangling['kind'];

/** The lines of a text and whether it ended with a line end (the last empty piece is not a line). */
function splitLines(text: string): { lines: string[]; ended: boolean } {
  const lines = text.split('\n');
  const ended = lines.length > 1 && lines[lines.length - 1] === '';
  if (ended) lines.pop();
  return { lines, ended };
}

function joinLines(lines: readonly string[], ended: boolean): string {
  return lines.join('\n') + (ended ? '\n' : '');
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:MM:SS` for the i-th line: a build that prints a few lines a second. */
function clockOf(i: number, base = 22 * 3600 + 58 * 60 + 16): string {
  const t = (base + Math.floor(i / 3)) % 86400;
  return `${pad(Math.floor(t / 3600))}:${pad(Math.floor(t / 60) % 60)}:${pad(t % 60)}`;
}

function prefixOf(style: PrefixStyle, fraction: number, i: number): string {
  switch (style) {
    case 'clock':
      return `${clockOf(i)} `;
    case 'iso': {
      const digits = String((i * 7919 + 12345) % 1_000_000_000)
        .padStart(9, '0')
        .slice(0, fraction);
      return `2024-01-05T${clockOf(i, 10 * 3600 + 11 * 60 + 12)}${fraction > 0 ? `.${digits}` : ''}Z `;
    }
    case 'pipe':
      return '[build] | ';
    case 'bamboo':
      return `build\t24-Jan-2015 ${clockOf(i)}\t`;
    case 'awk':
      return `${i + 1}: `;
    case 'logging':
      return `2019-09-25 ${clockOf(i, 11 * 3600 + 19 * 60 + 8)},${pad((i * 37) % 1000, 3)} tool INFO Docker: `;
  }
}

/** A small PRNG (mulberry32): the same seed gives the same spaces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The lines of the text that survive whole, as [from, to) indices of its lines (all of them without a
 * cut). A fold joins the half line a tail cut left to the last whole line, which then is no longer whole.
 */
export function keptLines(text: string, manglings: readonly Mangling[]): { from: number; to: number; partial: boolean } {
  const n = splitLines(text).lines.length;
  const cut = manglings.find((m) => m.kind === 'cut');
  if (cut === undefined || cut.kind !== 'cut') return { from: 0, to: n, partial: false };
  const kept = cutRange(n, cut);
  const glued = kept.partial && manglings.some((m) => m.kind === 'fold');
  return glued ? { ...kept, to: kept.to - 1 } : kept;
}

function cutRange(n: number, cut: { headPct: number; tailPct: number; midPct: number }): { from: number; to: number; partial: boolean } {
  const from = Math.min(n - 1, Math.floor((n * cut.headPct) / 100));
  let to = n - Math.floor((n * cut.tailPct) / 100);
  if (to <= from) to = n;
  return { from, to, partial: to < n && cut.midPct > 0 };
}

/** One mangling applied to a text. */
export function mangleOnce(text: string, m: Mangling): string {
  switch (m.kind) {
    case 'fold': {
      const { lines, ended } = splitLines(text);
      const stamped = m.stamps ? lines.map((l, i) => (l.trim() === '' ? l : `**${clockOf(i)}** ${l}`)) : lines;
      // Paragraphs as [first, end) line ranges.
      const paragraphs: [number, number][] = [];
      for (let i = 0; i < stamped.length; i++) {
        if ((stamped[i] as string).trim() === '') continue;
        let end = i;
        while (end < stamped.length && (stamped[end] as string).trim() !== '') end++;
        paragraphs.push([i, end]);
        i = end;
      }
      const first = Math.min(paragraphs.length - 1, Math.floor((paragraphs.length * m.fromPct) / 100));
      const folded = new Map(paragraphs.slice(first));
      const out: string[] = [];
      for (let i = 0; i < stamped.length; i++) {
        const end = folded.get(i);
        if (end === undefined) out.push(stamped[i] as string);
        else {
          out.push(stamped.slice(i, end).join(' '));
          i = end - 1;
        }
      }
      return joinLines(out, ended);
    }
    case 'double-space': {
      const { lines } = splitLines(text);
      return lines.map((l) => `${l}\n\n`).join('');
    }
    case 'prefix': {
      const { lines, ended } = splitLines(text);
      return joinLines(
        lines.map((l, i) => prefixOf(m.style, m.fraction, i) + l),
        ended,
      );
    }
    case 'wrap': {
      // A terminal counts columns: a zero-width space takes none.
      const { lines, ended } = splitLines(text);
      const out: string[] = [];
      for (const l of lines) {
        let piece = '';
        let columns = 0;
        for (const ch of l) {
          const width = ch === '\u200b' ? 0 : 1;
          if (columns + width > m.width) {
            out.push(piece);
            piece = '';
            columns = 0;
          }
          piece += ch;
          columns += width;
        }
        out.push(piece);
      }
      return joinLines(out, ended);
    }
    case 'crlf':
      return text.replace(/\r?\n/g, '\r\n');
    case 'entities':
      return text.replace(/&/g, '&amp;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    case 'invisible': {
      const next = random(m.seed);
      const spaced = text.replace(/ /g, () => (next() * 100 < m.ratePct ? '\u00a0' : ' '));
      // Inside the text of a line, before its next visible character: never on a blank line or in a line end.
      const from = Math.floor((spaced.length * m.zwspAtPct) / 100);
      const rest = spaced.slice(from).search(/[^\s\u00a0]/);
      const at = rest === -1 ? spaced.length : from + rest;
      return spaced.slice(0, at) + '\u200b' + spaced.slice(at);
    }
    case 'cut': {
      const { lines, ended } = splitLines(text);
      const { from, to, partial } = cutRange(lines.length, m);
      if (to === lines.length) return joinLines(lines.slice(from), ended);
      const next = lines[to] ?? '';
      const tail = partial ? next.slice(0, Math.floor((next.length * m.midPct) / 100)) : '';
      return joinLines(lines.slice(from, to), true) + tail;
    }
  }
}

const RANK: Record<ManglingKind, number> = { prefix: 0, cut: 1, fold: 2, 'double-space': 2, wrap: 2, entities: 2, invisible: 2, crlf: 3 };

/** The manglings in the order they happen: prefix, cut, the transit ones as drawn, CRLF. */
export function inOrder(manglings: readonly Mangling[]): Mangling[] {
  return manglings
    .map((m, i) => ({ m, i }))
    .sort((a, b) => RANK[a.m.kind] - RANK[b.m.kind] || a.i - b.i)
    .map(({ m }) => m);
}

export function mangle(text: string, manglings: readonly Mangling[]): string {
  return inOrder(manglings).reduce(mangleOnce, text);
}

/** The text as it was just before the mangling of that kind (the whole mangled text without one). */
export function textBefore(text: string, manglings: readonly Mangling[], kind?: ManglingKind): string {
  const ordered = inOrder(manglings);
  const at = kind === undefined ? -1 : ordered.findIndex((m) => m.kind === kind);
  return (at === -1 ? ordered : ordered.slice(0, at)).reduce(mangleOnce, text);
}

/** The lengths of a text's lines. */
export function lineLengths(text: string): number[] {
  return splitLines(text).lines.map((l) => l.length);
}

export function describeMangling(m: Mangling): string {
  switch (m.kind) {
    case 'fold':
      return `fold(from ${m.fromPct}% of the paragraphs${m.stamps ? ', **HH:MM:SS** stamps' : ''})`;
    case 'double-space':
      return 'double-space';
    case 'prefix':
      return `prefix(${m.style}${m.style === 'iso' ? `, .${m.fraction} digits` : ''})`;
    case 'wrap':
      return `wrap(${m.width})`;
    case 'crlf':
      return 'crlf';
    case 'entities':
      return 'entities';
    case 'invisible':
      return `invisible(${m.ratePct}% NBSP, seed ${m.seed}, ZWSP at ${m.zwspAtPct}%)`;
    case 'cut':
      return `cut(head ${m.headPct}%, tail ${m.tailPct}%${m.midPct > 0 ? `, ${m.midPct}% of the next line` : ''})`;
  }
}

export function describeManglings(manglings: readonly Mangling[]): string {
  return inOrder(manglings).map(describeMangling).join(' → ');
}

export const manglingArb: fc.Arbitrary<Mangling> = fc.oneof(
  fc.record({
    kind: fc.constant('fold' as const),
    fromPct: fc.integer({ min: 0, max: 100 }),
    stamps: fc.boolean(),
  }),
  fc.constant({ kind: 'double-space' as const }),
  fc.record({
    kind: fc.constant('prefix' as const),
    style: fc.constantFrom<PrefixStyle>('clock', 'iso', 'pipe', 'bamboo', 'awk', 'logging'),
    fraction: fc.integer({ min: 0, max: 9 }),
  }),
  fc.record({ kind: fc.constant('wrap' as const), width: fc.integer({ min: 80, max: 160 }) }),
  fc.constant({ kind: 'crlf' as const }),
  fc.constant({ kind: 'entities' as const }),
  fc.record({
    kind: fc.constant('invisible' as const),
    seed: fc.integer({ min: 0, max: 1000 }),
    ratePct: fc.integer({ min: 1, max: 100 }),
    zwspAtPct: fc.integer({ min: 0, max: 100 }),
  }),
  fc.record({
    kind: fc.constant('cut' as const),
    headPct: fc.integer({ min: 0, max: 60 }),
    tailPct: fc.integer({ min: 0, max: 60 }),
    midPct: fc.integer({ min: 0, max: 99 }),
  }),
);

/** 1–3 manglings of different kinds. */
export const manglingsArb: fc.Arbitrary<Mangling[]> = fc.uniqueArray(manglingArb, { minLength: 1, maxLength: 3, selector: (m) => m.kind });

// ---------------------------------------------------------------------------------------------------------
// The reference: what the reader gives on the clean text, and which lines each step's status rests on.

const MAX_CHARS = 60_000;
const STRUCTURAL_REPAIRS = new Set<string>(['html-line-breaks', 'folded-lines', 'hard-wrapped', 'double-spaced']);

interface RefStep {
  label: string;
  status: StepStatus;
  /** First line that names the step (its header), -1 when none does. */
  start: number;
  /** The line after its block: the next step header after the last line naming it (or the end). */
  end: number;
}

interface RefBuild {
  /** Lines [from, to) of the clean text: from where the reader first sees this build to where it sees the next. */
  from: number;
  to: number;
  steps: RefStep[];
}

export interface RefLog {
  id: string;
  format: string;
  text: string;
  lineCount: number;
  /** The log carries its own CI decoration (a line prefix, ANSI codes, GitLab section markers). */
  decorated: boolean;
  /** How the reader took the clean log: the format and line prefix of its first build. */
  readAs: string;
  linePrefix: string;
  builds: RefBuild[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A step's label wherever it stands in a line, padded as BuildKit pads it: `[stage-0  2/34]`, `Step 2/9 :`. */
function labelRe(label: string): RegExp {
  const body = label
    .trim()
    .replace(/^\[\s*/, '[')
    .split(/\s+/)
    .map(escapeRe)
    .join('\\s+')
    .replace(/^\\\[/, '\\[\\s*');
  return new RegExp(body + (/\d$/.test(label) ? '(?!\\d)' : ''));
}

function buildsOf(text: string): BuildTrace[] {
  const read = readLogBuilds(text, 'part.log');
  return read.ok ? read.value : [];
}

/** Where each build begins: the fewest lines of the clean text whose reading already holds it. */
function buildStarts(lines: readonly string[], count: number): number[] {
  const starts = [0];
  for (let b = 1; b < count; b++) {
    let lo = (starts[b - 1] as number) + 1;
    let hi = lines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (buildsOf(lines.slice(0, mid).join('\n')).length > b) hi = mid;
      else lo = mid + 1;
    }
    // The reading holds build b once its first step is read: its lines start at or before that one.
    starts.push(lo - 1);
  }
  return starts;
}

function reference(id: string, format: string, text: string, traces: BuildTrace[]): RefLog {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const starts = buildStarts(lines, traces.length);
  const builds: RefBuild[] = traces.map((trace, b) => {
    const from = starts[b] as number;
    const to = b + 1 < traces.length ? (starts[b + 1] as number) : lines.length;
    const steps = trace.steps.map((step) => {
      const byLabel = labelRe(step.label);
      const byVertex = step.vertices.length > 0 ? new RegExp(`(?<![\\w#])#(?:${step.vertices.join('|')})(?!\\w)`) : null;
      let start = -1;
      let last = -1;
      for (let i = from; i < to; i++) {
        const line = lines[i] as string;
        if (byLabel.test(line) || byVertex?.test(line)) {
          if (start === -1) start = i;
          last = i;
        }
      }
      return { label: step.label, status: step.status, start, end: last };
    });
    return { from, to, steps };
  });
  // A block ends where the next step's header is, in any build; the last one runs to the end of the text.
  const headers = builds
    .flatMap((b) => b.steps.map((s) => s.start))
    .filter((s) => s >= 0)
    .sort((a, b) => a - b);
  for (const build of builds) {
    for (const step of build.steps) {
      if (step.start < 0) continue;
      step.end = headers.find((h) => h > step.end) ?? lines.length;
    }
  }
  // eslint-disable-next-line no-control-regex -- an ANSI escape is one of the decorations looked for
  const decorated = traces.some((t) => t.linePrefix !== 'none') || /\x1b|section_(?:start|end):/.test(text);
  const first = traces[0];
  return { id, format, text, lineCount: lines.length, decorated, readAs: first?.format ?? '', linePrefix: first?.linePrefix ?? 'none', builds };
}

/** Non-held-out logs under MAX_CHARS whose clean reading gives every labelled step its label, smallest first. */
function corpusLogs(): RefLog[] {
  const logs: RefLog[] = [];
  for (const entry of loadCorpus()) {
    if (entry.held_out) continue;
    const text = logText(entry.id);
    if (text.length > MAX_CHARS) continue;
    const read = readLogBuilds(text, `${entry.id}.log`);
    if (!read.ok || read.value.length !== entry.builds.length) continue;
    // A log that reached the corpus folded, `<br>`-joined, wrapped or double-spaced reads right by its
    // repair: more damage on top of that is not what a paste sees, and its reference is the repair's.
    if ((read.value[0]?.reading?.repairs ?? []).some((r) => STRUCTURAL_REPAIRS.has(r))) continue;
    const right = entry.builds.every((build, b) => {
      const got = new Map((read.value[b]?.steps ?? []).map((s) => [normalLabel(s.label), s.status]));
      return build.steps.every((s) => s.status === 'unknown' || got.get(normalLabel(s.label)) === s.status);
    });
    if (right) logs.push(reference(entry.id, entry.format, text, read.value));
  }
  return logs.sort((a, b) => a.text.length - b.text.length || a.id.localeCompare(b.id));
}

export const LOGS = corpusLogs();
export const BY_ID = new Map(LOGS.map((l) => [l.id, l]));

export interface Case {
  log: string;
  manglings: Mangling[];
}

/**
 * Whether a case is damage a reader can be asked to undo:
 * - a CI prints one decoration: a log that has its own is not given another (`prefix`, fold `stamps`), as
 *   no console writes a Jenkins stamp in front of a GitLab stamp and its ANSI codes;
 * - a hard wrap must have cut at least 3 lines, at a width fewer than 3 of the log's own lines have:
 *   else nothing tells the wrap from the log's own lines (transit.ts: "several are exactly as long");
 * - a fold must have joined at least one paragraph of 3 or more lines: a line that holds just two former
 *   lines is "a single odd line" that does not switch the repair on (transit.ts);
 * - double spacing is told from at least 6 non-blank lines (transit.ts): a cut that leaves fewer leaves
 *   blank lines nobody can tell from the log's own.
 */
export function plausible({ log, manglings }: Case): boolean {
  const ref = BY_ID.get(log);
  if (ref === undefined) return false;
  if (ref.decorated && manglings.some((m) => m.kind === 'prefix' || (m.kind === 'fold' && m.stamps))) return false;
  let text = ref.text;
  for (const m of inOrder(manglings)) {
    if (m.kind === 'wrap') {
      const lengths = splitLines(text).lines.map((l) => l.length);
      if (lengths.filter((n) => n > m.width).length < 3 || lengths.filter((n) => n === m.width).length >= 3) return false;
    }
    if (m.kind === 'fold' && !foldsThreeLines(text, m.fromPct)) return false;
    if (m.kind === 'double-space' && splitLines(text).lines.filter((l) => l.trim() !== '').length < 6) return false;
    text = mangleOnce(text, m);
  }
  return true;
}

/**
 * Whether a fold from `fromPct` % of the paragraphs on joins some paragraph of 3 or more whole lines (the
 * half line a tail cut left does not count: it may not even be a line start any more).
 */
function foldsThreeLines(text: string, fromPct: number): boolean {
  const sizes: number[] = [];
  let run = 0;
  const { lines, ended } = splitLines(text);
  for (const [i, line] of lines.entries()) {
    if (!ended && i === lines.length - 1) continue;
    if (line.trim() !== '') run++;
    else if (run > 0) {
      sizes.push(run);
      run = 0;
    }
  }
  if (run > 0) sizes.push(run);
  const first = Math.min(sizes.length - 1, Math.floor((sizes.length * fromPct) / 100));
  return sizes.slice(first).some((n) => n >= 3);
}

/** What changed: one line per step read differently, or the refusal. Empty when the reading holds. */
export function differences({ log, manglings }: Case): string[] {
  const ref = BY_ID.get(log);
  if (ref === undefined) throw new Error(`${log} is not among the logs the clean reading gets right`);
  const kept = keptLines(ref.text, manglings);
  // A step no line names (none known) is only checked when nothing was cut.
  const visible = (s: RefStep): boolean => (s.start >= 0 ? s.start >= kept.from && s.end <= kept.to : kept.from === 0 && kept.to === ref.lineCount);
  const wanted = ref.builds.map((b) => b.steps.filter(visible));
  const text = mangle(ref.text, manglings);
  const read = readLogBuilds(text, `${log}.log`);
  if (!read.ok) return wanted.some((w) => w.length > 0) ? [`refused: ${read.problem.message}`] : [];
  const got = read.value;
  const maps = got.map((t) => new Map(t.steps.map((s) => [normalLabel(s.label), s.status])));
  // Builds by position; when a cut took whole builds, by position among the builds still there; else by labels.
  const present = ref.builds.flatMap((b, i) => (b.to > kept.from && b.from < kept.to + (kept.partial ? 1 : 0) ? [i] : []));
  const match = new Map<number, number>();
  if (got.length === ref.builds.length) ref.builds.forEach((_b, i) => match.set(i, i));
  else if (got.length === present.length) present.forEach((b, i) => match.set(b, i));
  else {
    let next = 0;
    wanted.forEach((steps, b) => {
      if (steps.length === 0) return;
      for (let g = next; g < got.length; g++) {
        if (steps.every((s) => maps[g]!.has(normalLabel(s.label)))) {
          match.set(b, g);
          next = g + 1;
          return;
        }
      }
    });
  }
  const out: string[] = [];
  wanted.forEach((steps, b) => {
    const g = match.get(b);
    for (const step of steps) {
      const status = g === undefined ? undefined : maps[g]!.get(normalLabel(step.label));
      if (status !== step.status)
        out.push(`build ${b + 1} ${normalLabel(step.label)}: ${step.status} → ${status ?? (g === undefined ? 'build not found' : 'step missing')}`);
    }
  });
  return out;
}

export function check(c: Case): void {
  const diffs = differences(c);
  if (diffs.length > 0) {
    const ref = BY_ID.get(c.log) as RefLog;
    throw new Error(
      `\n  log:       ${c.log} (${ref.format}, ${ref.text.length} chars)\n  manglings: ${describeManglings(c.manglings)}\n  ${diffs.slice(0, 8).join('\n  ')}${diffs.length > 8 ? `\n  … ${diffs.length - 8} more` : ''}`,
    );
  }
}
