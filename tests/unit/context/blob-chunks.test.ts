/**
 * A dropped file is read by slices that are asked again when one does not arrive (issue 14: a read that
 * stopped left a context unhashed for 90 s). A stalled or failed slice read is retried, the bytes come out
 * whole and in order, and a read that never answers ends in an error, not a wait.
 */
import { describe, expect, it } from 'vitest';
import { blobChunks, ReadStalledError, type SliceableBlob } from '../../../src/core/context/blob-chunks.ts';
import { concatBytes } from '../../../src/core/bytes.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { nodeSha256, streamOf, writeTar } from './helpers.ts';

function bytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
}

/** A blob whose `n`-th slice read (1-based, counting retries) behaves as scripted. */
function scripted(data: Uint8Array, script: Record<number, 'hang' | 'fail'>): SliceableBlob & { reads: number } {
  const blob = new Blob([data as Uint8Array<ArrayBuffer>]);
  const fake = {
    size: data.length,
    reads: 0,
    slice(start: number, end: number) {
      const n = ++fake.reads;
      return {
        arrayBuffer: (): Promise<ArrayBuffer> =>
          script[n] === 'hang'
            ? new Promise(() => undefined)
            : script[n] === 'fail'
              ? Promise.reject(new Error('read failed'))
              : blob.slice(start, end).arrayBuffer(),
      };
    },
  };
  return fake;
}

async function all(blob: SliceableBlob, opts = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of blobChunks(blob, { chunkBytes: 1000, timeoutMs: 30, ...opts })) parts.push(chunk);
  return concatBytes(parts);
}

describe('blobChunks', () => {
  const data = bytes(10_500);

  it('reads a blob whole, in order, in chunks', async () => {
    expect(await all(new Blob([data as Uint8Array<ArrayBuffer>]))).toEqual(data);
  });

  it('asks again for a slice that does not arrive, and for one that failed', async () => {
    const blob = scripted(data, { 1: 'hang', 4: 'hang', 5: 'fail', 6: 'hang' });
    expect(await all(blob)).toEqual(data);
    expect(blob.reads).toBeGreaterThan(11);
  });

  it('ends with ReadStalledError when a slice never arrives', async () => {
    const hangs = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i + 1, 'hang' as const]));
    const started = Date.now();
    await expect(all(scripted(data, hangs), { attempts: 3 })).rejects.toBeInstanceOf(ReadStalledError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives indexContext the same index as any other source when reads stall', async () => {
    const tar = writeTar(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, data: bytes(500 + 97 * i) })));
    const stalled = scripted(tar, { 2: 'hang', 3: 'fail', 9: 'hang' });
    const a = await indexContext({ kind: 'stream', stream: blobChunks(stalled, { chunkBytes: 4096, timeoutMs: 30 }) }, { name: 'x', hasher: nodeSha256 });
    const b = await indexContext(streamOf(tar), { name: 'x', hasher: nodeSha256 });
    expect(a).toEqual(b);
  });
});
