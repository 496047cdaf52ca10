/**
 * Share links, format 3 (src/core/report/share-v3.ts) and the compact form it carries (compact.ts): the
 * built-in example's link fits 2,000 characters with the project's address, keeps the answer whole,
 * and every format-2 link still opens.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homepage } from '../../../src/cli/base.ts';
import { REPORT_SCHEMA, type Report } from '../../../src/core/model.ts';
import { compactReport, decodeShareLink, LINK_OMISSION_WORDS, redactReport, validateReport } from '../../../src/core/report/index.ts';
import { toBase64Url } from '../../../src/core/report/share.ts';
import { encodeV2Payload } from '../../../src/core/report/share-v2.ts';
import { encodeV3Payload, OMISSION_WORDS } from '../../../src/core/report/share-v3.ts';
import { runCli } from '../cli/run.ts';

const LAB = resolve(import.meta.dirname, '../../fixtures/lab');
const SEED = join(LAB, 'seed-replica');
/** The example as issue 14 measures it: both logs, the Dockerfile, the commands and both contexts. */
const EXAMPLE = ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(SEED, f));
const CASES = readdirSync(LAB).filter((name) => existsSync(join(LAB, name, 'a.log')) && name !== 'seed-replica');

const v2Fragment = (report: Report): string => `r=2.${toBase64Url(encodeV2Payload(report))}`;
const v3Fragment = (report: Report): string => `r=3.${toBase64Url(encodeV3Payload(report))}`;

async function json(argv: string[]): Promise<Report> {
  const r = await runCli(['--json', ...argv]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

describe("the built-in example's link", () => {
  it("is at most 2,000 characters with the project's address (package.json homepage), and opens", async () => {
    const r = await runCli(['--link', '--base', homepage(), ...EXAMPLE]);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(url.startsWith(`${homepage()}#r=3.`)).toBe(true);
    expect(url.length).toBeLessThanOrEqual(2_000);
    expect((await decodeShareLink(url)).ok).toBe(true);
  });

  it('carries the verdict, every cause with its evidence and files, the first and root misses, their hash notes and every status', async () => {
    const full = await json(EXAMPLE);
    const link = (await runCli(['--link', ...EXAMPLE])).stdout.trim();
    const decoded = await decodeShareLink(link);
    if (!decoded.ok) throw new Error(decoded.problem.message);
    const shared = decoded.value;
    expect(validateReport(shared)).toBeNull();
    const [d, s] = [full.diagnosis!, shared.diagnosis!];
    expect(s.verdict).toBe(d.verdict);
    expect(s.causes).toEqual(d.causes);
    expect(s.first_miss).toEqual(d.first_miss);
    expect(s.root_misses).toEqual(d.root_misses);
    expect(s.hash_notes).toEqual(d.hash_notes?.filter((n) => d.root_misses.some((r) => r.index === n.step.index && r.stage === n.step.stage)));
    expect(s.hash_notes?.length).toBeGreaterThan(0);
    expect(s.steps.map((row) => [row.index, row.role, row.status_by_build])).toEqual(d.steps.map((row) => [row.index, row.role, row.status_by_build]));
    expect(shared.builds.map((b) => b.steps.map((st) => st.status))).toEqual(full.builds.map((b) => b.steps.map((st) => st.status)));
    // The root miss keeps its instruction and Dockerfile line; a cascade step keeps its status only.
    const root = s.steps.find((row) => row.role === 'root-miss')!;
    expect(root.instruction).not.toBe('');
    expect(shared.dockerfile?.lines[root.line! - 1]).toBe(root.instruction);
    expect(s.steps.filter((row) => row.role === 'cascade').every((row) => row.instruction === '' && row.line === undefined)).toBe(true);
    // What it left out is said in the page's words, the commands among them.
    expect(shared.link_omitted).toContain(LINK_OMISSION_WORDS.commands);
    expect(shared.commands).toBeUndefined();
    expect(shared.redactions?.some((note) => note.includes('commands['))).toBe(false);
  });
});

describe('format 3', () => {
  it("writes every omission of today's compact form as a number (the words are the page's)", () => {
    for (const words of Object.values(LINK_OMISSION_WORDS)) expect(OMISSION_WORDS).toContain(words);
    const report = { schema: REPORT_SCHEMA, builds: [], diagnosis: null, link_omitted: [...OMISSION_WORDS] } as Report;
    const numbered = { ...report, link_omitted: OMISSION_WORDS.map((_w, n) => n) } as unknown as Report;
    expect(encodeV3Payload(report)).toEqual(encodeV2Payload(numbered));
  });

  it('keeps words it has no number for as text, and refuses a number it does not know', async () => {
    const odd = { schema: REPORT_SCHEMA, builds: [], diagnosis: null, link_omitted: ['something new', OMISSION_WORDS[4]!] } as Report;
    expect(await decodeShareLink(v3Fragment(odd))).toEqual({ ok: true, value: odd });
    const unknown = { ...odd, link_omitted: [99] } as unknown as Report;
    const result = await decodeShareLink(`r=3.${toBase64Url(encodeV2Payload(unknown))}`);
    expect(result.ok ? 'ok' : result.problem.code).toBe('wrong-schema');
  });

  for (const name of CASES) {
    it(`${name}: the full and the compact report come back exactly, and a format-2 link of each still opens`, async () => {
      const b = existsSync(join(LAB, name, 'b.log')) ? 'b.log' : 'b.jenkins.log';
      const argv = ['a.log', b, 'Dockerfile', 'Dockerfile.b', 'commands.txt', 'context-a.tar', 'context-b.tar']
        .map((f) => join(LAB, name, f))
        .filter(existsSync);
      const safe = redactReport(await json(argv)).report;
      for (const report of [safe, compactReport(safe)]) {
        for (const fragment of [v3Fragment(report), v2Fragment(report)]) {
          const decoded = await decodeShareLink(fragment);
          expect(decoded).toEqual({ ok: true, value: report });
          if (decoded.ok) expect(JSON.stringify(decoded.value)).toBe(JSON.stringify(report));
        }
      }
    });
  }
});
