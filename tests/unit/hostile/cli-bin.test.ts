/**
 * The real `cachewhy` binary (node src/cli/cachewhy.js, as a user runs it) on every input a user can get
 * wrong: exit 2, exactly one stderr line per problem naming the input, and never a stack trace.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES } from './fuzz.ts';

const BIN = join(import.meta.dirname, '../../../src/cli/cachewhy.js');
const CASE = join(FIXTURES, 'lab/copy-file-content');
const A = join(CASE, 'a.log');
const B = join(CASE, 'b.log');
const scratch = mkdtempSync(join(tmpdir(), 'cachewhy-hostile-'));
const file = (name: string, content: string | Uint8Array): string => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};
const tar = readFileSync(join(CASE, 'context-b.tar'));
const locked = join(scratch, 'locked');
mkdirSync(locked);
writeFileSync(join(locked, 'app.conf'), 'x');
chmodSync(locked, 0o000);
afterAll(() => chmodSync(locked, 0o755));

function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...argv], { timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const runningAsRoot = process.getuid?.() === 0;

/** Inputs that cannot be used: each is skipped with one warning line, and the good logs are still analysed. */
const BAD_INPUTS: { what: string; argv: () => string[]; names: string[]; says: RegExp }[] = [
  { what: 'a missing file', argv: () => [A, B, join(scratch, 'nope.log')], names: ['nope.log'], says: /no such file/ },
  {
    what: 'binary junk',
    argv: () => [
      A,
      B,
      file(
        'junk.bin',
        Uint8Array.from({ length: 4096 }, (_v, i) => (i * 7919 + 1) % 256),
      ),
    ],
    names: ['junk.bin'],
    says: /not something cachewhy recognises/,
  },
  { what: 'an empty file', argv: () => [A, B, file('empty.txt', '')], names: ['empty.txt'], says: /not something cachewhy recognises/ },
  { what: 'a truncated tar', argv: () => [A, B, file('cut.tar', tar.subarray(0, 1300))], names: ['cut.tar'], says: /truncated/ },
  { what: 'a gzip that ends early', argv: () => [A, B, file('cut.tar.gz', gzipSync(tar).subarray(0, 200))], names: ['cut.tar.gz'], says: /gzip/ },
  {
    what: 'a log that is not a build log though it looks like text',
    argv: () => [A, B, file('notes.log', '#1 hello\nthis is not a build\n')],
    names: ['notes.log'],
    says: /\S/,
  },
];

/** Usage errors: nothing is analysed, one line, exit 2. */
const USAGE_ERRORS: { what: string; argv: () => string[]; names: string[]; says: RegExp }[] = [
  { what: 'a mangled --link base', argv: () => ['--link', '--base', 'ht!tp:/\\bad base', A, B], names: ['--base'], says: /not a URL/ },
  { what: 'a javascript: --link base', argv: () => ['--link', '--base', 'javascript:alert(1)//', A, B], names: ['--base'], says: /only http, https and file/ },
  { what: 'an unknown flag', argv: () => ['--jsno', A, B], names: ['--jsno'], says: /unknown option/ },
  { what: 'two outputs at once', argv: () => ['--json', '--markdown', A, B], names: ['--json', '--markdown'], says: /cannot be used together/ },
];

const NO_STACK = /^\s+at |\bat .*:\d+:\d+|Error:|TypeError|node:internal/m;

describe('cachewhy binary: an input that cannot be used is one warning line, and the rest is analysed', () => {
  for (const c of BAD_INPUTS) {
    it(`${c.what} → a warning naming it, the report of the good logs`, async () => {
      const r = await run(['--json', ...c.argv()]);
      expect([0, 1], r.stderr).toContain(r.code);
      expect(JSON.parse(r.stdout).schema).toBe('cachewhy.report/v2');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cachewhy: warning: /);
      for (const name of c.names) expect(lines[0]).toContain(name);
      expect(lines[0]).toMatch(c.says);
      expect(r.stderr).not.toMatch(NO_STACK);
    });
  }

  it('only bad inputs → a warning each, then exit 2: nothing to analyse', async () => {
    const r = await run([join(scratch, 'gone.log'), file('junk2.bin', new Uint8Array(3000).fill(1)), file('cut2.tar', tar.subarray(0, 700))]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length, r.stderr).toBeGreaterThanOrEqual(3);
    expect(lines[0]).toContain('gone.log');
    expect(lines[1]).toContain('junk2.bin');
    expect(lines[lines.length - 1]).toMatch(/nothing to analyse/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });
});

describe('cachewhy binary: usage errors are one line each, exit 2, no stack', () => {
  for (const c of USAGE_ERRORS) {
    it(`${c.what} → exit 2, one line naming it`, async () => {
      const r = await run(c.argv());
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^cachewhy: /);
      for (const name of c.names) expect(lines[0]).toContain(name);
      expect(lines[0]).toMatch(c.says);
      expect(r.stderr).not.toMatch(NO_STACK);
    });
  }

  // root reads any directory whatever its mode, so this case can only be seen as an ordinary user.
  it.skipIf(runningAsRoot)('a directory without permission → a warning naming it', async () => {
    const r = await run([A, B, locked]);
    expect(r.stderr).toMatch(/locked.*permission denied/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
