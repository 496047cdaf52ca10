/**
 * Inputs a user can get wrong: one warning line on stderr naming the file and why, never a stack; the
 * other inputs are still analysed, and exit 2 only when nothing could be.
 */
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

/** One input that cannot be used: a warning naming it, and the rest is analysed as if it were not given. */
const SKIPPED: { what: string; argv: () => string[]; names: () => string; says: RegExp; sources: string[] }[] = [
  { what: 'a file that does not exist', argv: () => [A, join(scratch, 'missing.log')], names: () => 'missing.log', says: /no such file/, sources: ['a.log'] },
  {
    what: 'a JSON file that is not a report',
    argv: () => [A, B, join(CASE, 'truth.json')],
    names: () => 'truth.json',
    says: /not something cachewhy recognises/,
    sources: ['a.log', 'b.log'],
  },
  {
    what: 'random binary',
    argv: () => [
      A,
      file(
        'junk.bin',
        Uint8Array.from({ length: 3000 }, (_v, i) => (i * 7919) % 256),
      ),
    ],
    names: () => 'junk.bin',
    says: /not something cachewhy recognises/,
    sources: ['a.log'],
  },
  {
    what: 'an empty file',
    argv: () => [A, B, file('empty.log', '')],
    names: () => 'empty.log',
    says: /not something cachewhy recognises/,
    sources: ['a.log', 'b.log'],
  },
  { what: 'a truncated tar', argv: () => [A, B, file('cut.tar', tar.subarray(0, 700))], names: () => 'cut.tar', says: /\S/, sources: ['a.log', 'b.log'] },
  {
    what: 'a gzip stream that ends early',
    argv: () => [A, B, file('cut.tar.gz', Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3, 0x01, 0x02]))],
    names: () => 'cut.tar.gz',
    says: /\S/,
    sources: ['a.log', 'b.log'],
  },
  {
    what: 'a saved report with logs',
    argv: () => [A, file('saved.json', '{"schema": "cachewhy.report/v1", "builds": [], "diagnosis": null}')],
    names: () => 'saved.json',
    says: /give it alone/,
    sources: ['a.log'],
  },
];

/** Nothing left to analyse: exit 2, a warning per bad input, then one line saying so. */
const NOTHING: { what: string; argv: () => string[]; warns: RegExp[] }[] = [
  { what: 'no log at all', argv: () => [join(CASE, 'Dockerfile')], warns: [] },
  {
    what: 'a broken saved report',
    argv: () => [file('report.json', '{"schema": "cachewhy.report/v1", "builds": [')],
    warns: [/report\.json: .*not valid JSON/],
  },
  {
    what: 'every input bad',
    argv: () => [join(scratch, 'gone.log'), join(CASE, 'truth.json')],
    warns: [/gone\.log: .*no such file/, /truth\.json: .*not something cachewhy recognises/],
  },
];

describe('an input that cannot be used is skipped with a warning', () => {
  for (const bad of SKIPPED) {
    it(`${bad.what} → one warning line naming it; the other inputs are analysed (exit 0)`, async () => {
      const r = await runCli(['--json', ...bad.argv()]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).builds.map((b: { source: string }) => b.source)).toEqual(bad.sources);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cachewhy: warning: /);
      expect(lines[0]).toContain(bad.names());
      expect(lines[0]).toMatch(bad.says);
      expect(r.stderr).not.toMatch(/\n\s+at |Error:|TypeError/);
    });
  }

  it('two bad files → two warning lines, one each, in the order given; the log is still analysed', async () => {
    const r = await runCli([A, join(scratch, 'nope1.log'), join(CASE, 'truth.json')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^cachewhy: warning: .*nope1\.log/);
    expect(lines[1]).toMatch(/^cachewhy: warning: .*truth\.json/);
    expect(r.stdout).toContain('1  a.log');
  });
});

describe('nothing could be analysed', () => {
  for (const bad of NOTHING) {
    it(`${bad.what} → exit 2, nothing on stdout, its warnings then one line saying nothing could be analysed`, async () => {
      const r = await runCli(['--json', ...bad.argv()]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(bad.warns.length + 1);
      bad.warns.forEach((says, i) => expect(lines[i]).toMatch(new RegExp(`^cachewhy: warning: .*${says.source}`)));
      expect(lines[lines.length - 1]).toMatch(/^cachewhy: nothing to analyse: no build log or saved report/);
      expect(r.stderr).not.toMatch(/\n\s+at |Error:|TypeError/);
    });
  }
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

  it('a saved report given with a Dockerfile is printed; the Dockerfile gets a warning that it is not used', async () => {
    const json = await runCli(['--json', A, B]);
    const saved = file('saved-again.json', json.stdout);
    const r = await runCli(['--json', saved, join(CASE, 'Dockerfile')]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(json.stdout));
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: warning: Dockerfile: is not used: a saved report is printed as it is/)]);
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
    const keysOf = (stdout: string) => JSON.parse(stdout).contexts.map((ctx: { keys: { content_key: string }[] }) => ctx.keys[0]!.content_key);

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

  it('warns about "-" twice, and an archive on standard input, with one line each, and answers with the rest', async () => {
    const twice = await runCli(['--json', A, '-', '-'], readFileSync(B));
    expect(twice.code, twice.stderr).toBe(0);
    expect(twice.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: warning: standard input.*twice/)]);
    expect(JSON.parse(twice.stdout).builds.map((b: { source: string }) => b.source)).toEqual(['a.log', 'stdin']);
    const archive = await runCli([A, B, '-'], tar);
    expect(archive.code, archive.stderr).toBe(0);
    expect(archive.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: warning: standard input.*context archive/)]);
  });
});
