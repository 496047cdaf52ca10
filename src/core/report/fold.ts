/**
 * Cascades folded: consecutive steps rebuilt only because the same root missed become one item, so a
 * 34-step table says "[3/34]–[34/34] rebuilt because [2/34] missed" once instead of 32 times. Shared
 * by the Markdown and the CLI's plain summary.
 */
import type { DiagnosisStep, StepRef } from '../model.ts';

/** A run of two or more cascade steps that follow the same root miss. */
export interface Fold {
  rows: DiagnosisStep[];
  root: StepRef;
}

export function isFold(item: DiagnosisStep | Fold): item is Fold {
  return 'root' in item && 'rows' in item;
}

/** The steps in order, each run of cascade steps after the same root as one Fold (a lone one stays a step). */
export function foldCascades(steps: DiagnosisStep[]): (DiagnosisStep | Fold)[] {
  const out: (DiagnosisStep | Fold)[] = [];
  for (const step of steps) {
    const prev = out[out.length - 1];
    const root = step.role === 'cascade' ? step.because_of : null;
    if (root && prev && isFold(prev) && prev.root.stage === root.stage && prev.root.index === root.index) prev.rows.push(step);
    else if (root) out.push({ rows: [step], root });
    else out.push(step);
  }
  return out.map((item) => (isFold(item) && item.rows.length === 1 ? item.rows[0]! : item));
}
