/**
 * What an index of many entries holds on to (issue #4: memory must not grow faster than the entry
 * count, and each entry must stay small). Heap sizes are measured by tests/bench/context-memory.ts, not
 * here: these tests check the structure that keeps them small, and that the digests did not move.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ContextBuilder } from '../../../src/core/context/builder.ts';
import { NO_XATTRS } from '../../../src/core/context/checksum.ts';
import { digestText, toHex } from '../../../src/core/context/digest.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { TarParser } from '../../../src/core/context/tar.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { nodeSha256, streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

const FILES = 20_000;

/**
 * 20,000 small files in 200 directories two levels deep (whose parents are missing from the archive,
 * so the builder adds them), a few with xattrs, a few hardlinks and symlinks, and a `.dockerignore`.
 * Directories are all 0755, so the pinned digests do not depend on how a directory's mode is hashed.
 */
function manyEntries(): TarSpec[] {
  const specs: TarSpec[] = [{ name: '.dockerignore', data: '**/ignored-*\n' }];
  for (let d = 0; d < 200; d++) specs.push({ name: `top-${d % 20}/dir-${d}/`, flag: '5' });
  for (let i = 0; i < FILES; i++) {
    const dir = `top-${(i % 200) % 20}/dir-${i % 200}`;
    const name = i % 997 === 0 ? `${dir}/ignored-${i}.tmp` : `${dir}/file-${i}.txt`;
    if (i % 2500 === 1) specs.push({ name: 'x', data: `xattr ${i}`, pax: { path: name, 'SCHILY.xattr.user.tag': `t${i}` } });
    else specs.push({ name, data: `content of file ${i}\n`.repeat(i % 5), mode: i % 11 === 0 ? 0o755 : 0o644 });
  }
  specs.push({ name: 'hard-1', flag: '1', linkname: 'top-2/dir-2/file-2.txt' }, { name: 'link-1', flag: '2', linkname: 'top-3' });
  return specs;
}

/** Distinct objects (arrays included) reachable from `root` through own enumerable properties and Map/Set contents. */
function reachable(root: object): { seen: Set<object>; kinds: Set<string> } {
  const seen = new Set<object>();
  const kinds = new Set<string>();
  const stack: object[] = [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (seen.has(value)) continue;
    seen.add(value);
    kinds.add(Object.prototype.toString.call(value));
    if (ArrayBuffer.isView(value)) continue; // bytes (the hasher's wasm memory), no references
    const children = value instanceof Map ? [...value.keys(), ...value.values()] : value instanceof Set ? [...value] : Object.values(value);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push(child);
  }
  return { seen, kinds };
}

async function indexOf(tar: Uint8Array, hasher = nodeSha256): Promise<ContextIndex> {
  const result = await indexContext(streamOf(tar, [1 << 20]), { name: 'many.tar', hasher });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

/** Written once: the tar writer of the test helpers takes a second or two for 20,000 entries. */
const tar = writeTar(manyEntries());

describe('an index of 20,000 entries', async () => {
  const index = await indexOf(tar, await wasmSha256);

  it('has the digests the index had before its memory was trimmed', async () => {
    // Pinned from the code before digests became flat strings and xattrs were shared (commit 4774f8c).
    expect(index.rootDigest).toBe(ROOT_BEFORE);
    expect(index.entries.length).toBe(ENTRIES_BEFORE);
    expect(index.stats).toEqual(STATS_BEFORE);
    const digests = createHash('sha256');
    for (const e of index.entries) digests.update(`${e.path}\0${e.digest}\0${e.dirDigest ?? ''}\0${e.excluded}\n`);
    expect(digests.digest('hex')).toBe(ENTRY_DIGESTS_BEFORE);
    // And node:crypto agrees with the WASM hasher on every one of them.
    expect((await indexOf(tar)).entries).toEqual(index.entries);
  });

  it('holds one object per entry: entries without kept xattrs share one frozen empty object, and no Map, Set or builder state is reachable', () => {
    const { seen, kinds } = reachable(index);
    const objects = seen.size;
    const withXattrs = index.entries.filter((e) => e.xattrs !== NO_XATTRS);
    expect(withXattrs.map((e) => e.xattrs['user.tag']).sort()).toEqual(Array.from({ length: 8 }, (_, k) => `t${k * 2500 + 1}`).sort());
    expect(Object.isFrozen(NO_XATTRS) && Object.keys(NO_XATTRS).length === 0).toBe(true);
    // The index, its entries array, one object per entry, the own xattrs of 8, the shared empty one,
    // and a handful of small fields (stats, dockerignore, credentials, problems and their objects).
    expect(objects - index.entries.length - withXattrs.length).toBeLessThanOrEqual(10);
    expect([...kinds].sort()).toEqual(['[object Array]', '[object Object]']);
  });

  it('keeps the sharing through a structured clone (what postMessage sends to the page and the analysis worker)', () => {
    const clone = structuredClone(index);
    expect(clone).toEqual(index);
    const shared = new Set(clone.entries.filter((e) => Object.keys(e.xattrs).length === 0).map((e) => e.xattrs));
    expect(shared.size).toBe(1);
  });
});

describe('the builder, once finished', () => {
  it('keeps none of the entries it handed over (its path map is emptied), so holding the builder does not hold a second index', async () => {
    const builder = new ContextBuilder(await wasmSha256, 'many.tar');
    const parser = new TarParser(builder);
    expect(parser.push(tar)).toBeNull();
    expect(parser.finish()).toBeNull();
    const index = builder.finish({ source: 'many.tar', kind: 'tar', modesKnown: true });
    builder.dispose();
    expect(index.entries.length).toBe(ENTRIES_BEFORE);
    const held = reachable(builder).seen;
    expect(index.entries.filter((e) => held.has(e))).toEqual([]);
  });
});

describe('digestText', () => {
  it('writes every byte value as two lower-case hex digits after `sha256:`', () => {
    for (let start = 0; start < 256; start += 32) {
      const bytes = Uint8Array.from({ length: 32 }, (_, i) => start + i);
      expect(digestText(bytes)).toBe('sha256:' + Buffer.from(bytes).toString('hex'));
    }
    expect(toHex(Uint8Array.of(0, 15, 16, 255))).toBe('000f10ff');
    expect(digestText(new Uint8Array(20).fill(0xab))).toBe('sha256:' + 'ab'.repeat(20));
  });

  it('returns a new string each call, unaffected by later calls (its scratch buffer is reused)', () => {
    const a = digestText(new Uint8Array(32).fill(1));
    const b = digestText(new Uint8Array(32).fill(2));
    expect([a, b]).toEqual(['sha256:' + '01'.repeat(32), 'sha256:' + '02'.repeat(32)]);
  });
});

const ROOT_BEFORE = 'sha256:0d55bd54a72cebc5f1da7562a1d787c8a7de93e88cc40ba86e009423587bf1be';
const ENTRIES_BEFORE = 20_223;
const STATS_BEFORE = { files: 19_981, dirs: 220, bytes: 856_847, excluded: 21 };
/** sha256 over every entry's path, digest, dirDigest and excluded flag, in index order. */
const ENTRY_DIGESTS_BEFORE = 'c4a6d06fbff2ee67b612e72e4fa252a26f170e8a809417536ea5490db9185414';
