/**
 * The builder writes small entries straight into the WASM hasher's in-place batch (and falls back to
 * `digestMany` for other hashers). Every entry digest and the root digest must equal the node:crypto
 * run's, across batch flushes, the 2 MiB small/streamed boundary, and two contexts indexed at once on
 * the one WASM instance (the second batch grows wasm memory while the first is mid-entry).
 */
import { describe, expect, it } from 'vitest';
import { indexContext } from '../../../src/core/context/index.ts';
import type { Sha256 } from '../../../src/core/context/hasher.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { nodeSha256, streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Over 8 MiB of small files (so the batch flushes mid-stream), sizes at block edges, one file just over 2 MiB. */
function contextTar(seed: number): Uint8Array {
  const specs: TarSpec[] = [
    { name: 'src/', flag: '5', mode: 0o755 },
    { name: 'src/deep/', flag: '5', mode: 0o750 },
  ];
  const sizes = [0, 1, 55, 56, 63, 64, 511, 512, 513, 4096, 2 * 1024 * 1024, 2 * 1024 * 1024 + 1];
  for (let i = 0; i < 45; i++) sizes.push(200_000 + i * 1000);
  sizes.forEach((size, i) => specs.push({ name: `src/${i % 2 ? 'deep/' : ''}f${i}.bin`, mode: i % 3 ? 0o644 : 0o755, data: bytes(size, seed + i) }));
  specs.push({ name: 'src/link', flag: '2', linkname: 'f1.bin' });
  specs.push({ name: 'src/attrs.txt', data: 'x', pax: { 'SCHILY.xattr.user.note': 'é'.repeat(40) } });
  specs.push({ name: 'src/hard', flag: '1', linkname: 'src/f3.bin' });
  return writeTar(specs);
}

async function index(tar: Uint8Array, hasher: Sha256, chunks: number[]): Promise<ContextIndex> {
  const result = await indexContext(streamOf(tar, chunks), { name: 'ctx.tar', hasher });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

const digests = (index: ContextIndex) => [index.rootDigest, ...index.entries.map((e) => `${e.path} ${e.digest} ${e.dirDigest ?? ''}`)];

describe('context builder on the in-place WASM batch', async () => {
  const wasm = await wasmSha256;

  it('gives the same entry and root digests as node:crypto (fallback batch), whatever the chunking', async () => {
    const tar = contextTar(1);
    const reference = digests(await index(tar, nodeSha256, [65536]));
    expect(reference.length).toBeGreaterThan(55);
    for (const chunks of [[65536], [1_000_000], [7, 1000, 333], [511, 513]]) {
      expect(digests(await index(tar, wasm, chunks)), `chunks ${chunks.join(',')}`).toEqual(reference);
    }
  });

  it('two contexts indexed at the same time on one WASM instance each match their node:crypto digests', async () => {
    const a = contextTar(2);
    const b = contextTar(3);
    const [refA, refB] = [digests(await index(a, nodeSha256, [65536])), digests(await index(b, nodeSha256, [65536]))];
    // Tiny chunks: each index awaits between chunks, so their entries interleave.
    const [gotA, gotB] = await Promise.all([index(a, wasm, [4096]), index(b, wasm, [3000]), index(contextTar(4), wasm, [5000])]);
    expect(digests(gotA)).toEqual(refA);
    expect(digests(gotB)).toEqual(refB);
  });

  it('a cancelled index returns its batch, so the next index of the same context still matches', async () => {
    const tar = contextTar(5);
    const controller = new AbortController();
    const cancelled = indexContext(streamOf(tar, [4096]), { name: 'ctx.tar', hasher: wasm, signal: controller.signal });
    controller.abort();
    expect((await cancelled).ok).toBe(false);
    expect(digests(await index(tar, wasm, [65536]))).toEqual(digests(await index(tar, nodeSha256, [65536])));
  });
});
