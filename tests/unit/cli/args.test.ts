import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE, parseArgs } from '../../../src/cli/args.ts';
import { runCli } from './run.ts';

describe('cachewhy command line', () => {
  it('prints usage and exits 2 when given no file', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('usage: cachewhy');
  });

  it('--help prints usage, documents the default --base, exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--markdown');
    expect(r.stdout).toContain(`default ${DEFAULT_BASE}`);
  });

  it.each([
    [['--json', '--markdown', 'a.log'], /cannot be used together/],
    [['--frobnicate', 'a.log'], /unknown option --frobnicate/],
    [['--link', '--base'], /--base needs a URL/],
    [['--link', '--base', 'not a url', 'a.log'], /is not a URL/],
    [['--link', '--base', 'javascript:alert(1)', 'a.log'], /only http, https and file/],
    [['--json', '--base', 'https://x.org/', 'a.log'], /only makes sense with --link/],
  ])('%j is refused with one line and exit 2', async (argv, message) => {
    const r = await runCli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('parses modes, --base=URL and files in order', () => {
    expect(parseArgs(['--link', '--base=https://h.org/app/', 'a.log', '--', '--odd-name'])).toEqual({
      ok: true,
      options: { mode: 'link', base: 'https://h.org/app/', files: ['a.log', '--odd-name'], help: false },
    });
  });

  it('parses --build N,M and --build=N; a file#N stays in the files (it is split where files are read)', () => {
    expect(parseArgs(['--build', '2,3', 'a.log#1'])).toEqual({
      ok: true,
      options: { mode: 'summary', base: DEFAULT_BASE, files: ['a.log#1'], help: false, build: [2, 3] },
    });
    expect(parseArgs(['--build=1', 'a.log'])).toMatchObject({ ok: true, options: { build: [1] } });
  });

  it('--help documents picking builds', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout).toContain('FILE#N[,M…]');
    expect(r.stdout).toContain('--build N[,M…]');
  });
});
