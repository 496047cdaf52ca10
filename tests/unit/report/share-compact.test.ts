/**
 * A long report goes into the share link in its compact form (src/core/report/compact.ts): the built-in
 * example's report (34 steps, two builds, two contexts) made a ~15,000-character link, twice what chat
 * tools accept.
 */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/model.ts';
import {
  compactReport,
  decodeShareLink,
  encodeShareLinkDetailed,
  LINK_OMISSION_WORDS,
  LINK_OMISSIONS,
  SHARE_LINK_SOFT_LIMIT,
  validateReport,
} from '../../../src/core/report/index.ts';
import { runCli } from '../cli/run.ts';
import { sampleReport } from './sample.ts';

const SEED = resolve(import.meta.dirname, '../../fixtures/lab/seed-replica');

async function seedReport(): Promise<Report> {
  const files = ['a.log', 'b.jenkins.log', 'Dockerfile', 'context-a.tar', 'context-b.tar'];
  const r = await runCli(['--json', ...files.map((f) => join(SEED, f))]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe('compact share links', () => {
  it("the seed case fits a chat message, keeps the answer and the root miss's hashes, and says what it left out", async () => {
    const report = await seedReport();
    const encoded = await encodeShareLinkDetailed(report);
    expect(encoded.compact).toBe(true);
    expect(encoded.size).toBeLessThan(SHARE_LINK_SOFT_LIMIT - 256);

    const decoded = await decodeShareLink(encoded.fragment);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const shared = decoded.value;
    expect(validateReport(shared)).toBeNull();
    // What it left out is said, and only what this report had (no commands were given here).
    const W = LINK_OMISSION_WORDS;
    expect(shared.link_omitted).toEqual([...LINK_OMISSIONS, W.cascade, W.contexts, W.buildFacts, W.inputs]);
    // The answer is whole: verdict, causes, every step and status of both builds.
    expect(shared.diagnosis?.verdict).toBe(report.diagnosis?.verdict);
    expect(shared.diagnosis?.causes).toEqual(report.diagnosis?.causes);
    expect(shared.builds.map((b) => b.steps.map((s) => [s.index, s.status]))).toEqual(report.builds.map((b) => b.steps.map((s) => [s.index, s.status])));
    // The root miss keeps its digests and hash note; the other steps' are left out, and so are the contexts.
    const root = report.diagnosis!.root_misses[0]!;
    expect(shared.diagnosis?.hash_notes?.map((n) => n.step.index)).toEqual([root.index]);
    for (const [b, build] of shared.builds.entries()) {
      for (const step of build.steps) {
        expect(step.digest).toBe(step.index === root.index ? report.builds[b]!.steps.find((s) => s.index === step.index)!.digest : null);
      }
    }
    expect(shared.contexts).toBeUndefined();
    expect(shared.diagnosis?.context_diffs?.every((d) => (d.changed || d.files.length > 0) && d.before === null && d.after === null)).toBe(true);
  });

  it('a short report goes whole, with nothing left out', async () => {
    const encoded = await encodeShareLinkDetailed(sampleReport());
    expect(encoded.compact).toBe(false);
    const decoded = await decodeShareLink(encoded.fragment);
    expect(decoded.ok && decoded.value.link_omitted).toBeUndefined();
  });

  it('compacting is pure and idempotent', async () => {
    const report = await seedReport();
    const before = JSON.stringify(report);
    const once = compactReport(report);
    expect(JSON.stringify(report)).toBe(before);
    expect(compactReport(once)).toEqual(once);
  });
});
