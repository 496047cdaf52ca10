/**
 * `cachewhy check`, the CI gate, on real build pairs: BuildKit v0.8 (lab, real-buildkit, the seed
 * replica with its Jenkins prefix), v0.13 (lab-modern) and the legacy builder (no durations). Exit 1 with
 * the right step, cause and time when a step missed; 0 when the pair stayed cached or the miss is
 * allowed; the JUnit it writes is valid against the XSD Jenkins uses.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import type { Report } from '../../../src/core/model.ts';
import { runCli } from '../cli/run.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const XSD = readFileSync(join(FIXTURES, 'junit/junit-10.xsd'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'cachewhy-check-'));

function files(dir: string, names = ['a.log', 'b.log', 'Dockerfile', 'context-a.tar', 'context-b.tar']): string[] {
  return names.map((n) => join(FIXTURES, dir, n));
}
const SEED = files('lab/seed-replica', ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar']);

async function junitOf(argv: string[]): Promise<{ code: number; stdout: string; xml: string }> {
  const path = join(tmp, `${Math.random().toString(36).slice(2)}.xml`);
  const r = await runCli(['check', '--junit', path, ...argv]);
  return { code: r.code, stdout: r.stdout, xml: readFileSync(path, 'utf8') };
}

async function expectValidJunit(xml: string): Promise<void> {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: XSD }] });
  expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}

describe('cachewhy check: a miss fails with the step, the cause and the time', () => {
  it.each([
    ['lab/seed-replica (v0.8, Jenkins prefix)', SEED, '[2/34]', 'context-changed', 32],
    ['lab-modern/copy-file-content (v0.13)', files('lab-modern/copy-file-content'), '[3/4]', 'context-changed', 1],
    ['real-buildkit/content-change', files('real-buildkit/content-change'), null, 'context-changed', null],
    [
      'real-buildkit/build-arg-change',
      [...files('real-buildkit/build-arg-change'), join(FIXTURES, 'real-buildkit/build-arg-change/commands.txt')],
      null,
      'build-arg-changed',
      null,
    ],
  ])('%s', async (_name, argv, step, kind, cascade) => {
    const { code, stdout, xml } = await junitOf(argv);
    expect(code, stdout).toBe(1);
    expect(stdout).toMatch(/^cachewhy check: FAIL: 1 step missed the cache in b(\.jenkins)?\.log, costing \d+(\.\d)? s\./);
    expect(stdout).toContain(`cause: ${kind} (high confidence)`);
    if (step) expect(stdout).toContain(`\n${step} `);
    expect(stdout).toMatch(/time lost: \d+(\.\d)? s rebuilding the step/);
    await expectValidJunit(xml);
    expect(xml).toMatch(/failures="1" errors="0"/);
    expect(xml).toContain(`<failure type="${kind}"`);
    if (cascade !== null) expect(xml).toContain(`skipped="${cascade}"`);
  });

  it('the seed replica: 5.7 s lost, the file and field in the JUnit failure', async () => {
    const { stdout, xml } = await junitOf(SEED);
    expect(stdout).toContain('time lost: 5.7 s rebuilding the step and the 32 steps rebuilt after it in b.jenkins.log');
    expect(xml).toContain('.aws/cli/cache/5c8e2f0d1a9b7c3e4f6a8b0d2e4f6a8c0e2d4f6a.json: added');
    expect(xml).toContain('<skipped type="cascade" message="cascade: rebuilt because [2/34] missed"/>');
  });
});

describe('cachewhy check: passes where it should', () => {
  it.each(['mtime-only', 'owner-only', 'ignored-file-change', 'dir-mode-change'])('real-buildkit/%s stayed cached: exit 0', async (name) => {
    const { code, stdout, xml } = await junitOf(files(`real-buildkit/${name}`));
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^cachewhy check: PASS: every step CACHED in a\.log was CACHED in b\.log\./);
    await expectValidJunit(xml);
    expect(xml).toMatch(/failures="0" errors="0" skipped="0"/);
  });

  it('--allow-miss by label or by instruction pattern lets the root and its cascade through', async () => {
    for (const pattern of ['[2/34]', '2/34', 'ADD model/*/.aws/*']) {
      const { code, stdout, xml } = await junitOf(['--allow-miss', pattern, ...SEED]);
      expect(code, pattern).toBe(0);
      expect(stdout).toContain(`allowed by --allow-miss ${JSON.stringify(pattern)}`);
      await expectValidJunit(xml);
      expect(xml).toMatch(/failures="0"/);
    }
    const other = await runCli(['check', '--allow-miss', 'RUN date', ...SEED]);
    expect(other.code).toBe(1);
  });

  it('--max-lost-seconds: passes under the budget, fails over it, and never on unknown durations', async () => {
    expect((await runCli(['check', '--max-lost-seconds', '10', ...SEED])).code).toBe(0);
    const over = await runCli(['check', '--max-lost-seconds=1', ...SEED]);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('more than --max-lost-seconds 1');
    // The legacy builder prints no durations: the budget cannot be proven, so the gate fails.
    const legacy = await runCli(['check', '--max-lost-seconds', '1000', ...files('lab/copy-file-content', ['legacy-a.log', 'legacy-b.log'])]);
    expect(legacy.code).toBe(1);
    expect(legacy.stdout).toContain('time lost: unknown: legacy-b.log prints no durations');
  });
});

describe('cachewhy check: reports, reproducibility, mistakes', () => {
  it('--report writes the forum Markdown (.md) or the JSON report, with the time lost', async () => {
    const md = join(tmp, 'report.md');
    const json = join(tmp, 'report.json');
    await runCli(['check', '--report', md, ...SEED]);
    await runCli(['check', '--report', json, ...SEED]);
    expect(readFileSync(md, 'utf8').length).toBeLessThanOrEqual(3000);
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.schema).toBe('cachewhy.report/v2');
    expect(report.diagnosis?.compared).toEqual({ earlier: 0, later: 1 });
    expect(report.diagnosis?.time_lost).toEqual([{ root: { stage: null, index: 2 }, seconds: 5.7, steps: 33, untimed: 0 }]);
  });

  it('--same-inputs: a miss between two builds of one commit is called non-determinism', async () => {
    const r = await runCli([
      'check',
      '--same-inputs',
      ...files('real-buildkit/build-arg-change'),
      join(FIXTURES, 'real-buildkit/build-arg-change/commands.txt'),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('the build is not reproducible');
    expect(r.stdout).toContain('non-determinism: a build arg had another value on each run');
  });

  it.each([
    [['check', '--max-lost-seconds', 'ten', ...SEED], /--max-lost-seconds needs a number/],
    [['check', '--json', ...SEED], /write the report with --report FILE/],
    [['check', '--allow-miss'], /--allow-miss needs a value/],
    [['check', SEED[0]!], /nothing to compare/],
  ])('exit 2: %j', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
