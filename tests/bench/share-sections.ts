/**
 * What each part of the built-in example's report costs in its share link, to choose what the compact
 * form leaves out (README-share.md has the table this prints). "Kept" parts: characters saved if the
 * part alone were taken out of today's link. "Left out" parts: characters added if it alone were put back.
 * Run: node --import tsx tests/bench/share-sections.ts
 */
import { join, resolve } from 'node:path';
import { homepage } from '../../src/cli/base.ts';
import type { Report } from '../../src/core/model.ts';
import { compactReport, redactReport } from '../../src/core/report/index.ts';
import { encodeV3Payload } from '../../src/core/report/share-v3.ts';
import { runCli } from '../unit/cli/run.ts';

const SEED = resolve(import.meta.dirname, '../fixtures/lab/seed-replica');
const FILES = ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'];
const full = redactReport(JSON.parse((await runCli(['--json', ...FILES.map((f) => join(SEED, f))])).stdout) as Report).report;
const link = compactReport(full);
const chars = (r: Report): number => `${homepage()}#r=3.`.length + Math.ceil((encodeV3Payload(r).length * 4) / 3);
const now = chars(link);

type Edit = (r: Report) => void;
const d = (r: Report) => r.diagnosis!;
const fromFull =
  <K extends keyof Report>(k: K): Edit =>
  (r) =>
    void (r[k] = structuredClone(full[k]));
const KEPT: Record<string, Edit> = {
  verdict: (r) => delete d(r).verdict,
  'causes: evidence lines': (r) => d(r).causes.forEach((c) => (c.evidence = [])),
  'hash note of the root miss: explanation': (r) => d(r).hash_notes!.forEach((n) => (n.explanation = '')),
  'hash note of the root miss: key parts': (r) => d(r).hash_notes!.forEach((n) => (n.key_parts = [])),
  suggestions: (r) => delete d(r).suggestions,
  'warnings (credentials in the image)': (r) => delete d(r).warnings,
  'context comparison of the root miss (files)': (r) => delete d(r).context_diffs,
  'time lost': (r) => delete d(r).time_lost,
  'step durations (both builds)': (r) => {
    r.builds.forEach((b) => b.steps.forEach((s) => (s.duration_s = null)));
    d(r).steps.forEach((s) => delete s.duration_by_build);
  },
  'status notes': (r) => r.builds.forEach((b) => b.steps.forEach((s) => delete s.status_note)),
  'redaction notes': (r) => delete r.redactions,
  'link_omitted (7 entries, as numbers)': (r) => delete r.link_omitted,
};
const LEFT_OUT: Record<string, Edit> = {
  'build commands': fromFull('commands'),
  // Every COPY/ADD step's keys, as the full report has them (the former compact form kept the root miss's).
  'per-context checksums': fromFull('contexts'),
  inputs: fromFull('inputs'),
  'base images, cache imports, transfers, builder': (r) =>
    r.builds.forEach((b, i) => {
      const { base_images, cache_imports, transfers, builder } = full.builds[i]!;
      Object.assign(b, { base_images, cache_imports, transfers, builder });
    }),
  'content keys of the context comparison': (r) => (d(r).context_diffs = structuredClone(compactReportDiffs())),
  'cascade instructions, Dockerfile lines and row lines': (r) => {
    r.dockerfile = structuredClone(full.dockerfile);
    d(r).steps = full.diagnosis!.steps.map((row, i) => ({
      ...d(r).steps[i]!,
      instruction: row.instruction,
      ...(row.line !== undefined ? { line: row.line } : {}),
    }));
    r.builds = r.builds.map((b, i) => ({ ...b, steps: b.steps.map((s, j) => ({ ...s, instruction: full.builds[i]!.steps[j]!.instruction })) }));
  },
};

/** The root miss's context comparison with its content keys, as the full report has it. */
function compactReportDiffs() {
  return (full.diagnosis!.context_diffs ?? []).filter((diff) => diff.changed || diff.files.length > 0);
}

console.log(`link now: ${now} characters (${homepage()})`);
console.log('| part | kept or left out | characters |');
console.log('|---|---|---:|');
for (const [name, edit] of Object.entries(KEPT)) {
  const r = structuredClone(link);
  edit(r);
  console.log(`| ${name} | kept | ${now - chars(r)} |`);
}
for (const [name, edit] of Object.entries(LEFT_OUT)) {
  const r = structuredClone(link);
  edit(r);
  console.log(`| ${name} | left out | ${chars(r) - now} |`);
}
