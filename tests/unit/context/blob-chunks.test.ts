/**
 * A dropped file is read by slices (streamed through a BYOB reader when the blob has streams, else as
 * `arrayBuffer()`) that are asked again when one does not arrive (issue 14: a read that
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
  // A copy: a chunk is valid until the next one is asked for (streamed slices reuse their buffers).
  for await (const chunk of blobChunks(blob, { chunkBytes: 1000, timeoutMs: 30, ...opts })) parts.push(chunk.slice());
  return concatBytes(parts);
}

/** A byte stream that never delivers (`hang`) or fails at its first pull (`fail`). */
function broken(how: 'hang' | 'fail'): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: 'bytes',
    pull: () => (how === 'hang' ? new Promise<void>(() => undefined) : Promise.reject(new Error('read failed'))),
  });
}

/** A blob with streams whose `n`-th slice stream opened (1-based, counting reopenings) behaves as scripted. */
function scriptedStreams(data: Uint8Array, script: Record<number, 'hang' | 'fail'>): SliceableBlob & { opens: number; stream(): ReadableStream } {
  const blob = new Blob([data as Uint8Array<ArrayBuffer>]);
  const fake = {
    size: data.length,
    opens: 0,
    stream: () => blob.stream(),
    slice(start: number, end: number) {
      return {
        arrayBuffer: () => blob.slice(start, end).arrayBuffer(),
        stream: (): ReadableStream<Uint8Array> => {
          const n = ++fake.opens;
          return script[n] ? broken(script[n]) : blob.slice(start, end).stream();
        },
      };
    },
  };
  return fake;
}

describe('blobChunks', () => {
  const data = bytes(10_500);

  it('reads a blob whole, in order, in chunks', async () => {
    expect(await all(new Blob([data as Uint8Array<ArrayBuffer>]))).toEqual(data);
    expect(await all(new Blob([data as Uint8Array<ArrayBuffer>]), { mode: 'buffered' })).toEqual(data);
  });

  it('streamed: slices of 3,000 bytes read into two reused 1,000-byte buffers', async () => {
    const blob = scriptedStreams(data, {});
    const seen = new Set<ArrayBufferLike>();
    const parts: Uint8Array[] = [];
    for await (const chunk of blobChunks(blob, { chunkBytes: 1000, sliceBytes: 3000, timeoutMs: 30 })) {
      expect(chunk.length).toBeLessThanOrEqual(1000);
      seen.add(chunk.buffer);
      parts.push(chunk.slice());
    }
    expect(concatBytes(parts)).toEqual(data);
    expect(blob.opens).toBe(4); // 10,500 bytes in slices of 3,000
    expect(parts.length).toBeGreaterThanOrEqual(11);
  });

  it('streamed: a small blob (a folder file) gets one buffer of its own size, not 1 MiB', async () => {
    const small = bytes(900);
    const chunks: Uint8Array[] = [];
    for await (const chunk of blobChunks(new Blob([small as Uint8Array<ArrayBuffer>]))) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.buffer.byteLength).toBe(900);
    expect(chunks[0]).toEqual(small);
  });

  it('streamed: a slice stream that stalls or fails is opened again at the byte reached', async () => {
    const blob = scriptedStreams(data, { 1: 'hang', 3: 'fail', 5: 'hang' });
    expect(await all(blob, { sliceBytes: 3000 })).toEqual(data);
    expect(blob.opens).toBe(7);
  });

  it('streamed: ends with ReadStalledError when the bytes never arrive', async () => {
    const hangs = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i + 1, 'hang' as const]));
    const started = Date.now();
    await expect(all(scriptedStreams(data, hangs), { attempts: 3 })).rejects.toBeInstanceOf(ReadStalledError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('streamed: a consumer that stops early cancels the slice stream', async () => {
    let cancelled = false;
    const endless = {
      size: 1e9,
      stream: () => new ReadableStream(),
      slice: () => ({
        arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)),
        stream: () =>
          new ReadableStream({
            type: 'bytes',
            pull(controller) {
              const request = controller.byobRequest!;
              const view = request.view as Uint8Array;
              view.fill(1);
              request.respond(view.byteLength);
            },
            cancel: () => {
              cancelled = true;
            },
          }) as ReadableStream<Uint8Array>,
      }),
    };
    let chunks = 0;
    for await (const _ of blobChunks(endless, { chunkBytes: 1000 })) if (++chunks === 3) break;
    expect(cancelled).toBe(true);
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
    const streamed = scriptedStreams(tar, { 2: 'hang', 3: 'fail' });
    const c = await indexContext(
      { kind: 'stream', stream: blobChunks(streamed, { chunkBytes: 4096, sliceBytes: 8192, timeoutMs: 30 }) },
      { name: 'x', hasher: nodeSha256 },
    );
    expect(c).toEqual(b);
  });
});
