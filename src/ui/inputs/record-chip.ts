/** What a build record carries, in the chip's words (the facts come from the worker as numbers). */
import type { BuildTrace, ProvenanceMode } from '../../core/model.ts';

/** Small on purpose: it crosses the worker boundary with the build summaries. */
export interface RecordSummary {
  steps: number;
  args: number;
  dockerfile: boolean;
  llb: boolean;
  provenance: ProvenanceMode;
  kind: 'dockerbuild' | 'history-inspect';
}

export function summarizeRecord(trace: BuildTrace): RecordSummary | undefined {
  const r = trace.record;
  if (!r) return undefined;
  return {
    steps: trace.steps.length,
    args: Object.keys(r.buildArgs).length,
    dockerfile: r.dockerfile !== null,
    llb: r.llb.length > 0,
    provenance: r.provenance,
    kind: r.kind,
  };
}

/** `build record: 4 steps, 1 build arg, Dockerfile, LLB (provenance max)`. */
export function recordChipText(r: RecordSummary): string {
  const parts = [
    `${r.steps} ${r.steps === 1 ? 'step' : 'steps'}`,
    `${r.args} build ${r.args === 1 ? 'arg' : 'args'}`,
    ...(r.dockerfile ? ['Dockerfile'] : []),
    ...(r.llb ? ['LLB'] : []),
  ];
  const mode = r.provenance === 'none' ? 'no provenance' : `provenance ${r.provenance}`;
  return `build record: ${parts.join(', ')} (${mode})`;
}
