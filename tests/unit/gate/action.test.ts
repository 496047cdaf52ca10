/**
 * The GitHub Action (action.yml + action/run.sh) and the Pages workflow. GitHub cannot run here: the
 * YAML is checked for the shape GitHub requires, and the action's script is run as GitHub would run
 * it, with INPUT_* variables and fake GITHUB_STEP_SUMMARY / GITHUB_OUTPUT files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../../..');
const SEED = 'tests/fixtures/lab/seed-replica';

interface Step {
  uses?: string;
  run?: string;
  shell?: string;
  id?: string;
  env?: Record<string, string>;
}

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));

  it('is a composite action with the inputs and outputs the issue names', () => {
    expect(typeof action.name).toBe('string');
    expect(typeof action.description).toBe('string');
    expect(action.runs.using).toBe('composite');
    for (const input of ['logs', 'dockerfile', 'contexts', 'mode', 'allow-miss']) expect(action.inputs[input]?.description, input).toBeTruthy();
    expect(action.inputs.logs.required).toBe(true);
    expect(action.inputs.mode.default).toBe('report');
    for (const output of ['first-miss', 'cause', 'time-lost', 'link']) {
      expect(action.outputs[output].value).toBe(`\${{ steps.run.outputs.${output} }}`);
    }
  });

  it('every run step names its shell (composite actions require it) and every input reaches the script', () => {
    const steps = action.runs.steps as Step[];
    for (const step of steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true);
    for (const step of steps.filter((s) => s.run)) expect(step.shell).toBe('bash');
    const run = steps.find((s) => s.id === 'run')!;
    for (const name of Object.keys(action.inputs)) {
      expect(run.env?.[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`]).toBe(`\${{ inputs.${name} }}`);
    }
  });
});

describe('action/run.sh with fake GitHub files', () => {
  function runAction(env: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'cachewhy-action-'));
    const summary = join(dir, 'summary.md');
    const output = join(dir, 'output.txt');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const r = spawnSync('bash', ['action/run.sh'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? dir, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output, ...env },
    });
    const outputs = Object.fromEntries(
      readFileSync(output, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(summary, 'utf8'), outputs };
  }
  const seed = {
    INPUT_LOGS: `${SEED}/a.log\n${SEED}/b.jenkins.log`,
    INPUT_DOCKERFILE: `${SEED}/Dockerfile`,
    INPUT_CONTEXTS: `${SEED}/context-a.tar ${SEED}/context-b.tar`,
    INPUT_BASE: 'https://example.org/cachewhy/',
  };

  it('check mode: fails, annotates the Dockerfile line, writes the summary and the outputs', () => {
    const r = runAction({ ...seed, INPUT_MODE: 'check' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`::warning file=${SEED}/Dockerfile,line=2,title=cache miss at [2/34]::context-changed: `);
    expect(r.summary).toContain('**Verdict:** Step 2/34');
    expect(r.summary.length).toBeLessThanOrEqual(3000);
    expect(r.outputs).toMatchObject({ verdict: 'fail', 'first-miss': '[2/34] ADD model/Dockerfile/om-datasci-base/.aws/ /root/.aws', 'time-lost': '5.7' });
    expect(r.outputs.cause).toMatch(/^context-changed: .*appeared in the context/);
    expect(r.outputs.link).toMatch(/^https:\/\/example\.org\/cachewhy\/#r=/);
  });

  it('report mode never fails on a miss; an allowed miss passes check mode', () => {
    expect(runAction({ ...seed, INPUT_MODE: 'report' }).code).toBe(0);
    const allowed = runAction({ ...seed, INPUT_MODE: 'check', INPUT_ALLOW_MISS: 'RUN date\n[2/34]' });
    expect(allowed.code).toBe(0);
    expect(allowed.outputs.verdict).toBe('pass');
    expect(allowed.stdout).not.toContain('::warning');
  });

  it('a wrong mode is an error, not a pass', () => {
    const r = runAction({ ...seed, INPUT_MODE: 'gate' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('::error title=cachewhy::mode must be report or check');
  });
});

describe('.github/workflows/pages.yml', () => {
  const wf = parse(readFileSync(join(ROOT, '.github/workflows/pages.yml'), 'utf8'));

  it('tests every push, publishes dist/ to Pages from main only', () => {
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.on).toHaveProperty('pull_request');
    const test = wf.jobs.test.steps as Step[];
    expect(test.map((s) => s.run).filter(Boolean)).toEqual(['npm ci', 'npm test']);
    const upload = test.find((s) => s.uses?.startsWith('actions/upload-pages-artifact@'))!;
    expect((upload as { with: { path: string } }).with.path).toBe('dist');
    expect(wf.jobs.publish.needs).toBe('test');
    expect(wf.jobs.publish.if).toContain("github.ref == 'refs/heads/main'");
    expect(wf.jobs.publish.permissions).toEqual({ pages: 'write', 'id-token': 'write' });
    expect((wf.jobs.publish.steps as Step[])[0]!.uses).toMatch(/^actions\/deploy-pages@/);
  });
});
