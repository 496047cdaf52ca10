/**
 * BuildKit's per-entry and directory digests against the formulas in src/core/context/checksum.ts (verified
 * on a real cache.db, tests/fixtures/checksum) and
 * BuildKit's own test vectors (dgstFileData0, dgstDirD0), and the selector rules (symlinks, wildcards,
 * several sources) on generated contexts.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContextTree, goPathMatcher, keptXattrs, selectorChecksum, tarsumHeader } from '../../../src/core/context/checksum.ts';
import { smallSha256, toHex } from '../../../src/core/context/digest.ts';
import { contentKeys, indexContext } from '../../../src/core/context/index.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

const sha = (data: string | Uint8Array) => 'sha256:' + createHash('sha256').update(data).digest('hex');

async function index(specs: TarSpec[]): Promise<ContextIndex> {
  const r = await indexContext(streamOf(writeTar(specs)), { name: 'ctx', hasher: await wasmSha256 });
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

const entry = (ix: ContextIndex, path: string) => ix.entries.find((e) => e.path === path)!;

describe('entry digests', () => {
  it('hashes a file as sha256(header || content), as dgstFileData0', async () => {
    const ix = await index([{ name: 'abc', data: 'data0' }]);
    const header = 'namemode420uid0gid0size5typeflag0linkname' + 'unamegnamedevmajor0devminor0';
    expect(entry(ix, 'abc').digest).toBe(sha(header + 'data0'));
    expect(entry(ix, 'abc').digest).toMatch(/^sha256:cd8e75bc/);
  });

  it('hashes directory headers without their name (0755 and 0700 from the real cache.db)', async () => {
    const ix = await index([
      { name: 'a/', flag: '5', mode: 0o755 },
      { name: 'b/', flag: '5', mode: 0o700 },
    ]);
    expect(entry(ix, 'a').digest).toBe('sha256:1a2805521573cb10d73bcd51d16bfa84c8f461d68599740e35484b90b2ab1bab');
    expect(entry(ix, 'b').digest).toBe('sha256:82b8bf7ff775f32914df9c7cc50ee9551ede3c2d6510e9ff99e7176220f3d247');
  });

  it('hashes a symlink by its target string, without following it', async () => {
    const ix = await index([
      { name: 'conf/', flag: '5' },
      { name: 'conf/current', flag: '2', linkname: 'v1.conf' },
    ]);
    expect(entry(ix, 'conf/current').digest).toMatch(/^sha256:3eb70aed.*0974b$/);
  });

  it('builds the recursive dir digest from sorted children, as dgstDirD0', async () => {
    const ix = await index([
      { name: 'd0/', flag: '5' },
      { name: 'd0/ghi', flag: '2', linkname: 'nosuchfile' },
      { name: 'd0/abc', data: 'data0' },
      { name: 'd0/def', flag: '2', linkname: 'abc' },
    ]);
    const d0 = entry(ix, 'd0');
    const expected = sha('\0' + d0.digest + ['abc', 'def', 'ghi'].map((n) => '\0' + n + entry(ix, `d0/${n}`).digest).join(''));
    expect(d0.dirDigest).toBe(expected);
    expect(d0.dirDigest).toMatch(/^sha256:d4745441/);
    expect(ix.rootDigest).toBe(sha('\0' + sha('') + '\0d0' + d0.dirDigest));
  });

  it('keys on mode (with setuid/setgid/sticky) but not on mtime or owner', async () => {
    const base = await index([{ name: 'run.sh', data: 'x', mode: 0o644 }]);
    const mtimeOwner = await index([{ name: 'run.sh', data: 'x', mode: 0o644, mtime: 1, uid: 1000 }]);
    const suid = await index([{ name: 'run.sh', data: 'x', mode: 0o4644 }]);
    expect(mtimeOwner.rootDigest).toBe(base.rootDigest);
    expect(suid.rootDigest).not.toBe(base.rootDigest);
    expect(new TextDecoder().decode(tarsumHeader({ type: 'file', mode: 0o4644, size: 1, linkname: '', xattrs: {} }))).toContain('mode2468');
  });

  it('gives a hardlink its target digest', async () => {
    const ix = await index([
      { name: 'a.sh', data: 'same', mode: 0o755 },
      { name: 'b.sh', flag: '1', linkname: 'a.sh', mode: 0o755 },
    ]);
    expect(entry(ix, 'b.sh').digest).toBe(entry(ix, 'a.sh').digest);
  });

  it('keeps user xattrs and security.capability, drops other security.* and system.*', async () => {
    expect(keptXattrs({ 'user.a': '1', 'security.selinux': 'x', 'security.capability': 'c', 'system.posix_acl_access': 'y' })).toEqual({
      'user.a': '1',
      'security.capability': 'c',
    });
    const plain = await index([{ name: 'f', data: 'x' }]);
    const selinux = await index([{ name: 'f', data: 'x', pax: { 'SCHILY.xattr.security.selinux': 'label' } }]);
    const user = await index([{ name: 'f', data: 'x', pax: { 'SCHILY.xattr.user.b': '2', 'SCHILY.xattr.user.a': '1' } }]);
    expect(selinux.rootDigest).toBe(plain.rootDigest);
    const header = 'namemode420uid0gid0size1typeflag0linknameunamegnamedevmajor0devminor0' + 'user.a1user.b2';
    expect(entry(user, 'f').digest).toBe(sha(header + 'x'));
  });

  it('hashes devices with their numbers and fifos by type', async () => {
    const ix = await index([
      { name: 'null', flag: '3', mode: 0o666, devmajor: 1, devminor: 3 },
      { name: 'p', flag: '6', mode: 0o644 },
    ]);
    expect(entry(ix, 'null').digest).toBe(sha('namemode438uid0gid0size0typeflag3linknameunamegnamedevmajor1devminor3'));
    expect(entry(ix, 'p').digest).toBe(sha('namemode420uid0gid0size0typeflag6linknameunamegnamedevmajor0devminor0'));
  });

  it('streams big files (> 2 MiB) to the same digest as a one-shot hash', async () => {
    const data = new Uint8Array(5 * 1024 * 1024 + 3).map((_, i) => (i * 7) % 256);
    const ix = await index([{ name: 'big', data }]);
    const header = `namemode420uid0gid0size${data.length}typeflag0linknameunamegnamedevmajor0devminor0`;
    expect(entry(ix, 'big').digest).toBe('sha256:' + createHash('sha256').update(header).update(data).digest('hex'));
  });

  it('assumes 0755 for parent directories the archive does not list, and says so', async () => {
    const r = await indexContext(streamOf(writeTar([{ name: 'a/b/c.txt', data: 'c' }])), { name: 'ctx', hasher: await wasmSha256 });
    expect(r.ok && r.value.entries.map((e) => [e.path, e.type, e.mode])).toEqual([
      ['a', 'dir', 0o755],
      ['a/b', 'dir', 0o755],
      ['a/b/c.txt', 'file', 0o644],
    ]);
    expect(r.ok && r.problems?.[0]?.message).toMatch(/assumed mode 0755/);
  });
});

describe('selectors', () => {
  const specs: TarSpec[] = [
    { name: 'Dockerfile', data: 'FROM scratch\n' },
    { name: 'a.txt', data: 'a' },
    { name: 'b.txt', data: 'b' },
    { name: 'src/', flag: '5' },
    { name: 'src/x.ts', data: 'x' },
    { name: 'src/y.ts', data: 'y' },
    { name: 'link-to-src', flag: '2', linkname: 'src' },
    { name: 'link-to-a', flag: '2', linkname: './a.txt' },
    { name: 'abs-link', flag: '2', linkname: '/src/x.ts' },
  ];

  it('follows a symlinked source to its target (checksumFollow)', async () => {
    const ix = await index(specs);
    const tree = new ContextTree(ix);
    expect(selectorChecksum(tree, '/link-to-a').checksum).toBe(entry(ix, 'a.txt').digest);
    expect(selectorChecksum(tree, '/link-to-src').checksum).toBe(entry(ix, 'src').dirDigest);
    expect(selectorChecksum(tree, '/link-to-src/y.ts').checksum).toBe(entry(ix, 'src/y.ts').digest);
    expect(selectorChecksum(tree, '/abs-link').checksum).toBe(entry(ix, 'src/x.ts').digest);
    expect(selectorChecksum(tree, '/missing').checksum).toBeNull();
  });

  it('hashes wildcard matches with their basenames (v0.8.3), one same-base match bare', async () => {
    const ix = await index(specs);
    const tree = new ContextTree(ix);
    const a = entry(ix, 'a.txt').digest;
    const b = entry(ix, 'b.txt').digest;
    expect(selectorChecksum(tree, '/*.txt').checksum).toBe(sha(`a.txt${a}\0b.txt${b}`));
    expect(selectorChecksum(tree, '/a*.txt').checksum).toBe(sha(`a.txt${a}`));
    expect(selectorChecksum(tree, '/a.tx?').checksum).toBe(sha(`a.txt${a}`));
    expect(selectorChecksum(tree, '/[ab].txt').checksum).toBe(sha(`a.txt${a}\0b.txt${b}`));
    // a matched symlink is followed (FollowLinks): abs-link → src/x.ts
    expect(selectorChecksum(tree, '/abs-*').checksum).toBe(sha(`abs-link${entry(ix, 'src/x.ts').digest}`));
    expect(selectorChecksum(tree, '/sr*').checksum).toBe(sha(`src${entry(ix, 'src').dirDigest}`));
    expect(selectorChecksum(tree, '/src/*.ts').paths).toEqual(['src/x.ts', 'src/y.ts']);
    expect(selectorChecksum(tree, '/*.none')).toEqual({ checksum: null, paths: [] });
  });

  it('matches like Go path.Match', () => {
    expect(goPathMatcher('/*.txt').test('/a.txt')).toBe(true);
    expect(goPathMatcher('/*.txt').test('/d/a.txt')).toBe(false);
    expect(goPathMatcher('/[^a]*').test('/b')).toBe(true);
    expect(goPathMatcher('/[^a]*').test('/a')).toBe(false);
    expect(goPathMatcher('/a\\*').test('/a*')).toBe(true);
    expect(goPathMatcher('/a\\*').test('/ab')).toBe(false);
  });

  it('keys several sources in selector order, not Dockerfile order, and skips --from and URLs', async () => {
    const ix = await index(specs);
    const plan = readDockerfile(
      'FROM scratch AS base\nFROM scratch\nCOPY b.txt a.txt /x/\nCOPY --from=base /a /a\nADD https://example.com/f /f\nCOPY . .\n',
      'Dockerfile',
    );
    const keys = contentKeys(ix, plan);
    expect(keys.map((k) => k.instruction)).toEqual(['COPY b.txt a.txt /x/', 'COPY . .']);
    const [multi, dot] = keys;
    expect(multi!.content_key).toBe(sha(`${entry(ix, 'a.txt').digest}\0${entry(ix, 'b.txt').digest}`));
    expect(multi!.cache_db_key).toBe(sha(multi!.content_key + '@-1'));
    expect(multi!.edge_selector).toBe(sha('/b.txt\0/a.txt'));
    expect(dot!.selectors[0]).toMatchObject({ selector: '/', checksum: ix.rootDigest, paths: [''] });
    expect(dot!.content_key).toBe(sha(ix.rootDigest));
  });

  it('leaves the content key empty when a source is missing (BuildKit fails the step)', async () => {
    const ix = await index(specs);
    const [key] = contentKeys(ix, readDockerfile('FROM scratch\nCOPY nope.txt /\n', 'Dockerfile'));
    expect(key!.selectors[0]!.checksum).toBeNull();
    expect(key!.content_key).toBe('');
  });
});

describe('the small synchronous SHA-256 for metadata', () => {
  it('equals node:crypto for every length 0…300 and a long input', () => {
    for (let n = 0; n <= 300; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 13 + n) % 256);
      expect(toHex(smallSha256(data)), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
    const long = new Uint8Array(100_003).map((_, i) => i % 256);
    expect(toHex(smallSha256(long))).toBe(createHash('sha256').update(long).digest('hex'));
  });
});
