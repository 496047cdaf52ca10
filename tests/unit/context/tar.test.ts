/**
 * The streaming tar reader on archives written in the test (ustar prefix, pax, GNU long names,
 * base-256, every entry type) and on broken input; chunk boundaries at every kind of offset.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { indexContext } from '../../../src/core/context/index.ts';
import { normalizeArchivePath, TarParser, type TarEntry } from '../../../src/core/context/tar.ts';
import { chunked, gzip, nodeSha256, streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

interface Parsed extends TarEntry {
  sha: string;
}

/** Runs the parser over `bytes` in chunks of `sizes` and collects entries with their content digest. */
function parse(bytes: Uint8Array, sizes: number[] = [bytes.length]) {
  const entries: Parsed[] = [];
  let hash = createHash('sha256');
  let current: TarEntry | null = null;
  const warnings: string[] = [];
  const parser = new TarParser({
    entry: (e) => {
      current = e;
      hash = createHash('sha256');
    },
    data: (d) => void hash.update(d),
    end: () => void entries.push({ ...current!, sha: hash.digest('hex') }),
    warn: (m) => void warnings.push(m),
  });
  let problem = null;
  let at = 0;
  let i = 0;
  while (at < bytes.length && !problem) {
    const size = sizes[Math.min(i++, sizes.length - 1)]!;
    problem = parser.push(bytes.subarray(at, at + size));
    at += size;
  }
  problem ??= parser.finish();
  return { entries, problem, warnings };
}

const sha = (text: string | Uint8Array) => createHash('sha256').update(text).digest('hex');
const longDir = 'a-directory-name-that-is-long/'.repeat(4); // 120 chars
const prefixName = longDir + 'prefix-split-name.txt'; // 141 chars: ustar prefix + name
const paxName = 'dir/name with spaces=and equals ' + 'x'.repeat(120) + '.txt';
const gnuName = 'gnu/' + 'long-name-'.repeat(16) + '.txt';
const gnuLink = 'target/' + 'long-link-'.repeat(12);
const bigData = new Uint8Array(3 * 1024 * 1024 + 77).map((_, i) => (i * 31) % 251);

const SPECS: TarSpec[] = [
  { name: './', flag: '5' },
  { name: './Dockerfile', data: 'FROM scratch\nCOPY . .\n' },
  { name: prefixName, data: 'prefix', ustarSplit: true },
  { name: 'dir/', flag: '5', mode: 0o750 },
  { name: 'x', data: 'pax', pax: { path: paxName, 'SCHILY.xattr.user.note': 'kept', 'SCHILY.xattr.security.selinux': 'dropped' } },
  { name: gnuName, data: 'gnu long name', gnuLong: true },
  { name: 'gnu/link', flag: '2', linkname: gnuLink, gnuLong: true },
  { name: 'run.sh', data: '#!/bin/sh\necho hi\n', mode: 0o4755 },
  { name: 'hard.sh', flag: '1', linkname: './run.sh', mode: 0o4755 },
  { name: 'current', flag: '2', linkname: 'run.sh' },
  { name: 'big.bin', data: bigData, base256: true },
  { name: 'dev/null', flag: '3', mode: 0o666, devmajor: 1, devminor: 3 },
  { name: 'dev/loop0', flag: '4', mode: 0o660, devmajor: 7, devminor: 0 },
  { name: 'pipe', flag: '6' },
  { name: '/abs/file.txt', data: 'abs' },
  { name: '../../escape.txt', data: 'dots' },
];

describe('tar reader', () => {
  const tar = writeTar(SPECS);

  it('reads names from ustar prefix, pax records and GNU long names', () => {
    const { entries, problem } = parse(tar);
    expect(problem).toBeNull();
    const paths = entries.map((e) => e.path);
    expect(paths).toContain(prefixName);
    expect(paths).toContain(paxName);
    expect(paths).toContain(gnuName);
    expect(entries.find((e) => e.path === 'gnu/link')).toMatchObject({ type: 'symlink', linkname: gnuLink });
    expect(entries.find((e) => e.path === paxName)).toMatchObject({ sha: sha('pax'), xattrs: { 'user.note': 'kept', 'security.selinux': 'dropped' } });
  });

  it('reads header names that fill the whole field, and UTF-8 names written without pax', () => {
    const full = 'n'.repeat(96) + '.txt'; // 100 bytes: no NUL ends it
    const utf8Name = 'résumé/ünïcödé €.txt'; // written straight into the ustar name field, as some tars do
    const { entries, problem } = parse(
      writeTar([
        { name: full, data: 'a' },
        { name: utf8Name, data: 'b' },
        { name: 'z', flag: '2', linkname: 'cible-é' },
      ]),
    );
    expect(problem).toBeNull();
    expect(entries.map((e) => [e.path, e.linkname])).toEqual([
      [full, ''],
      [utf8Name, ''],
      ['z', 'cible-é'],
    ]);
  });

  it('reads every entry type with its mode, links and device numbers', () => {
    const { entries } = parse(tar);
    const by = (p: string) => entries.find((e) => e.path === p)!;
    expect(by('')).toMatchObject({ type: 'dir' });
    expect(by('dir')).toMatchObject({ type: 'dir', mode: 0o750, size: 0 });
    expect(by('run.sh')).toMatchObject({ type: 'file', mode: 0o4755, size: 18, sha: sha('#!/bin/sh\necho hi\n') });
    expect(by('hard.sh')).toMatchObject({ type: 'hardlink', linkname: 'run.sh', size: 0 });
    expect(by('current')).toMatchObject({ type: 'symlink', linkname: 'run.sh', mode: 0o777 });
    expect(by('dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3 });
    expect(by('dev/loop0')).toMatchObject({ type: 'block', devmajor: 7, devminor: 0 });
    expect(by('pipe')).toMatchObject({ type: 'fifo' });
  });

  it('reads a base-256 size and streams the data of a big file intact', () => {
    const big = parse(tar).entries.find((e) => e.path === 'big.bin')!;
    expect(big.size).toBe(bigData.length);
    expect(big.sha).toBe(sha(bigData));
  });

  it('keeps absolute and dot-dot paths inside the archive', () => {
    const paths = parse(tar).entries.map((e) => e.path);
    expect(paths).toContain('abs/file.txt');
    expect(paths).toContain('escape.txt');
    expect(normalizeArchivePath('./a/./b//c/')).toBe('a/b/c');
    expect(normalizeArchivePath('/../x')).toBe('x');
  });

  it('applies pax global records to the entries after them', () => {
    const all = writeTar([
      { name: 'pax_global_header', flag: 'g', pax: { 'SCHILY.xattr.user.global': '1' } },
      { name: 'a.txt', data: 'a' },
      { name: 'b.txt', data: 'b', pax: { 'SCHILY.xattr.user.global': '2' } },
    ]);
    const { entries, problem } = parse(all);
    expect(problem).toBeNull();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ path: 'a.txt', xattrs: { 'user.global': '1' } });
    expect(entries[1]).toMatchObject({ path: 'b.txt', xattrs: { 'user.global': '2' } });
  });

  it.each([
    ['1-byte', [1]],
    ['511-byte', [511]],
    ['512-byte', [512]],
    ['513-byte', [513]],
    ['random', Array.from({ length: 4000 }, (_, i) => 1 + ((i * 7919) % 3001))],
  ])('gives the same entries for %s chunks', (_, sizes) => {
    const whole = parse(tar);
    const split = parse(tar, sizes);
    expect(split.problem).toBeNull();
    expect(split.entries).toEqual(whole.entries);
  });

  it('gives the same context index whatever the chunking, with WASM and node:crypto alike', async () => {
    const small = writeTar(SPECS.filter((s) => s.name !== 'big.bin'));
    const results = [];
    for (const sizes of [[1], [511], [512], [513], [97, 4096, 13, 700, 1]]) {
      const r = await indexContext(streamOf(small, sizes), { name: 't.tar', hasher: await wasmSha256 });
      expect(r.ok).toBe(true);
      results.push(r.ok && r.value);
    }
    const viaNode = await indexContext(streamOf(small), { name: 't.tar', hasher: nodeSha256 });
    for (const r of results) expect(r).toEqual(results[0]);
    expect(viaNode.ok && viaNode.value).toEqual(results[0]);
  });

  it('skips entry types a context cannot hold, with a warning', () => {
    const odd = writeTar([
      { name: 'weird', flag: 'V', data: '' },
      { name: 'a.txt', data: 'a' },
    ]);
    const { entries, warnings, problem } = parse(odd);
    expect(problem).toBeNull();
    expect(entries.map((e) => e.path)).toEqual(['a.txt']);
    expect(warnings[0]).toMatch(/weird/);
  });
});

describe('broken archives are errors with a message and a hint', () => {
  const tar = writeTar([
    { name: 'a.txt', data: 'x'.repeat(3000) },
    { name: 'b.txt', data: 'y' },
  ]);

  async function problemOf(bytes: Uint8Array, sizes = [1000]) {
    const r = await indexContext(streamOf(bytes, sizes), { name: 'ctx', hasher: await wasmSha256 });
    expect(r.ok).toBe(false);
    return r.ok ? null : r.problem;
  }

  it('reports a truncated archive', async () => {
    for (const cut of [512, 700, 1500, 3584 + 200]) {
      const p = await problemOf(tar.subarray(0, cut));
      expect(p?.message, `cut at ${cut}`).toMatch(/truncated/);
      expect(p?.hint).toBeTruthy();
    }
  });

  it('reports a gzip stream that ends early', async () => {
    const gz = gzip(writeTar([{ name: 'a.bin', data: new Uint8Array(200_000).map((_, i) => (i * 131) % 256) }]));
    const p = await problemOf(gz.subarray(0, Math.floor(gz.length / 2)));
    expect(p?.message).toMatch(/gzip stream ended early/);
    expect(p?.hint).toBeTruthy();
  });

  it('reports input that is not a tar archive', async () => {
    const p = await problemOf(new TextEncoder().encode('#1 [internal] load build definition from Dockerfile\n'.repeat(40)));
    expect(p?.message).toMatch(/not a tar archive/);
    expect(p?.hint).toBeTruthy();
  });

  it('reports a short text as not a tar, and an empty input as empty', async () => {
    expect((await problemOf(new TextEncoder().encode('FROM alpine\n')))?.message).toMatch(/not a tar archive/);
    expect((await problemOf(new Uint8Array(0)))?.message).toMatch(/empty/);
  });

  it.each([
    ['zstd', [0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]],
    ['bzip2', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41]],
    ['zip', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]],
  ])('names a %s file instead of reading it as a tar', async (format, bytes) => {
    const p = await problemOf(new Uint8Array([...bytes, ...new Uint8Array(600)]), [1]);
    expect(p?.message).toMatch(new RegExp(`This is a ${format} file, not a tar archive`));
    expect(p?.hint).toBeTruthy();
  });

  it('reports a damaged header in the middle', async () => {
    const damaged = tar.slice();
    damaged[3594] = damaged[3594]! ^ 0xff; // inside b.txt's header name
    expect((await problemOf(damaged))?.message).toMatch(/damaged/);
  });

  it('accepts a header checksum summed over signed bytes (old tars), as well as the usual unsigned one', async () => {
    // A ustar name with bytes over 127 ('é'), its checksum rewritten as the signed sum.
    const signed = writeTar([{ name: 'caf\u00e9.txt', data: new Uint8Array([1, 2, 3]) }]);
    let sum = 8 * 0x20;
    for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += signed[i]! > 127 ? signed[i]! - 256 : signed[i]!;
    signed.set(new TextEncoder().encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    const read = await indexContext(streamOf(signed), { name: 'ctx', hasher: nodeSha256 });
    expect(read.ok && read.value.entries.map((e) => e.path)).toEqual(['caf\u00e9.txt']);
    const wrong = signed.slice();
    wrong.set(new TextEncoder().encode((sum + 1).toString(8).padStart(6, '0') + '\0 '), 148);
    expect((await problemOf(wrong))?.message).toMatch(/not a tar archive/);
  });

  it('reads a .tar.gz by its magic bytes, not its name', async () => {
    const hasher = await wasmSha256;
    const plain = await indexContext(streamOf(tar), { name: 'ctx.tar.gz', hasher });
    const gz = await indexContext(streamOf(gzip(tar), [1, 1, 50]), { name: 'ctx.tar', hasher });
    expect(plain.ok && gz.ok).toBe(true);
    if (!plain.ok || !gz.ok) return;
    expect(plain.value.kind).toBe('tar');
    expect(gz.value.kind).toBe('tar.gz');
    expect(gz.value.rootDigest).toBe(plain.value.rootDigest);
    expect(gz.value.entries).toEqual(plain.value.entries);
  });
});

describe('progress and cancellation', () => {
  it('stops reading when the signal aborts and returns a cancelled problem', async () => {
    const tar = writeTar(Array.from({ length: 400 }, (_, i) => ({ name: `f${i}.txt`, data: 'z'.repeat(2000) })));
    let pulled = 0;
    let closed = false;
    const controller = new AbortController();
    async function* source() {
      try {
        for (let at = 0; at < tar.length; at += 4096) {
          pulled++;
          if (pulled === 5) controller.abort();
          await new Promise((r) => setTimeout(r, 0));
          yield tar.subarray(at, at + 4096);
        }
      } finally {
        closed = true;
      }
    }
    const r = await indexContext({ kind: 'stream', stream: source() }, { name: 'ctx', hasher: await wasmSha256, signal: controller.signal });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.message).toMatch(/cancelled/);
    expect(pulled).toBeLessThan(8);
    expect(closed, 'the source was closed').toBe(true);
  });

  it('reports progress at least every 100 ms (by the clock) and once at the end', async () => {
    const tar = writeTar(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}.txt`, data: 'z'.repeat(1000) })));
    // A clock that advances 30 ms per chunk makes the throttle deterministic on a busy machine.
    let clock = 1_000_000;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => clock);
    async function* slow() {
      for await (const chunk of chunked(tar, [2048])) {
        clock += 30;
        yield chunk;
      }
    }
    const seen: { at: number; bytes: number; entries: number }[] = [];
    try {
      const r = await indexContext(
        { kind: 'stream', stream: slow(), size: tar.length },
        { name: 'ctx', hasher: await wasmSha256, onProgress: (p) => void seen.push({ at: clock, bytes: p.bytes, entries: p.entries }) },
      );
      expect(r.ok).toBe(true);
    } finally {
      now.mockRestore();
    }
    const chunks = Math.ceil(tar.length / 2048);
    expect(seen.length).toBeGreaterThan(chunks / 3); // throttled, not once per chunk…
    expect(seen.length).toBeLessThan(chunks); // …but regularly
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(100);
    expect(seen.at(-1)).toMatchObject({ bytes: tar.length, entries: 50 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.bytes).toBeGreaterThanOrEqual(seen[i - 1]!.bytes);
  });
});
