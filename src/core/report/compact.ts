/**
 * The compact form of a report for a share link. A 34-step build compared twice carries ~110 distinct
 * digests plus a hash note and a content key per step, which deflate cannot shrink: the full link of the
 * built-in example is ~15,000 characters, and many chat tools, mail clients and previews cut links past
 * ~2,000. What the reader of a shared report needs is the answer and its evidence: the verdict, the causes
 * with their files and fields, the first and root misses, the root misses' hashes and hash notes, and every
 * step's status in every build. Everything else stays in the report file; `link_omitted` says what the link
 * left out, in the words the page shows. What each part costs in the link is in README-share.md.
 */
import type { DiagnosisStep, Report, StepRef } from '../model.ts';
import { foldCascades, isFold } from './fold.ts';

/** Every omission the compact form can make, in the words the page shows (the first two are always made). */
export const LINK_OMISSION_WORDS = {
  digests: 'vertex digests, hash notes and content keys of the steps that did not miss on their own',
  diffs: 'context comparisons of the COPY/ADD steps whose files did not change',
  cascade: 'instructions and Dockerfile lines of the steps rebuilt only because an earlier step missed',
  contexts: 'checksums of each context and content keys of the context comparisons',
  commands: 'build commands',
  buildFacts: 'base images, cache imports, context transfers and builder of each build',
  inputs: 'list of inputs',
} as const;

type Omission = keyof typeof LINK_OMISSION_WORDS;

/** What every compact link leaves out; the others are listed only when the report had them. */
export const LINK_OMISSIONS: string[] = [LINK_OMISSION_WORDS.digests, LINK_OMISSION_WORDS.diffs];

const key = (step: { stage: string | null; index: number }): string => `${step.stage ?? ''}\u0000${step.index}`;

/** A copy of `report` with only what a reader of the answer needs (see the module comment). Pure, idempotent. */
export function compactReport(report: Report): Report {
  const d = report.diagnosis;
  const roots = new Set((d?.root_misses ?? []).map((r: StepRef) => key(r)));
  const keep = (step: { stage: string | null; index: number }) => roots.has(key(step));
  const made = new Set<Omission>(['digests', 'diffs']);
  const out: Report = {
    ...report,
    builds: report.builds.map((build) => ({
      ...build,
      // `digest` is a required field: null, which the page then explains with `link_omitted`.
      steps: build.steps.map((step) => (keep(step) ? step : { ...step, digest: null })),
    })),
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
  withoutContexts(out, made);
  withoutBuildFacts(out, made);
  withoutCascadeText(out, made);
  out.link_omitted = omissionWords(made, report.link_omitted);
  return out;
}

/**
 * Per-context checksums and the content keys of the context comparisons: ~400 characters of digests no
 * page can recompute, while the cause already says which files changed and quotes both content keys.
 * The commands go too (~340 characters): the causes quote any flag that explains a miss.
 */
function withoutContexts(out: Report, made: Set<Omission>): void {
  if (out.contexts) {
    delete out.contexts;
    made.add('contexts');
  }
  const diffs = out.diagnosis?.context_diffs;
  if (out.diagnosis && diffs?.some((diff) => diff.before || diff.after)) {
    out.diagnosis = { ...out.diagnosis, context_diffs: diffs.map((diff) => ({ ...diff, before: null, after: null })) };
    made.add('contexts');
  }
  if (out.commands) {
    delete out.commands;
    made.add('commands');
    // A redaction note about a command the link no longer carries points at nothing.
    if (out.redactions) out.redactions = out.redactions.filter((note) => !/\bcommands\[/.test(note));
  }
  if (out.inputs) {
    delete out.inputs;
    made.add('inputs');
  }
}

/** Facts of each build that no cause needs: a cause that rests on one (a moved base image) quotes it. */
function withoutBuildFacts(out: Report, made: Set<Omission>): void {
  out.builds = out.builds.map((build) => {
    const { base_images, cache_imports, transfers, builder, ...rest } = build;
    if (base_images || cache_imports || transfers || builder) made.add('buildFacts');
    return rest;
  });
}

/**
 * A cascade run says one thing, "rebuilt because [2/34] missed" (fold.ts), however long it is: its rows
 * keep their statuses and durations but not their text (instruction, Dockerfile lines), the largest part
 * of the link after the digests. A step a cause points at is never one of them.
 */
function withoutCascadeText(out: Report, made: Set<Omission>): void {
  const d = out.diagnosis;
  if (!d) return;
  const named = new Set([...d.causes.flatMap((c) => (c.step ? [key(c.step)] : [])), ...(d.first_miss ? [key(d.first_miss)] : [])]);
  const folded = foldCascades(d.steps)
    .flatMap((item) => (isFold(item) ? item.rows : []))
    .filter((row) => !named.has(key(row)));
  if (!folded.some((row) => row.instruction !== '')) return;
  made.add('cascade');
  const quiet = new Set(folded.map(key));
  const blank = <T extends { stage: string | null; index: number; instruction: string }>(step: T): T =>
    quiet.has(key(step)) ? { ...step, instruction: '' } : step;
  // The line of a blanked row points at an empty line: left out too (~120 characters, one number per row).
  const blankRow = (row: DiagnosisStep): DiagnosisStep => {
    if (!quiet.has(key(row))) return row;
    const { line: _omitted, ...rest } = row;
    return { ...rest, instruction: '' };
  };
  out.diagnosis = { ...d, steps: d.steps.map(blankRow) };
  out.builds = out.builds.map((build) => ({ ...build, steps: build.steps.map(blank) }));
  if (out.dockerfile) out.dockerfile = { ...out.dockerfile, lines: blankLines(out.dockerfile.lines, folded) };
}

/** The Dockerfile with the lines of `rows` (and their `\` continuations) empty: line numbers stay right. */
function blankLines(lines: string[], rows: DiagnosisStep[]): string[] {
  const out = [...lines];
  for (const row of rows) {
    for (let i = (row.line ?? 0) - 1; i >= 0 && i < out.length; i++) {
      const continues = /\\\s*$/.test(out[i]!);
      out[i] = '';
      if (!continues) break;
    }
  }
  return out;
}

/** The page's words for what was left out, in a fixed order; a compact report compacted again keeps its list. */
function omissionWords(made: Set<Omission>, before: string[] | undefined): string[] {
  const words = (Object.keys(LINK_OMISSION_WORDS) as Omission[]).filter((o) => made.has(o)).map((o) => LINK_OMISSION_WORDS[o]);
  return [...new Set([...(before ?? []), ...words])];
}
