/**
 * The forum post: a Report as GitHub-flavoured Markdown that reads well pasted into a GitHub issue, the
 * Docker forums or a chat. Everything quoted from the inputs goes into code spans (so `*`, `_`, `<script>`
 * stay text) and table cells escape `|`. Call it on a redacted report (toMarkdown does not redact).
 */
import type { Cause, Diagnosis, DiagnosisStep, HashNote, Report, ReportBuild, StepId, StepRef, StepStatus } from '../model.ts';

export function toMarkdown(report: Report): string {
  const label = labeler(report);
  const out: string[] = ['## Why was this rebuilt? (cachewhy)', ''];
  const d = report.diagnosis;
  out.push(`**Verdict:** ${prose(verdictOf(report))}`, '');
  out.push(...inputsLine(report));

  if (d && d.steps.length > 0) out.push(...diagnosisTable(report, d, label));
  else for (const build of report.builds) out.push(...buildTable(build, label));

  if (d) {
    out.push(...missSummary(d, label));
    out.push(...causes(d.causes, label));
    out.push(...hashNote(d, label));
    out.push(...suggestions(d));
    out.push(...warnings(d));
  }
  out.push(...credentialFiles(report));
  out.push(...buildProblems(report));
  if (report.redactions && report.redactions.length > 0) {
    out.push(`<sub>Redacted before sharing: ${report.redactions.length} item(s) (values removed, names kept).</sub>`, '');
  }
  out.push(`<sub>Made with ${prose(report.generator ?? 'cachewhy')} from build logs${report.dockerfile ? ', the Dockerfile' : ''}${report.contexts?.length ? ' and the build contexts' : ''}; nothing was uploaded.</sub>`);
  return out.join('\n') + '\n';
}

/** The one-sentence answer: the diagnosis's own, else a plain fallback. */
export function verdictOf(report: Report): string {
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

function diagnosisTable(report: Report, d: Diagnosis, label: Label): string[] {
  const names = report.builds.map((b, i) => cell(`${i + 1}: ${b.source}`));
  const header = ['Step', 'Instruction', ...names, 'Why'];
  const rows = d.steps.map((step) => [
    cell(label(step)),
    cell(code(clip(step.instruction, 90))),
    ...report.builds.map((_b, i) => mark(step.status_by_build[i])),
    cell(roleText(step, label)),
  ]);
  return [...table(header, rows), ''];
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

function missSummary(d: Diagnosis, label: Label): string[] {
  if (!d.first_miss) return ['No step missed the cache between these builds.', ''];
  const cascade = d.steps.filter((s) => s.role === 'cascade').length;
  const lines = [`**First miss:** ${stepName(d.first_miss, label)}.`];
  const others = d.root_misses.filter((r) => !sameStep(r, d.first_miss));
  if (others.length > 0) lines.push(`Other root misses: ${others.map((o) => stepName(o, label)).join(', ')}.`);
  lines.push(
    cascade === 0
      ? 'No later step was rebuilt because of it.'
      : `${cascade} later step${cascade === 1 ? ' was' : 's were'} rebuilt only because a step before ${cascade === 1 ? 'it' : 'them'} missed (cascade).`,
  );
  return [lines.join(' '), ''];
}

function causes(list: Cause[], label: Label): string[] {
  if (list.length === 0) return [];
  const out = ['### Causes', ''];
  list.forEach((cause, i) => {
    const where = cause.step ? ` at ${code(label(cause.step))}` : '';
    out.push(`${i + 1}. **${cause.kind}** (${cause.confidence} confidence)${where}: ${prose(cause.summary)}`);
    for (const line of cause.evidence) out.push(`   - ${code(line)}`);
    for (const file of cause.files ?? []) {
      out.push(`   - changed file ${code(file.path)}: ${file.change}${file.detail ? ` (${code(file.detail)})` : ''}`);
    }
    if (cause.toTellApart) out.push(`   - to tell apart: ${prose(cause.toTellApart)}`);
  });
  out.push('');
  return out;
}

function hashNote(d: Diagnosis, label: Label): string[] {
  const first = d.first_miss;
  if (!first) return [];
  const note: HashNote | undefined = d.hash_notes?.find((n) => sameStep(n.step, first));
  if (!note) return [];
  const out = [`### What the hashes of ${code(label(first))} mean`, '', prose(note.explanation), ''];
  const digests = note.digests.map((digest, i) => `build ${i + 1}: ${digest ? code(digest) : 'not printed'}`);
  if (note.digests.some((x) => x !== null)) out.push(`Vertex digests: ${digests.join(', ')}`, '');
  if (note.keyParts.length > 0) {
    out.push('Its cache key is made of:');
    for (const part of note.keyParts) out.push(`- ${prose(part)}`);
    out.push('');
  }
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
    .map((c) => `- the build context ${code(c.source)} contains credential files: ${c.credentials!.map(code).join(', ')} (names only; contents never leave your machine)`);
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
