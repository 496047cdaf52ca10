/**
 * The CLI's default output: a short plain-text answer for a terminal — the verdict, one line per step
 * with its status in each build, and the top cause. `--markdown` has the full report.
 */
import type { DiagnosisStep, Report, StepStatus } from '../core/model.ts';
import { verdictOf } from '../core/report/index.ts';

const WORD: Record<StepStatus, string> = { cached: 'cached', built: 'BUILT', error: 'ERROR', canceled: 'canceled', 'not-run': 'not-run' };

export function textSummary(report: Report): string {
  const out: string[] = [verdictOf(report), ''];
  const names = report.builds.map((b, i) => `${i + 1}=${b.source}`);
  if (names.length > 0) out.push(`builds: ${names.join('  ')}`);

  const d = report.diagnosis;
  const rows: string[][] = d && d.steps.length > 0 ? d.steps.map((s) => diagnosisRow(report, s)) : singleBuildRows(report);
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
