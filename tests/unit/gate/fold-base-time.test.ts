/** The plain summary folds cascades like the Markdown; time lost from real durations; the app's address. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultBase, homepage } from '../../../src/cli/base.ts';
import pkg from '../../../package.json' with { type: 'json' };
import { runCli } from '../cli/run.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const SEED = ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(FIXTURES, 'lab/seed-replica', f));

describe('the CLI summary', () => {
  it('folds the 32 cascade steps into one line', async () => {
    const r = await runCli(SEED);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.includes('cascade'))).toEqual([]);
    expect(lines.find((l) => l.startsWith('[3/34]'))).toMatch(/^\[3\/34\]–\[34\/34\]\s+cached\s+BUILT\s+32 steps\s+<- rebuilt because \[2\/34\] missed$/);
    expect(lines.some((l) => l.startsWith('[2/34]') && l.endsWith('<- root miss'))).toBe(true);
    expect(r.stdout.length).toBeLessThan(2500);
  });
});

describe('time lost', () => {
  it("sums the later build's durations over the root and its cascade (v0.13 plain log)", async () => {
    const dir = join(FIXTURES, 'lab-modern/copy-file-content');
    const r = await runCli(['--json', join(dir, 'a.log'), join(dir, 'b.log')]);
    const d = JSON.parse(r.stdout).diagnosis;
    // b.log: COPY app.conf DONE 0.0s, RUN cat DONE 0.3s.
    expect(d.time_lost).toEqual([{ root: { stage: null, index: 3 }, seconds: 0.3, steps: 2, untimed: 0 }]);
    expect(d.verdict).not.toContain('took'); // the engine's sentence stays as it was; the outputs add the time
  });

  it('says when the log has no durations (legacy builder)', async () => {
    const dir = join(FIXTURES, 'lab/copy-file-content');
    const r = await runCli([join(dir, 'legacy-a.log'), join(dir, 'legacy-b.log')]);
    expect(r.stdout.split('\n')[0]).toContain('legacy-b.log prints no step durations, so the time lost is unknown.');
  });
});

describe('where the app is hosted', () => {
  it('package.json homepage is the default, CACHEWHY_BASE overrides it', () => {
    expect(homepage()).toBe(pkg.homepage);
    expect(defaultBase({})).toBe(pkg.homepage);
    expect(defaultBase({ CACHEWHY_BASE: 'https://ci.example/cachewhy/' })).toBe('https://ci.example/cachewhy/');
  });

  it('--link points there', async () => {
    const r = await runCli(['--link', ...SEED.slice(0, 2)]);
    expect(r.stdout.startsWith(`${pkg.homepage}#r=`)).toBe(true);
  });
});
