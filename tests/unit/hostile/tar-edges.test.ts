/**
 * Hostile and odd tar archives, each generated here: the reader keeps every path inside the archive, never
 * follows a link out of it, ends every loop, lets the last duplicate win (as extraction does), and turns
 * every broken archive into one problem that names the file and says what to do.
 */
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentKeys, diffContexts, indexContext, type ContextSource } from '../../../src/core/context/index.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { ContextIndex, InputProblem, Result } from '../../../src/core/model.ts';
import { streamOf, wasmSha256, writeTar, type TarSpec } from '../context/helpers.ts';
import { expectHumanProblem, FIXTURES, fixChecksum, headerOffsets, LONG, timedAsync } from './fuzz.ts';
import { synthTar, ustarHeader } from './tar-synth.ts';
import { concatBytes } from '../../../src/core/bytes.ts';

const NAME = 'hostile.tar';

async function index(bytes: Uint8Array | ContextSource, chunk = [4096]): Promise<Result<ContextIndex>> {
  const source = bytes instanceof Uint8Array ? streamOf(bytes, chunk) : bytes;
  return timedAsync('indexContext', async () => indexContext(source, { name: NAME, hasher: await wasmSha256 }), 10_000);
}

async function ok(specs: TarSpec[] | Uint8Array): Promise<ContextIndex> {
  const result = await index(Array.isArray(specs) ? writeTar(specs) : specs);
  if (!result.ok) throw new Error(`expected an index, got: ${result.problem.message}`);
  return result.value;
}

async function problem(bytes: Uint8Array | ContextSource): Promise<InputProblem> {
  const result = await index(bytes);
  expect(result.ok, 'the archive should have been refused').toBe(false);
  if (result.ok) throw new Error('unreachable');
  expectHumanProblem(result.problem, NAME);
  expect(result.problem.hint ?? '', 'a refused archive says what to do').not.toBe('');
  return result.problem;
}

const paths = (i: ContextIndex) => i.entries.map((e) => e.path);
const entry = (i: ContextIndex, path: string) => i.entries.find((e) => e.path === path);
const plan = (text: string) => readDockerfile(text, 'Dockerfile');

describe('paths stay inside the archive', () => {
  it('../x, /etc/x and a/../../../etc/passwd are names inside the context, never outside it', async () => {
    const i = await ok([
      { name: '../x', data: 'climb' },
      { name: '/etc/x', data: 'absolute' },
      { name: 'a/../../../../etc/passwd', data: 'deep climb' },
      { name: './../../.././y', data: 'dots' },
    ]);
    expect(paths(i)).toEqual(expect.arrayContaining(['x', 'etc/x', 'etc/passwd', 'y']));
    for (const p of paths(i)) {
      expect(p.startsWith('/')).toBe(false);
      expect(p.split('/')).not.toContain('..');
    }
  });

  it('a symlink to /etc/passwd or ../../outside is kept as a link (its target is text), never read', async () => {
    const i = await ok([
      { name: 'abs', flag: '2', linkname: '/etc/passwd' },
      { name: 'up', flag: '2', linkname: '../../../outside' },
      { name: 'app.conf', data: 'x' },
    ]);
    for (const [p, target] of [
      ['abs', '/etc/passwd'],
      ['up', '../../../outside'],
    ] as const) {
      expect(entry(i, p)).toMatchObject({ type: 'symlink', linkname: target, size: 0 });
      expect(entry(i, p)!.contentSha256).toBeUndefined();
    }
    // COPY through such a link resolves inside the archive: /etc/passwd is not in it, so nothing matches.
    const keys = contentKeys(i, plan('FROM scratch\nCOPY abs /a\nCOPY up /b\nCOPY app.conf /c\n'));
    expect(keys.map((k) => k.selectors[0]!.checksum)).toEqual([null, null, expect.stringMatching(/^sha256:/)]);
  });

  it('a hard link to ../../etc/passwd points inside the archive, where it is missing: a guess, said so', async () => {
    const i = await ok([{ name: 'h', flag: '1', linkname: '../../etc/passwd' }]);
    expect(entry(i, 'h')).toMatchObject({ type: 'hardlink', linkname: 'etc/passwd' });
    expect(i.problems.map((p) => p.message).join('\n')).toMatch(/h is a hard link to etc\/passwd, which is not in the archive/);
  });
});

describe('links that loop or lead nowhere end', () => {
  it('symlink loops (a→b→a, self, through a directory) give no checksum and no hang', async () => {
    const i = await ok([
      { name: 'a', flag: '2', linkname: 'b' },
      { name: 'b', flag: '2', linkname: 'a' },
      { name: 'self', flag: '2', linkname: 'self' },
      { name: 'd', flag: '5' },
      { name: 'd/up', flag: '2', linkname: '../d/up/x' },
      { name: 'dangling', flag: '2', linkname: 'nowhere/at/all' },
    ]);
    const p = plan('FROM scratch\nCOPY a /1\nCOPY self /2\nCOPY d/up /3\nCOPY dangling /4\nCOPY * /5\nCOPY d/* /6\n');
    const keys = await timedAsync('contentKeys', async () => contentKeys(i, p));
    expect(keys.slice(0, 4).map((k) => k.selectors[0]!.checksum)).toEqual([null, null, null, null]);
    await timedAsync('diffContexts', async () => diffContexts(i, i, p));
  });

  it('hard links to each other or to a missing file: a guessed digest and one problem each', async () => {
    const i = await ok([
      { name: 'h1', flag: '1', linkname: 'h2' },
      { name: 'h2', flag: '1', linkname: 'h1' },
      { name: 'h3', flag: '1', linkname: 'missing' },
    ]);
    for (const p of ['h1', 'h2', 'h3']) expect(entry(i, p)!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(i.problems.filter((p) => /hard link/.test(p.message))).toHaveLength(3);
  });
});

describe('duplicate entries: the last one wins, as tar extraction does', () => {
  it('a file written twice has the second content', async () => {
    const twice = await ok([
      { name: 'x', data: 'first' },
      { name: 'y', data: 'y' },
      { name: 'x', data: 'second' },
    ]);
    const once = await ok([
      { name: 'y', data: 'y' },
      { name: 'x', data: 'second' },
    ]);
    expect(twice.entries).toEqual(once.entries);
    expect(twice.rootDigest).toBe(once.rootDigest);
    expect(twice.stats).toEqual(once.stats);
  });

  it('a directory replaced by a file, and a file replaced by a symlink, take the later type', async () => {
    const i = await ok([
      { name: 'd', flag: '5' },
      { name: 'd', data: 'now a file' },
      { name: 'f', data: 'x' },
      { name: 'f', flag: '2', linkname: 'd' },
    ]);
    expect(entry(i, 'd')!.type).toBe('file');
    expect(entry(i, 'f')!.type).toBe('symlink');
    expect(paths(i).filter((p) => p === 'd' || p === 'f')).toHaveLength(2);
  });

  it('.dockerignore written twice: the later patterns apply', async () => {
    const i = await ok([
      { name: '.dockerignore', data: 'a.txt\n' },
      { name: 'a.txt', data: 'a' },
      { name: 'b.txt', data: 'b' },
      { name: '.dockerignore', data: 'b.txt\n' },
    ]);
    expect(entry(i, 'a.txt')!.excluded).toBe(false);
    expect(entry(i, 'b.txt')!.excluded).toBe(true);
  });
});

describe('long names, pax records and odd types', () => {
  it('GNU long names and long link targets (300+ characters) are read whole', async () => {
    const long = 'dir/' + 'n'.repeat(150) + '/' + 'm'.repeat(150) + '.txt';
    const target = 't/'.repeat(160) + 'end';
    const i = await ok([
      { name: long, gnuLong: true, data: 'x' },
      { name: 'l' + 'o'.repeat(200), flag: '2', linkname: target, gnuLong: true },
    ]);
    expect(entry(i, long)).toMatchObject({ type: 'file', size: 1 });
    expect(entry(i, 'l' + 'o'.repeat(200))!.linkname).toBe(target);
  });

  it('pax records with odd keys (__proto__, constructor, spaces, =, newlines, empty) pollute nothing and keep names', async () => {
    const i = await ok([
      {
        name: 'p1',
        data: 'x',
        pax: { __proto__polluted: 'no', 'key with spaces': 'v', 'SCHILY.xattr.': 'empty name', 'SCHILY.xattr.__proto__': 'x', constructor: 'c', toString: 's' },
      },
      { name: 'p2', data: 'y', pax: { path: 'dir/with=equals\nand newline', size: 'not a number' } },
      { name: 'p3', data: 'z', pax: { 'SCHILY.xattr.user.a': 'ü\u202e', hdrcharset: 'BINARY', 'LIBARCHIVE.creationtime': '1' } },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false);
    expect(paths(i)).toEqual(expect.arrayContaining(['p1', 'dir/with=equals\nand newline', 'p3']));
    expect(entry(i, 'dir/with=equals\nand newline')!.size).toBe(1);
  });

  it('a pax record whose length lies (0, negative, past the end, not a number) is ignored, not fatal', async () => {
    const records = ['0 path=zero\n', '-5 path=neg\n', '999 path=past\n', 'abc path=nan\n', '12 path=ok\n'];
    for (const rec of records) {
      const data = new TextEncoder().encode(rec);
      const head = ustarHeader('PaxHeaders/x', data.length, 'x');
      const body = new Uint8Array(512);
      body.set(data);
      const rest = writeTar([{ name: 'plain.txt', data: 'p' }]);
      const i = await ok(concatBytes([head, body, rest]));
      expect(i.entries).toHaveLength(1);
      expect(['plain.txt', 'ok']).toContain(i.entries[0]!.path);
    }
  });

  it('a GNU sparse file (type S) is skipped with a warning naming it; the entries after it are read', async () => {
    const sparse = ustarHeader('holes.img', 1024, 'S');
    const i = await ok(concatBytes([sparse, new Uint8Array(1024), writeTar([{ name: 'after.txt', data: 'a' }])]));
    expect(paths(i)).toEqual(['after.txt']);
    expect(i.problems.map((p) => p.message).join('\n')).toMatch(/holes\.img.*type 'S'/);
  });

  it('a pax header that claims 1 GB is refused before it is buffered', async () => {
    const p = await problem(concatBytes([ustarHeader('PaxHeaders/x', 1024 ** 3, 'x'), new Uint8Array(4096)]));
    expect(p.message).toMatch(/extended header/);
  });
});

describe('broken archives: one problem naming the file and what to do', () => {
  const real = new Uint8Array(readFileSync(join(FIXTURES, 'lab/copy-file-content/context-b.tar')));

  it('a 0-byte file is an empty archive', async () => {
    expect((await problem(new Uint8Array(0))).message).toMatch(/empty/);
  });

  it('a file that is not a tar at all (text, PNG, ELF, random) is named as not a tar', async () => {
    const samples = [
      new TextEncoder().encode('FROM alpine\nRUN echo hi\n'.repeat(100)),
      Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(2000).fill(7)]),
      Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, ...new Uint8Array(2000).fill(1)]),
      Uint8Array.from({ length: 5000 }, (_v, i) => (i * 7919 + 13) % 251),
    ];
    for (const bytes of samples) expect((await problem(bytes)).message).toMatch(/not a tar archive/);
  });

  it('an entry that declares more bytes than the archive holds is a truncated archive', async () => {
    const bytes = concatBytes([ustarHeader('big.bin', 1024 ** 3), new Uint8Array(700)]);
    expect((await problem(bytes)).message).toMatch(/truncated/);
  });

  it('a real archive cut inside a header or inside the data of an entry is truncated; cut between entries it is read', async () => {
    const offsets = headerOffsets(real);
    for (const cut of [100, 511, 513, 1000]) expect((await problem(real.subarray(0, cut))).message).toMatch(/truncated|not a tar/);
    for (const at of offsets.slice(1)) {
      expect((await problem(real.subarray(0, at + 300))).message).toMatch(/truncated/); // inside a header
      // At a header boundary, with no end blocks: GNU tar reads it, and so do we.
      const between = await index(real.subarray(0, at));
      if (!between.ok) expectHumanProblem(between.problem, NAME);
    }
  });

  it('a gzip stream that ends early is named as such, whatever the cut', async () => {
    const gz = new Uint8Array(gzipSync(real));
    for (const cut of [3, 10, 20, gz.length >> 1, gz.length - 5]) {
      expect((await problem(gz.subarray(0, cut))).message).toMatch(/gzip|truncated/);
    }
  });

  it('gzip of something that is not a tar is named as not a tar', async () => {
    expect((await problem(new Uint8Array(gzipSync(Buffer.from('hello world\n'.repeat(200)))))).message).toMatch(/not a tar/);
  });

  it('a size field in base-256 that is negative or absurd is refused, not looped on', async () => {
    for (const field of [
      [0xff, ...new Array(11).fill(0xff)],
      [0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
    ]) {
      const head = ustarHeader('neg.bin', 0);
      head.set(field, 124);
      fixChecksum(head, 0);
      const result = await index(concatBytes([head, new Uint8Array(2048)]));
      if (!result.ok) expectHumanProblem(result.problem, NAME);
    }
  });
});

describe('a million empty entries', () => {
  // A million takes minutes on a busy 2-core machine: the normal suite runs 100,000, the long run a million.
  const COUNT = LONG ? 1_000_000 : 100_000;
  it(`indexes ${COUNT.toLocaleString('en')} empty files with memory per entry bounded and in bounded time (1,000,000 with CACHEWHY_FUZZ_RUNS)`, async () => {
    global.gc?.();
    const before = process.memoryUsage();
    const start = performance.now();
    const result = await indexContext(
      { kind: 'stream', stream: synthTar(COUNT, (i) => ({ name: `d${i % 1000}/f${i}`, size: 0 })) },
      { name: NAME, hasher: await wasmSha256 },
    );
    const ms = performance.now() - start;
    const after = process.memoryUsage();
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.stats.files).toBe(COUNT);
    const heapPerEntry = (after.heapUsed - before.heapUsed) / COUNT;
    const rssGrowthMb = (after.rss - before.rss) / 1024 / 1024;
    console.info(
      `${COUNT} empty entries: ${(ms / 1000).toFixed(1)} s, heap +${((after.heapUsed - before.heapUsed) / 1024 / 1024).toFixed(0)} MB (${heapPerEntry.toFixed(0)} B/entry, the index itself), rss +${rssGrowthMb.toFixed(0)} MB`,
    );
    // The index keeps one ContextEntry per path (that is its job); nothing else may grow with the count.
    expect(heapPerEntry).toBeLessThan(2048);
    expect(ms).toBeLessThan(LONG ? 600_000 : 60_000);
  }, 300_000);
});
