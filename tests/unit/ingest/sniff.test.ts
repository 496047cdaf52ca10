import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniffInput, type InputKind } from '../../../src/core/ingest/sniff.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

/**
 * What each fixture file is, by the fixture README's naming (the sniffer itself never sees these rules:
 * it gets the bytes and, only as a tie-breaker, the name).
 */
function expectedKind(path: string): InputKind {
  const name = basename(path);
  if (/^Dockerfile(\.b)?$/.test(name)) return 'dockerfile';
  if (name.endsWith('.tar')) return 'context-tar';
  // Saved cachewhy reports (tests/fixtures/reports/): `<case>.v1.json`.
  if (/\.v\d+\.json$/.test(name)) return 'report-json';
  if (name === 'commands.txt') return 'commands';
  // The sync sniffer sees gzip; `sniffInputDeep` looks inside (tests/unit/record/read.test.ts).
  if (name.endsWith('.dockerbuild')) return 'context-tar-gz';
  if (name.endsWith('.history.json')) return 'history-json';
  if (name.endsWith('.tty.raw')) return 'log';
  // The forum post quotes BuildKit log lines inside prose, folded by the forum: it has build steps in it,
  // so it is read as a log (never refuse a text that has build steps).
  if (name === 'forum-post.txt') return 'log';
  if (name === 'registry-access.log' || name === 'dockerd-debug.log') return 'unknown';
  if (name.endsWith('.log')) return 'log';
  return 'unknown'; // truth.json, vectors.json, cache-db dumps, cache usage, pushed images, README
}

describe('sniffInput on every fixture file', () => {
  const files = allFiles(FIXTURES);
  it('finds the fixture files', () => expect(files.length).toBeGreaterThan(300));
  for (const path of files) {
    const rel = relative(FIXTURES, path);
    it(`${rel} → ${expectedKind(path)}`, () => {
      const head = readFileSync(path).subarray(0, 64 * 1024);
      expect(sniffInput(basename(path), head)).toBe(expectedKind(path));
      // The name is only a hint: the same bytes under a neutral name give the same kind.
      expect(sniffInput('input', head)).toBe(expectedKind(path));
    });
  }
});

const enc = (text: string) => new TextEncoder().encode(text);

/** A v7 tar header (no ustar magic), with a correct checksum. */
function v7Header(name: string): Uint8Array {
  const h = new Uint8Array(512);
  h.set(enc(name), 0);
  h.set(enc('0000644\0'), 100);
  h.set(enc('00000000000\0'), 124);
  h.set(enc('        '), 148);
  h[156] = 0x30;
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(enc(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
  return h;
}

const CASES: [string, string, Uint8Array, InputKind][] = [
  ['gzip magic', 'ctx.bin', gzipSync(readFileSync(join(FIXTURES, 'lab/copy-file-content/context-a.tar'))), 'context-tar-gz'],
  ['a v7 tar without magic', 'old', v7Header('app.conf'), 'context-tar'],
  [
    'a v7-looking header with a wrong checksum',
    'old',
    (() => {
      const h = v7Header('x');
      h[0] = 0x79;
      return h;
    })(),
    'unknown',
  ],
  ['random binary', 'x.log', Uint8Array.from({ length: 4096 }, (_v, i) => (i * 7919) % 256), 'unknown'],
  ['a PNG', 'Dockerfile', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), 'unknown'],
  ['empty, named .dockerignore', '.dockerignore', new Uint8Array(0), 'dockerignore'],
  ['empty, any name', 'notes', new Uint8Array(0), 'unknown'],
  ['a .dockerignore', 'whatever', enc('# comment\nnode_modules\n*.log\n!keep.log\n.git\n'), 'dockerignore'],
  ['a bare word list, named .dockerignore', 'ctx/.dockerignore', enc('secret\nbuild\n'), 'dockerignore'],
  ['a bare word list, any name', 'words.txt', enc('secret\nbuild\n'), 'unknown'],
  ['a config file', 'app.conf', enc('color=blue\n'), 'unknown'],
  ['a Dockerfile with a syntax directive', 'x', enc('# syntax=docker/dockerfile:1\n\nFROM alpine\nRUN true\n'), 'dockerfile'],
  ['a Dockerfile starting with ARG', 'x', enc('# base\nARG BASE=alpine\nFROM $BASE\n'), 'dockerfile'],
  ['lowercase instructions', 'x', enc('from alpine\nrun true\n'), 'dockerfile'],
  ['a Windows Dockerfile with a BOM and CRLF', 'x', enc('\uFEFF# escape=`\r\nFROM mcr.microsoft.com/windows/servercore\r\nRUN dir\r\n'), 'dockerfile'],
  ['a log with CRLF line ends', 'x', enc(readFileSync(join(FIXTURES, 'lab/copy-file-content/b.log'), 'utf8').replace(/\n/g, '\r\n')), 'log'],
  ['a shell script', 'build.sh', enc('#!/bin/sh\nset -e\nmake\n'), 'unknown'],
  ['one docker build command', 'cmd', enc('docker build --build-arg A=1 -t x .\n'), 'commands'],
  ['buildx commands with shell dressing', 'cmd', enc('$ DOCKER_BUILDKIT=1 docker buildx build --no-cache .\n$ docker buildx build .\n'), 'commands'],
  ['a cachewhy report', 'r.json', enc('{\n  "schema": "cachewhy.report/v1",\n  "builds": []\n}'), 'report-json'],
  ['other JSON', 'r.json', enc('{"schema": "something/else"}'), 'unknown'],
  [
    'a tty log pasted without leading spaces',
    'paste',
    enc('[+] Building 1.2s (8/8) FINISHED\n=> [internal] load build definition from Dockerfile\n=> CACHED [2/4] RUN x\n'),
    'log',
  ],
  ['a legacy log', 'x', enc('Sending build context to Docker daemon  3.072kB\nStep 1/2 : FROM alpine\n ---> 1234\n'), 'log'],
  ['a GitHub Actions log', 'x', enc('2024-01-01T10:00:00.0000000Z #5 [2/4] RUN make\n2024-01-01T10:00:01.0000000Z #5 DONE 1.0s\n'), 'log'],
];

describe('sniffInput on hand-made inputs and junk', () => {
  for (const [what, name, bytes, kind] of CASES) {
    it(`${what} → ${kind}`, () => expect(sniffInput(name, bytes)).toBe(kind));
  }
});

describe('sniffInput on random bytes', () => {
  it('never throws and always answers one of the kinds', async () => {
    const { default: fc } = await import('fast-check');
    const kinds = new Set(['log', 'dockerfile', 'dockerignore', 'context-tar', 'context-tar-gz', 'commands', 'report-json', 'unknown']);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 2048 }),
          fc.string({ maxLength: 600 }).map((s) => enc(s)),
        ),
        (name, bytes) => {
          expect(kinds.has(sniffInput(name, bytes))).toBe(true);
        },
      ),
      { numRuns: 1000, seed: 2026 },
    );
  });
});

/** Every `.dockerignore` inside the fixture contexts, read with a minimal ustar walk (test-only). */
function dockerignoresInTars(): { where: string; bytes: Uint8Array }[] {
  const found: { where: string; bytes: Uint8Array }[] = [];
  for (const path of allFiles(FIXTURES).filter((p) => p.endsWith('.tar'))) {
    const tar = readFileSync(path);
    for (let at = 0; at + 512 <= tar.length;) {
      const header = tar.subarray(at, at + 512);
      if (header.every((b) => b === 0)) break;
      const field = (from: number, to: number) => new TextDecoder().decode(header.subarray(from, to)).replace(/\0.*$/s, '');
      const name = field(0, 100);
      const size = parseInt(field(124, 136).trim() || '0', 8);
      if (/(^|\/)\.dockerignore$/.test(name)) found.push({ where: `${relative(FIXTURES, path)}:${name}`, bytes: tar.subarray(at + 512, at + 512 + size) });
      at += 512 + Math.ceil(size / 512) * 512;
    }
  }
  return found;
}

describe('sniffInput on the .dockerignore files inside the fixture contexts', () => {
  const files = dockerignoresInTars().filter((f) => f.bytes.length > 0);
  it('finds both of them', () => expect(files.length).toBeGreaterThanOrEqual(2));
  for (const f of files) {
    it(`${f.where} → dockerignore, with or without its name`, () => {
      expect(sniffInput('.dockerignore', f.bytes)).toBe('dockerignore');
      expect(sniffInput('pasted', f.bytes)).toBe('dockerignore');
    });
  }
});
