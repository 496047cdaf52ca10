/**
 * The CLI's default output: a short plain-text answer for a terminal — the verdict, one line per build
 * compared (and how its log was read), one line per step with its status in each build, and the top
 * cause. `--markdown` has the full report.
 */
import type { DiagnosisStep, Report, ReportBuild, ReportReading, StepStatus, TransitRepair } from '../core/model.ts';
import { foldCascades, isFold, type Fold } from '../core/report/fold.ts';
import { verdictOf } from '../core/report/index.ts';

const WORD: Record<StepStatus, string> = { cached: 'cached', built: 'BUILT', error: 'ERROR', canceled: 'canceled', 'not-run': 'not-run' };

export function textSummary(report: Report): string {
  const out: string[] = [verdictOf(report), ''];
  if (report.builds.length > 0) out.push('builds:', ...columns(report.builds.map(buildRow)), '');

  const d = report.diagnosis;
  const rows: string[][] =
    d && d.steps.length > 0 ? foldCascades(d.steps).map((s) => (isFold(s) ? foldRow(report, s) : diagnosisRow(report, s))) : singleBuildRows(report);
  out.push(...columns(rows), '');

  const cause = d?.causes[0];
  if (cause) {
    out.push(`cause: ${cause.kind} (${cause.confidence} confidence): ${cause.summary}`);
    for (const line of cause.evidence.slice(0, 5)) out.push(`  | ${line}`);
    for (const file of (cause.files ?? []).slice(0, 10)) out.push(`  changed: ${file.path} (${file.change}${file.detail ? `: ${file.detail}` : ''})`);
    out.push('');
  }
  out.push('--markdown prints the full report; --link a URL to share it (secrets redacted).');
  return out.join('\n') + '\n';
}

/** `1  a.log#1  buildkit-plain  4 steps: 2 cached, 2 built  build 1 of 2; …`: a log with several builds shows. */
function buildRow(build: ReportBuild, i: number): string[] {
  return [`  ${i + 1}`, build.source, build.from_record ? 'build record' : build.format, stepCounts(build), build.reading ? readingWords(build.reading) : ''];
}

function stepCounts(build: ReportBuild): string {
  const counts = new Map<StepStatus, number>();
  for (const step of build.steps) counts.set(step.status, (counts.get(step.status) ?? 0) + 1);
  // cached and built always (they are the answer's two sides), the rarer statuses only when present.
  const parts = (['cached', 'built', 'error', 'canceled', 'not-run'] as const)
    .filter((status) => status === 'cached' || status === 'built' || counts.has(status))
    .map((status) => `${counts.get(status) ?? 0} ${status === 'error' ? 'failed' : status === 'not-run' ? 'not run' : status}`);
  return `${build.steps.length} step${build.steps.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** Typed so that a new repair kind cannot go unworded. */
const REPAIR_WORDS: Record<TransitRepair, string> = {
  'folded-lines': 'folded lines split apart',
  'html-line-breaks': 'HTML line breaks undone',
  'double-spaced': 'double spacing removed',
  'hard-wrapped': 'hard-wrapped lines rejoined',
  'html-entities': 'HTML entities decoded',
  'invisible-spaces': 'invisible spaces removed',
  'typographic-quotes': 'typographic quotes straightened',
  'markdown-emphasis': 'Markdown emphasis removed',
};

/**
 * How a build's log was read, in words (the report holds only the facts, so every output words them
 * its own way): `build 2 of 3; double spacing removed; line prefix "0: " stripped; 4 unplaced lines`.
 */
export function readingWords(reading: ReportReading): string {
  const words: string[] = [];
  if (reading.builds > 1) words.push(`build ${reading.build} of ${reading.builds}`);
  words.push(...reading.repairs.map((repair) => REPAIR_WORDS[repair] ?? repair));
  // JSON quoting shows a tab as \t: a learned prefix is often tab-separated.
  if (reading.learned_prefix !== null) words.push(`line prefix ${JSON.stringify(reading.learned_prefix)} stripped`);
  if (reading.unplaced_lines > 0) words.push(`${reading.unplaced_lines} unplaced line${reading.unplaced_lines === 1 ? '' : 's'} (not build output)`);
  return words.join('; ');
}

function label(report: Report, stage: string | null, index: number): string {
  const total = report.builds.flatMap((b) => b.steps).find((s) => s.stage === stage && s.index === index)?.total;
  const position = total ? `${index}/${total}` : String(index);
  return stage ? `[${stage} ${position}]` : `[${position}]`;
}

function diagnosisRow(report: Report, step: DiagnosisStep): string[] {
  const statuses = report.builds.map((_b, i) => {
    const status = step.status_by_build[i];
    return status ? WORD[status] : '-';
  });
  const role =
    step.role === 'root-miss'
      ? '<- root miss'
      : step.role === 'cascade'
        ? `<- cascade${step.because_of ? ` of ${label(report, step.because_of.stage, step.because_of.index)}` : ''}`
        : '';
  return [label(report, step.stage, step.index), ...statuses, oneLine(step.instruction), role];
}

/** `[3/34]–[34/34]  cached  BUILT  32 steps  <- rebuilt because [2/34] missed`: a cascade in one line. */
function foldRow(report: Report, fold: Fold): string[] {
  const first = fold.rows[0]!;
  const last = fold.rows[fold.rows.length - 1]!;
  const statuses = report.builds.map((_b, i) =>
    [
      ...new Set(
        fold.rows.map((r) => {
          const s = r.status_by_build[i];
          return s ? WORD[s] : '-';
        }),
      ),
    ].join('/'),
  );
  const span = `${label(report, first.stage, first.index)}–${label(report, last.stage, last.index)}`;
  return [span, ...statuses, `${fold.rows.length} steps`, `<- rebuilt because ${label(report, fold.root.stage, fold.root.index)} missed`];
}

function singleBuildRows(report: Report): string[][] {
  const last = report.builds[report.builds.length - 1];
  return (last?.steps ?? []).map((s) => [label(report, s.stage, s.index), WORD[s.status], oneLine(s.instruction), '']);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length > 70 ? `${flat.slice(0, 69)}…` : flat;
}

/** Left-aligned columns; the last column is not padded. */
function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
