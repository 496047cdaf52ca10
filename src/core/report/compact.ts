/**
 * The compact form of a report for a share link. A 34-step build compared twice carries ~110 distinct
 * digests plus a hash note and a content key per step, which deflate cannot shrink: the full link of the
 * built-in example is ~15,000 characters, twice what chat tools accept. What the reader of a shared
 * report needs is the answer and its evidence: the steps, their statuses, the causes, and the hashes of
 * the steps that missed on their own. Everything per-step beyond that stays in the report file.
 */
import type { Report, StepRef } from '../model.ts';

/** What the compact form leaves out, in the words the page shows. */
export const LINK_OMISSIONS = [
  'vertex digests, hash notes and content keys of the steps that did not miss on their own',
  'context comparisons of the COPY/ADD steps whose files did not change',
];

const key = (step: { stage: string | null; index: number }): string => `${step.stage ?? ''}\u0000${step.index}`;

/** A copy of `report` without the per-step detail of steps that are not root misses. Pure. */
export function compactReport(report: Report): Report {
  const d = report.diagnosis;
  const roots = new Set((d?.root_misses ?? []).map((r: StepRef) => key(r)));
  const keep = (step: { stage: string | null; index: number }) => roots.has(key(step));
  const out: Report = {
    ...report,
    builds: report.builds.map((build) => ({
      ...build,
      // `digest` is a required field: null, which the page then explains with `link_omitted`.
      steps: build.steps.map((step) => (keep(step) ? step : { ...step, digest: null })),
    })),
    link_omitted: [...LINK_OMISSIONS],
  };
  if (d) {
    out.diagnosis = {
      ...d,
      steps: d.steps.map((step) => {
        if (keep(step) || step.digest_by_build === undefined) return step;
        const { digest_by_build: _omitted, ...rest } = step;
        return rest;
      }),
      ...(d.hash_notes ? { hash_notes: d.hash_notes.filter((note) => keep(note.step)) } : {}),
      ...(d.context_diffs ? { context_diffs: d.context_diffs.filter((diff) => diff.changed || diff.files.length > 0) } : {}),
    };
  }
  if (report.contexts) out.contexts = report.contexts.map((context) => ({ ...context, keys: context.keys.filter((k) => keep(k.step)) }));
  return out;
}
