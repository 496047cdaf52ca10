/**
 * The forum post: a Report as GitHub-flavoured Markdown that reads well pasted into a GitHub issue, the
 * Docker forums or a chat. Everything quoted from the inputs goes into code spans (so `*`, `_`, `<script>`
 * stay text) and table cells escape `|`. Call it on a redacted report (toMarkdown does not redact).
 */
import type { Cause, Diagnosis, DiagnosisStep, HashNote, Report, ReportBuild, StepId, StepRef, StepStatus } from '../model.ts';
import { foldCascades, isFold } from './fold.ts';
import { timeLostSentence } from './time-words.ts';

/** A forum post fits in this many characters (the built-in example must: issue 12). */
export const FORUM_MARKDOWN_LIMIT = 3000;

export interface MarkdownOptions {
  /**
   * Characters the post should fit in (default FORUM_MARKDOWN_LIMIT); sections that matter least are
   * left out past it, and the post says which. `Infinity`: everything.
   */
  limit?: number;
}

/** A part of the post; `drop` ranks what goes first when it is too long (absent: always kept). */
interface Section {
  lines: string[];
  drop?: number;
  /** How the post names it when it is left out. */
  name?: string;
}

export function toMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const end = footer(report);
  const room = (options.limit ?? FORUM_MARKDOWN_LIMIT) - end.join('\n').length - LEFT_OUT_ROOM;
  return [...fitSections(sections(report), room), ...end].join('\n') + '\n';
}

function footer(report: Report): string[] {
  const redacted = report.redactions?.length ? `; ${report.redactions.length} value(s) redacted` : '';
  const from = `build logs${report.dockerfile ? ', the Dockerfile' : ''}${report.contexts?.length ? ' and the build contexts' : ''}`;
  return [`<sub>Made with ${prose(report.generator ?? 'cachewhy')} from ${from}; nothing was uploaded${redacted}.</sub>`];
}

function sections(report: Report): Section[] {
  const label = labeler(report);
  const d = report.diagnosis;
  const verdict = verdictOf(report);
  const out: Section[] = [{ lines: ['## Why was this rebuilt? (cachewhy)', '', `**Verdict:** ${prose(verdict)}`, ''] }];
  if (d && d.steps.length > 0) {
    const folded = foldedTable(report, d, label);
    out.push({ lines: folded.lines });
    // The full table only adds something when the folded one hid rows.
    if (folded.hidden > 0) out.push({ lines: fullTable(report, d, label), drop: 2, name: `full step table` });
  } else {
    out.push({ lines: inputsLine(report) });
    for (const build of report.builds) out.push({ lines: buildTable(build, label) });
  }
  if (d) {
    out.push({ lines: causes(d, label) });
    out.push({ lines: hashNote(d, label, false) });
    out.push({ lines: hashNote(d, label, true), drop: 3, name: 'cache key parts' });
    out.push({ lines: suggestions(d) });
    out.push({ lines: warnings(d), drop: 4, name: 'warnings' });
  }
  out.push({ lines: credentialFiles(report), drop: 1, name: 'credential files' });
  out.push({ lines: buildProblems(report) });
  return out;
}

/** The sections that fit `limit`, the least important left out first, and a line that says what went. */
function fitSections(all: Section[], limit: number): string[] {
  const size = (list: Section[]) => list.reduce((n, s) => n + s.lines.join('\n').length + 1, 0);
  let kept = all.filter((s) => s.lines.length > 0);
  const left: string[] = [];
  const droppable = kept.filter((s) => s.drop !== undefined).sort((a, b) => a.drop! - b.drop!);
  const dropped: Section[] = [];
  for (const section of droppable) {
    if (size(kept) <= limit) break;
    kept = kept.filter((s) => s !== section);
    dropped.push(section);
  }
  // A section dropped early may fit again once a bigger one went: the more important first.
  for (const section of dropped.reverse()) {
    const back = all.filter((s) => kept.includes(s) || s === section);
    if (size(back) <= limit) kept = back;
    else left.unshift(section.name ?? 'a section');
  }
  const out = kept.flatMap((s) => s.lines);
  if (left.length > 0) out.push(`<sub>Left out to fit a forum post: ${left.join(', ')} (\`--full\` prints all).</sub>`, '');
  return out;
}

/** Room kept for the line that says what was left out (written after the fit). */
const LEFT_OUT_ROOM = 200;

/** The one-sentence answer (the diagnosis's own, else a plain fallback), and what the misses cost. */
export function verdictOf(report: Report): string {
  const lost = timeLostSentence(report);
  return lost ? `${answerOf(report)} ${lost}` : answerOf(report);
}

function answerOf(report: Report): string {
  const d = report.diagnosis;
  if (d?.verdict) return d.verdict;
  if (!d) return report.builds.length === 0 ? 'No build log could be read.' : 'Nothing to compare: give the logs of two builds.';
  if (!d.first_miss) return 'No step missed the cache.';
  return `The first cache miss is step ${stepName(d.first_miss, labeler(report))}.`;
}

function inputsLine(report: Report): string[] {
  const logs = report.builds.map((b, i) => `${i + 1}. ${code(b.source)} (${b.format})`);
  if (logs.length === 0) return [];
  return [`Builds, oldest first: ${logs.join(', ')}`, ''];
}

const MARK: Record<StepStatus, string> = {
  cached: 'cached',
  built: '**built**',
  error: '**error**',
  canceled: 'canceled',
  'not-run': 'not run',
};

function mark(status: StepStatus | null | undefined): string {
  return status ? MARK[status] : '–';
}

/**
 * The step table with every cascade folded into one row: a forum reader needs the root miss, not 32
 * rows that say the same thing. `hidden`: rows folded away (the full table is worth adding then).
 */
function foldedTable(report: Report, d: Diagnosis, label: Label): { lines: string[]; hidden: number } {
  const names = report.builds.map((b, i) => cell(`${i + 1}: ${b.source}`));
  const rows: string[][] = [];
  let hidden = 0;
  for (const item of foldCascades(d.steps)) {
    if (!isFold(item)) {
      rows.push([
        cell(label(item)),
        cell(code(clip(item.instruction, 60))),
        ...report.builds.map((_b, i) => mark(item.status_by_build[i])),
        cell(roleText(item, label)),
      ]);
      continue;
    }
    hidden += item.rows.length - 1;
    const first = item.rows[0]!;
    const last = item.rows[item.rows.length - 1]!;
    const statuses = report.builds.map((_b, i) => [...new Set(item.rows.map((r) => mark(r.status_by_build[i])))].join(' / '));
    rows.push([cell(`${label(first)}–${label(last)}`), `${item.rows.length} steps`, ...statuses, cell(`rebuilt because ${label(item.root)} missed`)]);
  }
  return { lines: [...table(['Step', 'Instruction', ...names, 'Why'], rows), ''], hidden };
}

/** Every step, in a `<details>` block that stays folded until asked for; short cells to stay small. */
function fullTable(report: Report, d: Diagnosis, label: Label): string[] {
  const header = ['Step', 'Instruction', ...report.builds.map((_b, i) => String(i + 1)), 'Why'];
  const rows = d.steps.map((step) => [
    cell(label(step)),
    cell(code(clip(step.instruction, 48))),
    ...report.builds.map((_b, i) => mark(step.status_by_build[i])),
    step.role === 'cascade' ? 'cascade' : cell(roleText(step, label)),
  ]);
  // Blank lines around the table: GitHub renders Markdown inside <details> only then.
  return [`<details><summary>All ${d.steps.length} steps</summary>`, '', ...table(header, rows), '', '</details>', ''];
}

function buildTable(build: ReportBuild, label: Label): string[] {
  const rows = build.steps.map((step) => [
    cell(label(step)),
    cell(code(clip(step.instruction, 90))),
    mark(step.status),
    step.duration_s === null ? '' : `${step.duration_s}s`,
  ]);
  return [`**${cell(build.source)}** (${build.format})`, '', ...table(['Step', 'Instruction', 'Status', 'Time'], rows), ''];
}

function roleText(step: DiagnosisStep, label: Label): string {
  switch (step.role) {
    case 'root-miss':
      return '**root miss**';
    case 'cascade':
      return step.because_of ? `cascade of ${label(step.because_of)}` : 'cascade';
    case 'unchanged':
    case 'cached':
      return ''; // the status columns already say it
    default:
      return step.role;
  }
}

function causes(d: Diagnosis, label: Label): string[] {
  const list = d.causes;
  if (list.length === 0) return [];
  const out = ['### Causes', ''];
  list.forEach((cause, i) => {
    const where = cause.step ? ` at ${code(label(cause.step))}` : '';
    const certainty = cause.exact ? 'exact: read from the build records' : `${cause.confidence} confidence`;
    out.push(`${i + 1}. **${cause.kind}** (${certainty})${where}: ${verdictStates(d, cause) ? 'as the verdict says.' : prose(cause.summary)}`);
    for (const line of cause.evidence) out.push(`   - ${code(line)}`);
    // The files the evidence lines already quote are not listed twice.
    for (const file of (cause.files ?? []).slice(cause.files_quoted ?? Infinity)) {
      out.push(`   - changed file ${code(file.path)}: ${file.change}${file.detail ? ` (${code(file.detail)})` : ''}`);
    }
    if (cause.to_tell_apart) out.push(`   - to tell apart: ${prose(cause.to_tell_apart)}`);
  });
  out.push('');
  return out;
}

/** The verdict states this cause whole (the diagnosis records which): not twice in a short post. */
function verdictStates(d: Diagnosis, cause: Cause): boolean {
  const stated = d.verdict_states;
  if (stated === undefined || stated.kind !== cause.kind) return false;
  return cause.step === null || stated.step === null ? cause.step === stated.step : sameStep(cause.step, stated.step);
}

/**
 * What the printed digests of the first miss mean (`keyPartsOnly: false`), or what its cache key is made
 * of (`keyPartsOnly: true`: the part a long post can do without).
 */
function hashNote(d: Diagnosis, label: Label, keyPartsOnly: boolean): string[] {
  const first = d.first_miss;
  const note: HashNote | undefined = first ? d.hash_notes?.find((n) => sameStep(n.step, first)) : undefined;
  if (!first || !note) return [];
  if (keyPartsOnly) return note.key_parts.length === 0 ? [] : ['Its cache key is made of:', ...note.key_parts.map((part) => `- ${prose(part)}`), ''];
  const out = [`### What the hashes of ${code(label(first))} mean`, '', prose(note.explanation), ''];
  // Full digests are for searching a cache dump; not twice when the explanation already quotes them.
  const digests = note.digests.map((digest, i) => `build ${i + 1}: ${digest ? code(digest) : 'not printed'}`);
  if (note.digests.some((x) => x !== null) && note.digests_unquoted) out.push(`Vertex digests: ${digests.join(', ')}`, '');
  return out;
}

function suggestions(d: Diagnosis): string[] {
  const list = d.suggestions ?? [];
  if (list.length === 0) return [];
  return ['### Suggestions', '', ...list.map((s) => `- **${prose(s.title)}**: ${prose(s.detail)}`), ''];
}

function warnings(d: Diagnosis): string[] {
  const list = d.warnings ?? [];
  if (list.length === 0) return [];
  return ['### Warnings', '', ...list.map((w) => `- ${prose(w.message)}`), ''];
}

function credentialFiles(report: Report): string[] {
  const lines = (report.contexts ?? [])
    .filter((c) => (c.credentials ?? []).length > 0)
    .map(
      (c) =>
        `- the build context ${code(c.source)} contains credential files: ${c.credentials!.map(code).join(', ')} (names only; contents never leave your machine)`,
    );
  return lines.length > 0 ? ['### Credential files in the build context', '', ...lines, ''] : [];
}

function buildProblems(report: Report): string[] {
  const out: string[] = [];
  report.builds.forEach((build) => {
    for (const error of build.errors ?? []) out.push(`- ${code(build.source)} failed: ${code(clip(error.message, 200))}`);
    if (build.truncated) out.push(`- ${code(build.source)} ends mid-build (cut or killed): later steps are unknown.`);
  });
  return out.length > 0 ? ['### Notes on the logs', '', ...out, ''] : [];
}

// --- small Markdown helpers ------------------------------------------------------------------------

type Labelled = StepRef | StepId | { stage: string | null; index: number; total?: number | null };
/** `[3/4]`, `[builder 2/3]`: a step as the user's log labels it. */
type Label = (step: Labelled) => string;

/**
 * Labels with the totals the logs printed (`[3/4]`): diagnosis rows and causes carry no total, the
 * builds do, so look it up per stage.
 */
function labeler(report: Report): Label {
  const totals = new Map<string, number>();
  for (const build of report.builds) {
    for (const step of build.steps) if (step.total !== null) totals.set(String(step.stage), step.total);
  }
  return (step) => {
    const known = 'total' in step && typeof step.total === 'number' ? step.total : totals.get(String(step.stage));
    const position = known === undefined ? String(step.index) : `${step.index}/${known}`;
    return step.stage ? `[${step.stage} ${position}]` : `[${position}]`;
  };
}

function stepName(step: StepId, label: Label): string {
  return step.instruction ? `${code(label(step))} ${code(step.instruction)}` : code(label(step));
}

function sameStep(a: StepRef | StepId, b: StepRef | StepId | null): boolean {
  return b !== null && a.stage === b.stage && a.index === b.index;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An inline code span that survives any content: the fence is one backtick longer than the longest run
 * inside (CommonMark), padded with spaces when the content starts or ends with a backtick; newlines
 * become spaces so a span never breaks a list item or a table row.
 */
export function code(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Table cells: GFM splits cells on `|` even inside code spans, so escape every pipe. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/**
 * Prose from the engine may carry `code spans` around names taken from inputs; keep the spans (rebuilt
 * safely) and escape Markdown and HTML characters everywhere else.
 */
export function prose(text: string): string {
  const flat = text.replace(/\r?\n|\r/g, ' ');
  return flat
    .split(/(`[^`]+`)/)
    .map((part, i) => (i % 2 === 1 ? code(part.slice(1, -1)) : part.replace(/[\\*_[\]<>|#~`!]/g, (c) => `\\${c}`)))
    .join('');
}

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}
