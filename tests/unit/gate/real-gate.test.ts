/**
 * The run-twice gate on real builds (issue #12, item 5): `scripts/real-gate/run.sh` built each small
 * context twice with the same inputs on a real Docker engine (Debian docker.io 20.10.24, BuildKit v0.8)
 * and ran `cachewhy check --same-inputs` on the two logs; tests/fixtures/real-gate keeps what it made.
 * Here `cachewhy check` runs in-process on those logs: a build stamp copied into the image or an ARG fed
 * a timestamp fails the gate at the right step and the text calls it non-determinism; a build whose
 * second run stayed CACHED (though a RUN in it writes the date) passes. The run the script recorded
 * (check.json) must agree, and its JUnit must load in the schema Jenkins uses.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { runCli } from '../cli/run.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const DIR = join(FIXTURES, 'real-gate');
const XSD = readFileSync(join(FIXTURES, 'junit/junit-10.xsd'), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'cachewhy-real-gate-'));

interface Truth {
  case: string;
  a_log_ran_steps: string[];
  b_missed_steps: string[];
  b_cached_steps: string[];
  expected_exit: 0 | 1;
  expected_root_miss: string | null;
  expected_cause_kind: string | null;
  expected_context_files: { path: string; change: string }[];
  check_exit_codes: { logs: number; full: number };
}

interface KeptRun {
  form: 'logs' | 'full';
  command: string;
  exit_code: number;
  stdout: string;
  stderr: string;
  junit_xml: string;
}

const SCENARIOS = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const truthOf = (name: string): Truth => JSON.parse(readFileSync(join(DIR, name, 'truth.json'), 'utf8')) as Truth;
const keptRuns = (name: string): KeptRun[] => (JSON.parse(readFileSync(join(DIR, name, 'check.json'), 'utf8')) as { runs: KeptRun[] }).runs;

/** The inputs of each form, as the script passed them. */
function argv(name: string, form: 'logs' | 'full'): string[] {
  const files = ['a.log', 'b.log', 'Dockerfile', ...(form === 'full' ? ['context-a.tar', 'context-b.tar', 'commands.txt'] : [])];
  return files.map((f) => join(DIR, name, f));
}

async function check(name: string, form: 'logs' | 'full'): Promise<{ code: number; stdout: string; stderr: string; xml: string }> {
  const junit = join(tmp, `${name}-${form}.xml`);
  const r = await runCli(['check', '--same-inputs', '--junit', junit, ...argv(name, form)]);
  return { ...r, xml: readFileSync(junit, 'utf8') };
}

async function expectValidJunit(xml: string): Promise<void> {
  const result = await validateXML({ xml: [{ fileName: 'report.xml', contents: xml }], schema: [{ fileName: 'junit-10.xsd', contents: XSD }] });
  expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
  expect(result.valid).toBe(true);
}

const verdict = (text: string) => /^cachewhy check: (\w+)/.exec(text)?.[1];
const missed = (text: string) => [...text.matchAll(/^(\[[^\]]+\]) .*: MISSED$/gm)].map((m) => m[1]);
const causes = (text: string) => [...text.matchAll(/^ {2}cause: ([\w-]+)/gm)].map((m) => m[1]);

/** `[4/5] COPY build-stamp.txt …` → `[4/5]`. */
const labelOf = (step: string): string => /^\[[^\]]+\]/.exec(step)![0];

describe('real-gate fixtures', () => {
  it('has the three scenarios the script makes', () => {
    expect(SCENARIOS).toEqual(['arg-timestamp', 'generated-stamp', 'stays-cached']);
  });

  it.each(SCENARIOS)('%s: the truth agrees with the logs, and the first run rebuilt everything', (name) => {
    const truth = truthOf(name);
    const [a, b] = ['a.log', 'b.log'].map((f) => readFileSync(join(DIR, name, f), 'utf8')) as [string, string];
    const statusIn = (log: string, step: string): string => {
      const id = new RegExp(`^(#\\d+) ${step.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(log)![1]!;
      return new RegExp(`^${id} CACHED$`, 'm').test(log) ? 'cached' : 'built';
    };
    // Run twice from a cold cache: a.log built every step after FROM (FROM is the shared base image).
    const total = Number(/^#\d+ \[1\/(\d+)\] FROM /m.exec(a)![1]);
    expect(truth.a_log_ran_steps.length).toBe(total - 1);
    for (const step of truth.a_log_ran_steps) expect(statusIn(a, step), step).toBe('built');
    for (const step of truth.b_missed_steps) expect(statusIn(b, step), step).toBe('built');
    for (const step of truth.b_cached_steps) expect(statusIn(b, step), step).toBe('cached');
    expect(truth.b_cached_steps.length).toBeGreaterThan(0);
    expect(truth.expected_root_miss).toBe(truth.b_missed_steps[0] ? labelOf(truth.b_missed_steps[0]) : null);
  });
});

describe('cachewhy check --same-inputs on builds that are not reproducible: exit 1, the step, non-determinism', () => {
  const failing = SCENARIOS.filter((name) => truthOf(name).expected_exit === 1);

  it('covers a generated file and a timestamp arg', () => expect(failing).toEqual(['arg-timestamp', 'generated-stamp']));

  describe.each(failing)('%s', (name) => {
    const truth = truthOf(name);
    const step = truth.expected_root_miss!;

    it.each(['logs', 'full'] as const)('on the %s inputs', async (form) => {
      const { code, stdout, stderr, xml } = await check(name, form);
      expect(stderr).toBe('');
      expect(code, stdout).toBe(1);
      expect(stdout).toMatch(
        /^cachewhy check: FAIL: 1 step missed the cache in b\.log, costing \d+(\.\d)? s\. Both builds had the same inputs: the build is not reproducible\.\n/,
      );
      // The failing step is the first one b.log rebuilt; the cached ones before it are not blamed.
      expect(stdout).toMatch(new RegExp(`\\n${step.replace(/[[\]/]/g, '\\$&')} .*\\(Dockerfile line \\d+\\): MISSED\\n`));
      for (const cached of truth.b_cached_steps) expect(stdout).not.toContain(`\n${labelOf(cached)} `);
      expect(stdout).toContain(`  cause: ${truth.expected_cause_kind} (${form === 'full' ? 'high' : 'medium'} confidence)`);
      expect(stdout).toMatch(/\n {2}non-determinism: .+/);
      if (form === 'full') for (const file of truth.expected_context_files) expect(stdout).toContain(`| ${file.path}: ${file.change}`);
      await expectValidJunit(xml);
      expect(xml).toMatch(/failures="1" errors="0"/);
      expect(xml).toContain(`<failure type="${truth.expected_cause_kind}"`);
    });

    it('the gate says what kind of non-determinism it is', async () => {
      const { stdout } = await check(name, 'full');
      const words = /\n {2}non-determinism: (.+)/.exec(stdout)![1]!;
      expect(words).toMatch(
        truth.expected_cause_kind === 'build-arg-changed'
          ? /build arg had another value on each run \(a timestamp/
          : /a file in the build context differs between two builds of the same commit.*generated file, a build stamp/,
      );
    });
  });
});

describe('cachewhy check --same-inputs on a build that stayed cached: exit 0', () => {
  it.each(['logs', 'full'] as const)('stays-cached on the %s inputs (its RUN date ran only in a.log)', async (form) => {
    const { code, stdout, stderr, xml } = await check('stays-cached', form);
    expect(stderr).toBe('');
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^cachewhy check: PASS: every step CACHED in a\.log was CACHED in b\.log\./);
    expect(stdout).not.toMatch(/MISSED|non-determinism/);
    await expectValidJunit(xml);
    expect(xml).toMatch(/failures="0" errors="0" skipped="0"/);
    expect(xml).toContain('name="[4/4] RUN date &gt; /built-at"');
  });
});

describe('the run the script recorded (check.json)', () => {
  it.each(SCENARIOS)('%s: same exit codes as the truth and as cachewhy today, a JUnit that loads', async (name) => {
    const truth = truthOf(name);
    const runs = keptRuns(name);
    expect(runs.map((r) => r.form)).toEqual(['logs', 'full']);
    for (const run of runs) {
      expect(run.command).toMatch(/^cachewhy check --same-inputs --junit junit\.xml a\.log b\.log Dockerfile/);
      expect(run.exit_code, run.stdout).toBe(truth.expected_exit);
      expect(run.exit_code).toBe(truth.check_exit_codes[run.form]);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith(`cachewhy check: ${truth.expected_exit === 0 ? 'PASS' : 'FAIL'}: `)).toBe(true);
      await expectValidJunit(run.junit_xml);
      const now = await check(name, run.form);
      expect(now.code).toBe(run.exit_code);
      // The wording may move on; the verdict, the failing step and the cause kind may not.
      for (const fact of [verdict, missed, causes]) expect(fact(now.stdout)).toEqual(fact(run.stdout));
      expect(missed(run.stdout)).toEqual(truth.expected_root_miss ? [truth.expected_root_miss] : []);
    }
  });
});
