/**
 * Byte streams (`File.stream()`, `Blob.stream()`) must give the same index as any other source: plain and
 * gzipped, with pieces of any size, and a cancel must still stop the read. They are read with a BYOB
 * reader into reused buffers, the next read started before a chunk is handed on: a consumer that kept a
 * view of an old chunk would see it detached, and the digests here would differ.
 */
import { describe, expect, it } from 'vitest';
import { indexContext, type ContextSource } from '../../../src/core/context/index.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { gzip, nodeSha256, streamOf, writeTar, type TarSpec } from './helpers.ts';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** ~5 MiB: more than the three 1 MiB read buffers, files straddling every 1 MiB read boundary. */
function contextTar(): Uint8Array {
  const specs: TarSpec[] = [
    { name: 'app/', flag: '5', mode: 0o755 },
    { name: 'app/x.dat', pax: { 'SCHILY.xattr.user.k': 'v' }, data: 'x' },
  ];
  for (let i = 0; i < 40; i++) specs.push({ name: `app/f${i}`, mode: 0o644, data: bytes(1000 + i * 6000, i) });
  specs.push({ name: 'app/big', data: bytes(2 * 1024 * 1024 + 3, 99) });
  return writeTar(specs);
}

/** A byte stream that hands out `piece`-byte pieces (the first ones `first`), answering BYOB requests; counts the BYOB reads. */
function byteStream(data: Uint8Array, piece: number, counter: { byob: number; pulls: number }, first: number[] = []): ReadableStream<Uint8Array> {
  let at = 0;
  const sizes = [...first];
  return new ReadableStream({
    type: 'bytes',
    pull(controller) {
      counter.pulls++;
      if (at >= data.length) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const request = controller.byobRequest;
      if (request?.view) {
        counter.byob++;
        const view = new Uint8Array(request.view.buffer, request.view.byteOffset, request.view.byteLength);
        const n = Math.min(sizes.shift() ?? piece, view.length, data.length - at);
        view.set(data.subarray(at, at + n));
        at += n;
        request.respond(n);
      } else {
        controller.enqueue(data.slice(at, at + piece));
        at += piece;
      }
    },
  });
}

async function index(source: ContextSource): Promise<ContextIndex> {
  const result = await indexContext(source, { name: 'ctx', hasher: nodeSha256 });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

const digests = (i: ContextIndex) => [i.rootDigest, ...i.entries.map((e) => `${e.path} ${e.digest}`)];

describe('byte streams (type: bytes) of a context', async () => {
  const tar = contextTar();
  const reference = digests(await index(streamOf(tar, [65536])));

  it.each([
    ['Blob.stream() of the tar', () => new Blob([tar as Uint8Array<ArrayBuffer>]).stream()],
    ['Blob.stream() of the tar.gz', () => new Blob([gzip(tar) as Uint8Array<ArrayBuffer>]).stream()],
  ])('%s gives the same index as an async iterable of chunks', async (_, stream) => {
    expect(digests(await index({ kind: 'stream', stream: stream() }))).toEqual(reference);
  });

  it.each([511, 4099, 700_000, 3 << 20])('a byte stream handing out %i-byte pieces gives the same index', async (piece) => {
    const counter = { byob: 0, pulls: 0 };
    expect(digests(await index({ kind: 'stream', stream: byteStream(tar, piece, counter) }))).toEqual(reference);
    expect(counter.byob).toBeGreaterThan(0);
    const gzCounter = { byob: 0, pulls: 0 };
    expect(digests(await index({ kind: 'stream', stream: byteStream(gzip(tar), piece, gzCounter) }))).toEqual(reference);
    expect(gzCounter.byob).toBeGreaterThan(0);
  });

  it('the first bytes arriving in tiny pieces (the gzip sniff reads several) still give the same index', async () => {
    const counter = { byob: 0, pulls: 0 };
    expect(digests(await index({ kind: 'stream', stream: byteStream(tar, 4099, counter, [1, 2, 1]) }))).toEqual(reference);
    expect(digests(await index({ kind: 'stream', stream: byteStream(gzip(tar), 4099, counter, [1, 2, 1]) }))).toEqual(reference);
  });

  it('a cancel stops reading a byte stream', async () => {
    const counter = { byob: 0, pulls: 0 };
    const controller = new AbortController();
    const stream = byteStream(tar, 4096, counter);
    // Aborted at the first progress report, that is, after the first chunk.
    const result = await indexContext(
      { kind: 'stream', stream },
      { name: 'ctx', hasher: nodeSha256, signal: controller.signal, onProgress: () => controller.abort() },
    );
    expect(result.ok).toBe(false);
    expect(counter.pulls * 4096).toBeLessThan(tar.length);
  });
});
