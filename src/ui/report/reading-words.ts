/**
 * How each log was read, in plain words, from the typed facts of the report alone (a share link has no
 * files): the format, the decoration stripped from its lines, the damage repaired on its way here, the
 * lines that were not build output, where a build sits in a file that holds several.
 *
 * A fact is a few pieces of text; a `code` piece is shown in code font (a learned prefix's shape).
 */
import type { LinePrefixStyle, LogFormat, ReportBuild, TransitRepair } from '../../core/model.ts';

export interface Piece {
  text: string;
  code?: boolean;
}
export type Fact = Piece[];

/** One log file as the report shows it, with the builds of it that were compared. */
export interface LogReading {
  /** The file (or paste) name, without the `#2` a build of a multi-build file carries. */
  name: string;
  /** How many builds the file holds (1 when the report does not say). */
  builds: number;
  /** Facts about the whole file: the transit repairs it needed. */
  facts: Fact[];
  /** The builds of this file in the report, in report order. */
  entries: { position: number; source: string; facts: Fact[] }[];
}

export const FORMAT_WORDS: Record<LogFormat, string> = {
  'buildkit-plain': 'BuildKit plain output',
  'buildkit-tty': 'BuildKit terminal (tty) output',
  'buildkit-rawjson': 'a BuildKit rawjson stream',
  legacy: 'legacy builder output',
  compose: '`docker compose build` output',
};

const PREFIX_WORDS: Record<Exclude<LinePrefixStyle, 'learned'>, string> = {
  none: 'nothing to strip from its lines',
  'jenkins-time': 'a clock time (`HH:MM:SS`) stripped from every line',
  iso8601: 'an ISO-8601 timestamp stripped from every line',
  'job-pipe': 'a job name prefix (`job | `) stripped from every line',
  'timestamp-line': 'the timestamp line before every line removed',
  mixed: 'several kinds of CI decoration (timestamps, job prefixes) stripped from every line',
};

export const REPAIR_WORDS: Record<TransitRepair, string> = {
  'folded-lines': 'line breaks restored: the text was folded into one paragraph',
  'html-line-breaks': 'line breaks restored: the text held HTML `<br>` tags instead',
  'double-spaced': 'an empty line after every line removed',
  'hard-wrapped': 'lines a terminal or mail client had wrapped joined again',
  'html-entities': 'HTML entities decoded (`&gt;` back to `>`)',
  'invisible-spaces': 'invisible characters (non-breaking and zero-width spaces) made plain spaces or removed',
  'typographic-quotes': 'typographic quotes and dashes turned back into plain ones',
  'markdown-emphasis': 'Markdown emphasis (`**…**`) around timestamps removed',
};

/** Text with `backticks` as code pieces (the words above use them for literal bits). */
export function pieces(text: string): Fact {
  const parts = text.split('`');
  // An odd number of backticks leaves the last one unclosed: it stays text, backtick and all.
  const balanced = parts.length % 2 === 1;
  return parts
    .map((part, i) => {
      const open = !balanced && i === parts.length - 1 && i % 2 === 1;
      return open ? { text: '`' + part } : i % 2 === 1 ? { text: part, code: true } : { text: part };
    })
    .filter((p) => p.text !== '');
}

/** The learned prefix's shape with its blanks made visible (a prefix of spaces alone would show nothing). */
export function shapeText(shape: string): string {
  return shape.replaceAll(' ', '·').replaceAll('\t', '⇥');
}

/** What the marks in a shown shape stand for: ` (· a space, ⇥ a tab)`, or nothing. */
function shapeLegend(shape: string): string {
  const marks = [shape.includes(' ') ? '· a space' : null, shape.includes('\t') ? '⇥ a tab' : null].filter((m) => m !== null);
  return marks.length > 0 ? ` (${marks.join(', ')})` : '';
}

/** "read as BuildKit plain output, nothing to strip from its lines" (and the learned shape in code). */
export function formatFact(build: Pick<ReportBuild, 'format' | 'line_prefix' | 'reading' | 'from_record'>): Fact {
  // A record's status stream is decoded, not read from lines: nothing was stripped or repaired.
  if (build.from_record) return pieces('read from a build record (its status stream, decoded)');
  const head = pieces(`read as ${FORMAT_WORDS[build.format] ?? build.format}, `);
  const learned = build.reading?.learned_prefix ?? null;
  const style = build.line_prefix ?? 'none';
  if (style === 'learned' || (learned !== null && style !== 'mixed')) {
    const shape = learned ?? '?';
    return [...head, { text: 'a prefix on every line, of the shape ' }, { text: shapeText(shape), code: true }, { text: `${shapeLegend(shape)}, stripped` }];
  }
  const words = pieces(PREFIX_WORDS[style] ?? `${style} decoration stripped`);
  if (learned !== null)
    return [...head, ...words, { text: ', then a prefix of the shape ' }, { text: shapeText(learned), code: true }, { text: shapeLegend(learned) }];
  return [...head, ...words];
}

export function unplacedWords(n: number): string {
  return n === 1 ? '1 line was not build output and was skipped' : `${n} lines were not build output and were skipped`;
}

export function countWords(builds: number): string {
  return `${builds} builds in this file`;
}

export function positionWords(build: number, builds: number): string {
  return `build ${build} of ${builds} in this file`;
}

export const TRUNCATED_WORDS = 'the log ends mid-build: later steps are missing from it';

/** The facts of one build: its format and decoration, its place in the file, what was skipped, cut, noted. */
export function buildFacts(build: ReportBuild): Fact[] {
  const facts: Fact[] = [formatFact(build)];
  const r = build.reading;
  if (r && r.builds > 1) facts.push(pieces(positionWords(r.build, r.builds)));
  if (r && r.unplaced_lines > 0) facts.push(pieces(unplacedWords(r.unplaced_lines)));
  if (build.truncated) facts.push(pieces(TRUNCATED_WORDS));
  for (const note of build.notes ?? []) facts.push(pieces(note));
  for (const warning of build.warnings ?? []) facts.push(pieces(warning));
  return facts;
}

/** The file a build came from: `a.log#2` → `a.log` when the report says it is build 2 of several. */
export function fileOf(build: ReportBuild): string {
  const r = build.reading;
  const tail = r && r.builds > 1 ? `#${r.build}` : null;
  return tail && build.source.endsWith(tail) ? build.source.slice(0, -tail.length) : build.source;
}

/**
 * The report's builds grouped by file: the builds of one multi-build file stand next to each other in a
 * report (the analysis takes each log's builds together), so consecutive builds of one file are one group.
 */
export function logReadings(builds: ReportBuild[]): LogReading[] {
  const out: LogReading[] = [];
  builds.forEach((build, i) => {
    const name = fileOf(build);
    const count = build.reading?.builds ?? 1;
    const last = out[out.length - 1];
    const entry = { position: i + 1, source: build.source, facts: buildFacts(build) };
    if (last && count > 1 && last.builds === count && last.name === name) {
      last.entries.push(entry);
      return;
    }
    const facts = (build.reading?.repairs ?? []).map((repair) => pieces(REPAIR_WORDS[repair] ?? repair));
    out.push({ name, builds: count, facts, entries: [entry] });
  });
  return out;
}
