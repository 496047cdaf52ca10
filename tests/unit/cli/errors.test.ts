/** Inputs a user can get wrong: one line on stderr naming the file and why, exit 2, never a stack. */
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run.ts';

const CASE = join(import.meta.dirname, '../../fixtures/lab/copy-file-content');
const A = join(CASE, 'a.log');
const B = join(CASE, 'b.log');
const scratch = mkdtempSync(join(tmpdir(), 'cachewhy-cli-'));

function file(name: string, content: string | Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

const tar = readFileSync(join(CASE, 'context-a.tar'));

const BAD: { what: string; argv: () => string[]; names: () => string; says: RegExp }[] = [
  { what: 'a file that does not exist', argv: () => [A, join(scratch, 'missing.log')], names: () => 'missing.log', says: /no such file/ },
  { what: 'a JSON file that is not a report', argv: () => [A, B, join(CASE, 'truth.json')], names: () => 'truth.json', says: /not something cachewhy recognises/ },
  { what: 'random binary', argv: () => [A, file('junk.bin', Uint8Array.from({ length: 3000 }, (_v, i) => (i * 7919) % 256))], names: () => 'junk.bin', says: /not something cachewhy recognises/ },
  { what: 'an empty file', argv: () => [A, B, file('empty.log', '')], names: () => 'empty.log', says: /not something cachewhy recognises/ },
  { what: 'a truncated tar', argv: () => [A, B, file('cut.tar', tar.subarray(0, 700))], names: () => 'cut.tar', says: /\S/ },
  { what: 'a gzip stream that ends early', argv: () => [A, B, file('cut.tar.gz', Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x01, 0x02]))], names: () => 'cut.tar.gz', says: /\S/ },
  { what: 'no log at all', argv: () => [join(CASE, 'Dockerfile')], names: () => 'Dockerfile', says: /no build log/ },
  { what: 'a broken saved report', argv: () => [file('report.json', '{"schema": "cachewhy.report/v1", "builds": [')], names: () => 'report.json', says: /not valid JSON/ },
  { what: 'a saved report with logs', argv: () => [A, file('saved.json', '{"schema": "cachewhy.report/v1", "builds": [], "diagnosis": null}')], names: () => 'saved.json', says: /give it alone/ },
];

describe('bad inputs', () => {
  for (const bad of BAD) {
    it(`${bad.what} → exit 2, one line naming it`, async () => {
      const r = await runCli(['--json', ...bad.argv()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cachewhy: /);
      expect(lines[0]).toContain(bad.names());
      expect(lines[0]).toMatch(bad.says);
      expect(r.stderr).not.toMatch(/\n\s+at |Error:|TypeError/);
    });
  }

  it('two bad files → two lines, one each', async () => {
    const r = await runCli([A, join(scratch, 'nope1.log'), join(CASE, 'truth.json')]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('nope1.log');
    expect(lines[1]).toContain('truth.json');
  });
});

describe('good inputs in other shapes', () => {
  it('a folder is taken as a build context', async () => {
    const dir = join(scratch, 'ctx');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'app.conf'), 'color=blue\n');
    const r = await runCli(['--json', A, B, join(CASE, 'Dockerfile'), dir]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.contexts.map((c: { kind: string }) => c.kind)).toEqual(['folder']);
  });

  it('a saved --json report prints again as Markdown', async () => {
    const json = await runCli(['--json', A, B, join(CASE, 'Dockerfile')]);
    const saved = file('saved-report.json', json.stdout);
    const md = await runCli(['--markdown', saved]);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('**Verdict:** ');
    expect(md.stdout).toContain('COPY app.conf /etc/app.conf');
  });

  it('the default output is a short summary with the verdict and the steps', async () => {
    const r = await runCli([A, B, join(CASE, 'Dockerfile'), join(CASE, 'context-a.tar'), join(CASE, 'context-b.tar')]);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/COPY app\.conf \/etc\/app\.conf.*app\.conf/);
    expect(r.stdout).toMatch(/\[3\/4\]\s+cached\s+BUILT\s+COPY app\.conf \/etc\/app\.conf\s+<- root miss/);
    expect(r.stdout).toMatch(/\[4\/4\]\s+cached\s+BUILT\s+RUN cat \/etc\/app\.conf\s+<- cascade of \[3\/4\]/);
    expect(r.stdout).toContain('changed: app.conf (content');
  });

  it('reports use base names, not the local directory layout', async () => {
    const r = await runCli(['--json', A, B, join(CASE, 'context-a.tar'), join(CASE, 'context-b.tar')]);
    expect(r.stdout).not.toContain(CASE);
    expect(r.stdout).toContain('"source": "context-b.tar"');
  });
});

describe('a .dockerignore given on the command line', () => {
  it('applies to the contexts: ignoring the changed README.md makes both content keys of COPY . . equal', async () => {
    const c = join(import.meta.dirname, '../../fixtures/lab/copy-dot-unrelated');
    const base = ['--json', join(c, 'a.log'), join(c, 'b.log'), join(c, 'Dockerfile'), join(c, 'context-a.tar'), join(c, 'context-b.tar')];
    const keysOf = (stdout: string) => JSON.parse(stdout).contexts.map((ctx: { keys: { contentKey: string }[] }) => ctx.keys[0]!.contentKey);

    const [plainA, plainB] = keysOf((await runCli(base)).stdout);
    expect(plainA).not.toBe(plainB);

    const ignore = file('.dockerignore', '# docs are not needed in the image\nREADME.md\n');
    const r = await runCli([...base, ignore]);
    expect(r.code, r.stderr).toBe(0);
    const [ignoredA, ignoredB] = keysOf(r.stdout);
    expect(ignoredA).toBe(ignoredB);
  });
});

describe('standard input as "-"', () => {
  it('reads a log piped in, in the position it was given', async () => {
    const r = await runCli(['--json', A, '-'], readFileSync(B));
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.builds.map((b: { source: string }) => b.source)).toEqual(['a.log', 'stdin']);
    expect(report.diagnosis.first_miss).toMatchObject({ index: 3 });
  });

  it('refuses "-" twice, and an archive on standard input, with one line each', async () => {
    const twice = await runCli([A, '-', '-'], readFileSync(B));
    expect(twice.code).toBe(2);
    expect(twice.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/standard input.*twice/)]);
    const archive = await runCli([A, B, '-'], tar);
    expect(archive.code).toBe(2);
    expect(archive.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/standard input.*context archive/)]);
  });
});
