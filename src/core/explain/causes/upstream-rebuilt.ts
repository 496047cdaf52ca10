/**
 * `upstream-rebuilt`: a step that copies from (or is built on) another stage missed because that stage
 * rebuilt and produced different output. It is cascade, but crossing a stage boundary is worth saying:
 * the stage it names is where to look. (Had the stage rebuilt to identical output, `COPY --from` would
 * have stayed CACHED — its key is the copied content.)
 */
import type { AlignedRow } from '../align.ts';
import { rowLabel } from '../align.ts';
import { baseStageOf, lastStepOfStage, stagesReadBy } from '../upstream.ts';
import type { Candidate, PairView } from './view.ts';
import { missEvidence, stepName, stepRefOf } from './view.ts';

function stageLabel(v: PairView, position: number): string {
  const plan = v.planL ?? v.planE;
  return plan?.stages.find((s) => s.position === position)?.label ?? v.al.rows.find((r) => r.stagePosition === position)?.stage ?? `stage-${position}`;
}

export function upstreamRebuiltCauses(v: PairView): Candidate[] {
  const out: Candidate[] = [];
  for (const row of v.al.rows) {
    if (v.misses.roles.get(row.key) !== 'cascade') continue;
    const root = v.misses.becauseOf.get(row.key) ?? null;
    // The stages it copies or mounts from, and for a stage's first step the stage it is built FROM.
    const base = baseStageOf(v.al, row.stagePosition, v.later);
    const first = !v.al.rows.some((r) => r.stagePosition === row.stagePosition && r.index < row.index);
    const read = [...stagesReadBy(v.al, row, v.later), ...(first && base !== null ? [base] : [])];
    for (const pos of read) {
      const last = lastStepOfStage(v.al, pos);
      if (!last || !['built', 'error', 'canceled'].includes(last.statuses[v.later] ?? '')) continue;
      const stage = stageLabel(v, pos);
      out.push(cause(v, row, stage, root));
    }
  }
  return out;
}

function cause(v: PairView, row: AlignedRow, stage: string, root: AlignedRow | null): Candidate {
  const rootText = root ? ` (where the first miss was ${rowLabel(root)} \`${root.instruction}\`)` : '';
  return {
    kind: 'upstream-rebuilt',
    confidence: 'high',
    step: stepRefOf(row),
    summary: `${stepName(row)} missed because stage ${stage} rebuilt with a different result${rootText}.`,
    evidence: [...missEvidence(v, row), ...(root ? missEvidence(v, root) : [])],
    weight: 1,
  };
}
