/**
 * `.dockerignore` as a BuildKit v0.8-era client applies it: docker/cli ReadAll, docker's 2020
 * PatternMatcher (last match wins, leading directories match) and fsutil's walker (an excluded
 * directory is skipped unless an exception pattern literally starts with it).
 */
import { describe, expect, it } from 'vitest';
import { createMatcher, parseDockerignore } from '../../../src/core/context/dockerignore.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { streamOf, wasmSha256, writeTar } from './helpers.ts';

describe('reading a .dockerignore', () => {
  it.each([
    ['comments and blank lines', '# a comment\n\n  \nsecret.env\n', ['secret.env']],
    ['a # after spaces is a pattern, not a comment', '  #notes\n', ['#notes']],
    ['leading / and ./ are dropped, trailing / too', '/a\n./b\nc/\n/d/e/\n', ['a', 'b', 'c', 'd/e']],
    ['exceptions keep their ! and are cleaned', '!/keep\n! ./also/\n', ['!keep', '!also']],
    ['a UTF-8 BOM and CRLF line ends', '\uFEFFone\r\ntwo\r\n', ['one', 'two']],
    ['path cleaning resolves . and ..', 'a/./b/../c\n', ['a/c']],
  ])('%s', (_, text, patterns) => {
    expect(parseDockerignore(text)).toEqual(patterns);
  });
});

type Case = [string, string, string, boolean, boolean]; // title, .dockerignore, path, isDir, excluded

const CASES: Case[] = [
  ['plain name', 'secret.env', 'secret.env', false, true],
  ['plain name only at the root', 'secret.env', 'sub/secret.env', false, false],
  ['leading / is the root', '/a.txt', 'a.txt', false, true],
  ['leading / does not reach into dirs', '/a.txt', 'sub/a.txt', false, false],
  ['* stays in one directory', '*.log', 'debug.log', false, true],
  ['* does not cross /', '*.log', 'logs/debug.log', false, false],
  ['*/ matches one level down', '*/*.log', 'logs/debug.log', false, true],
  ['** matches any number of dirs', '**/*.log', 'a/b/c/debug.log', false, true],
  ['** matches zero dirs too', '**/*.log', 'debug.log', false, true],
  ['trailing ** excludes contents', 'node_modules/**', 'node_modules/x/y.js', false, true],
  ['trailing ** keeps the dir itself', 'node_modules/**', 'node_modules', true, false],
  ['? is one character', 'file?.txt', 'file1.txt', false, true],
  ['? is exactly one character', 'file?.txt', 'file10.txt', false, false],
  ['[...] is a class', 'file[0-9].txt', 'file5.txt', false, true],
  ['[...] excludes other characters', 'file[0-9].txt', 'filex.txt', false, false],
  ['[^...] negates', 'file[^0-9].txt', 'filex.txt', false, true],
  ['[^...] negates, so a digit is kept', 'file[^0-9].txt', 'file5.txt', false, false],
  ['[!...] is not a negation in docker (it matches !)', 'file[!x].txt', 'file!.txt', false, true],
  ['trailing / pattern matches the dir', 'build/', 'build', true, true],
  ['a matched dir excludes its contents', 'build/', 'build/out/app.o', false, true],
  ['a pattern matches leading directories', 'a/b', 'a/b/c/d.txt', false, true],
  ['! re-includes after a match', '*.md\n!README.md', 'README.md', false, false],
  ['! keeps others excluded', '*.md\n!README.md', 'CHANGES.md', false, true],
  ['the last matching pattern wins', '!README.md\n*.md', 'README.md', false, true],
  ['a dir with a literal exception is still sent', 'docs\n!docs/keep.md', 'docs', true, false],
  ['its named child is sent', 'docs\n!docs/keep.md', 'docs/keep.md', false, false],
  ['its other children are not', 'docs\n!docs/other.md', 'docs/keep.md', false, true],
  ['a wildcard exception does not reopen an excluded dir (v0.8 walker)', 'docs\n!**/keep.md', 'docs/keep.md', false, true],
  ['a wildcard exception works outside excluded dirs', '*.md\n!**/keep.md', 'a/keep.md', false, false],
  ['the Dockerfile can be excluded', 'Dockerfile', 'Dockerfile', false, true],
  ['.dockerignore can exclude itself', '.dockerignore', '.dockerignore', false, true],
  ['* excludes the Dockerfile too', '*', 'Dockerfile', false, true],
  ['and ! brings it back', '*\n!Dockerfile', 'Dockerfile', false, false],
  ['comments never match', '# secret.env', 'secret.env', false, false],
  ['no patterns, nothing excluded', '', 'anything', false, false],
];

describe('which paths the client leaves out', () => {
  it.each(CASES)('%s: %j vs %s', (_, text, path, isDir, excluded) => {
    const { matcher, errors } = createMatcher(parseDockerignore(text));
    expect(errors).toEqual([]);
    expect(matcher.excludes(path, isDir)).toBe(excluded);
  });

  it('rejects a lone ! and an unterminated [ as BuildKit does', () => {
    expect(createMatcher(parseDockerignore('!\n')).errors[0]?.message).toMatch(/illegal exclusion/);
    expect(createMatcher(parseDockerignore('file[0-9\n')).errors[0]?.message).toMatch(/invalid pattern/);
  });
});

describe('applying .dockerignore while indexing', () => {
  const tar = writeTar([
    { name: '.dockerignore', data: '# local only\nnode_modules\n!node_modules/keep.js\n*.log\n' },
    { name: 'Dockerfile', data: 'FROM scratch\n' },
    { name: 'app.js', data: 'app' },
    { name: 'debug.log', data: 'log' },
    { name: 'node_modules/', flag: '5' },
    { name: 'node_modules/keep.js', data: 'keep' },
    { name: 'node_modules/dep/', flag: '5' },
    { name: 'node_modules/dep/index.js', data: 'dep' },
  ]);

  it('reads the patterns from the context root and marks what is not sent', async () => {
    const r = await indexContext(streamOf(tar), { name: 'ctx', hasher: await wasmSha256 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const excluded = r.value.entries.filter((e) => e.excluded).map((e) => e.path);
    expect(excluded).toEqual(['debug.log', 'node_modules/dep', 'node_modules/dep/index.js']);
    expect(r.value.dockerignore).toEqual(['node_modules', '!node_modules/keep.js', '*.log']);
    expect(r.value.stats.excluded).toBe(3);
  });

  it('lets a given .dockerignore replace the one in the context, and null disable it', async () => {
    const hasher = await wasmSha256;
    const given = await indexContext(streamOf(tar), { name: 'ctx', hasher, dockerignore: 'app.js' });
    const none = await indexContext(streamOf(tar), { name: 'ctx', hasher, dockerignore: null });
    expect(given.ok && given.value.entries.filter((e) => e.excluded).map((e) => e.path)).toEqual(['app.js']);
    // The context's own .dockerignore differs from the given one: the user is told which was applied.
    expect(given.ok && given.problems?.map((p) => p.message).join('\n')).toMatch(
      /ctx has its own \.dockerignore, which differs from the \.dockerignore given; the given one was applied/,
    );
    const same = await indexContext(streamOf(tar), {
      name: 'ctx',
      hasher,
      dockerignore: '# the same patterns\r\nnode_modules\n!node_modules/keep.js\n\n*.log\n',
    });
    expect(same.ok && (same.problems ?? []).some((p) => /differs from the \.dockerignore given/.test(p.message))).toBe(false);
    expect(none.ok && none.value.entries.some((e) => e.excluded)).toBe(false);
    expect(given.ok && none.ok && given.value.rootDigest !== none.value.rootDigest).toBe(true);
  });

  it('excluding a file changes the root digest, as for COPY . .', async () => {
    const hasher = await wasmSha256;
    const a = await indexContext(streamOf(tar), { name: 'ctx', hasher, dockerignore: '*.log' });
    const b = await indexContext(streamOf(tar), { name: 'ctx', hasher, dockerignore: '*.log\napp.js' });
    expect(a.ok && b.ok && a.value.rootDigest !== b.value.rootDigest).toBe(true);
  });
});
