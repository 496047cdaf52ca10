/**
 * The timeline's rows, derived from a Report alone (a share link has no files): one row per Dockerfile
 * step, one cell per build.
 */
import type { DiagnosisStep, HashNote, Report, StepRef, StepRole, StepStatus } from '../../core/model.ts';

export interface TimelineCell {
  status: StepStatus | null;
  durationS: number | null;
  digest: string | null;
  note?: string;
}

export interface TimelineRow {
  key: string;
  stage: string | null;
  index: number;
  total: number | null;
  /** `2/34` or `builder 3/7`. */
  label: string;
  instruction: string;
  /** 1-based Dockerfile line, when known. */
  line: number | null;
  role: StepRole;
  /** The root miss this step was rebuilt because of (cascade rows). */
  becauseOf: { key: string; label: string } | null;
  cells: TimelineCell[];
}

export function stepKey(step: { stage: string | null; index: number }): string {
  return `${step.stage ?? ''}#${step.index}`;
}

/** The label people know from the log: `2/34`, with the stage when the log prints one. */
export function stepLabel(step: { stage: string | null; index: number }, total: number | null): string {
  const n = total ? `${step.index}/${total}` : `${step.index}`;
  return step.stage ? `${step.stage} ${n}` : n;
}

export function sameStep(a: { stage: string | null; index: number } | null | undefined, b: StepRef | null | undefined): boolean {
  return !!a && !!b && (a.stage ?? null) === (b.stage ?? null) && a.index === b.index;
}

/** Rows from the diagnosis when there is one, else straight from the builds' steps. */
export function timelineRows(report: Report): TimelineRow[] {
  const totals = new Map<string, number | null>();
  for (const build of report.builds) for (const s of build.steps) if (s.total) totals.set(stepKey(s), s.total);
  const diagnosisSteps = report.diagnosis?.steps ?? [];
  if (diagnosisSteps.length > 0) return diagnosisSteps.map((d) => rowFromDiagnosis(d, report, totals, diagnosisSteps));
  return rowsFromBuilds(report, totals);
}

function rowFromDiagnosis(d: DiagnosisStep, report: Report, totals: Map<string, number | null>, all: DiagnosisStep[]): TimelineRow {
  const key = stepKey(d);
  const total = totals.get(key) ?? null;
  const root = d.because_of ? all.find((s) => sameStep(s, d.because_of)) : undefined;
  return {
    key,
    stage: d.stage,
    index: d.index,
    total,
    label: stepLabel(d, total),
    instruction: d.instruction,
    line: d.line ?? lineOf(report, d.instruction),
    role: d.role,
    becauseOf: d.because_of ? { key: stepKey(d.because_of), label: stepLabel(d.because_of, root ? (totals.get(stepKey(root)) ?? null) : total) } : null,
    cells: report.builds.map((build, b) => {
      const own = build.steps.find((s) => sameStep(s, d));
      return {
        status: d.status_by_build[b] ?? own?.status ?? null,
        durationS: d.duration_by_build?.[b] ?? own?.duration_s ?? null,
        digest: d.digest_by_build?.[b] ?? own?.digest ?? null,
        ...(own?.status_note ? { note: own.status_note } : {}),
      };
    }),
  };
}

function rowsFromBuilds(report: Report, totals: Map<string, number | null>): TimelineRow[] {
  const order: { stage: string | null; index: number; instruction: string }[] = [];
  const seen = new Set<string>();
  for (const build of report.builds) {
    for (const s of build.steps) {
      const key = stepKey(s);
      if (seen.has(key)) continue;
      seen.add(key);
      order.push(s);
    }
  }
  return order.map((s) => {
    const key = stepKey(s);
    const total = totals.get(key) ?? null;
    const cells = report.builds.map((build): TimelineCell => {
      const own = build.steps.find((x) => sameStep(x, s));
      return {
        status: own?.status ?? null,
        durationS: own?.duration_s ?? null,
        digest: own?.digest ?? null,
        ...(own?.status_note ? { note: own.status_note } : {}),
      };
    });
    const statuses = cells.map((c) => c.status);
    const role: StepRole = statuses.includes('error')
      ? 'error'
      : statuses.every((x) => x === 'cached')
        ? 'cached'
        : statuses.includes('built')
          ? 'built'
          : 'not-run';
    return {
      key,
      stage: s.stage,
      index: s.index,
      total,
      label: stepLabel(s, total),
      instruction: s.instruction,
      line: lineOf(report, s.instruction),
      role,
      becauseOf: null,
      cells,
    };
  });
}

/** Finds an instruction's line in the Dockerfile text when the diagnosis did not say (1-based). */
function lineOf(report: Report, instruction: string): number | null {
  const lines = report.dockerfile?.lines;
  if (!lines) return null;
  const wanted = normalise(instruction);
  if (!wanted) return null;
  const i = lines.findIndex((l) => normalise(l) === wanted);
  if (i >= 0) return i + 1;
  const j = lines.findIndex((l) => normalise(l).startsWith(wanted.slice(0, 40)));
  return j >= 0 ? j + 1 : null;
}

function normalise(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}

export function hashNoteFor(report: Report, row: TimelineRow | null): HashNote | null {
  if (!row) return null;
  return report.diagnosis?.hash_notes?.find((n) => sameStep(row, n.step)) ?? null;
}

/** Human words for a status, used for text and aria labels (colour is never the only signal). */
export const STATUS_WORDS: Record<StepStatus, string> = {
  cached: 'cached',
  built: 'built',
  error: 'failed',
  canceled: 'cancelled',
  'not-run': 'not run',
};

export const ROLE_WORDS: Record<StepRole, string> = {
  'root-miss': 'root miss',
  cascade: 'rebuilt as a consequence',
  cached: 'cached',
  built: 'built',
  error: 'failed',
  'not-run': 'not run',
  unchanged: 'unchanged',
};

export function formatSeconds(s: number | null): string {
  if (s === null) return '';
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 120) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}
