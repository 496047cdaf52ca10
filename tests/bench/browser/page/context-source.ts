/**
 * Turns the picked `File` into what `indexContext` takes, optionally counting chunks and the time the
 * pipeline waits on `File.stream()` (for the profiled run).
 */
import type { ContextSource } from '../../../../src/core/context/index.ts';

export interface ReadCounters {
  chunks: number;
  waitMs: number;
}

function counted(stream: ReadableStream<Uint8Array>, c: ReadCounters): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      const t = performance.now();
      const r = await reader.read();
      c.waitMs += performance.now() - t;
      if (r.done) ctrl.close();
      else {
        c.chunks++;
        ctrl.enqueue(r.value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Re-queues a stream with an 8 MiB byte high-water mark, so the file keeps being pulled while the
 * consumer is busy (a File's byte stream has a high-water mark of 0: it reads only on demand).
 */
export function readAhead(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(ctrl) {
        const r = await reader.read();
        if (r.done) ctrl.close();
        else ctrl.enqueue(r.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 8 << 20 }),
  );
}

/**
 * Reads the stream with a BYOB reader into two reused 1 MiB buffers (ping-pong): no new ArrayBuffer per
 * chunk, so nothing piles up for the GC. A yielded chunk stays valid until the next-but-one read, which
 * is enough for a consumer that handles one chunk at a time (the tar path of `indexContext`; a gzip
 * path that queues chunks inside a DecompressionStream would need copies).
 */
export async function* byobChunks(stream: ReadableStream<Uint8Array>, size = 1 << 20): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader({ mode: 'byob' });
  const buffers: (ArrayBuffer | undefined)[] = [new ArrayBuffer(size), new ArrayBuffer(size)];
  let turn = 0;
  try {
    for (;;) {
      const r = await reader.read(new Uint8Array(buffers[turn]!, 0, size));
      if (r.done || !r.value) return;
      buffers[turn] = r.value.buffer as ArrayBuffer;
      turn ^= 1;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function toContextSource(
  file: File,
  counters: ReadCounters | null,
  wrap: ((s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>) | 'byob' | null,
): ContextSource {
  if (wrap === 'byob') return { kind: 'stream', stream: byobChunks(file.stream()), size: file.size };
  const raw = wrap ? wrap(file.stream()) : file.stream();
  const stream = counters ? counted(raw, counters) : raw;
  return { kind: 'stream', stream, size: file.size };
}
