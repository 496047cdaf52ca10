/**
 * Turns the picked `File` into what `indexContext` takes, optionally counting chunks and the time the
 * pipeline waits on `File.stream()` (for the profiled run).
 */
import { blobChunks } from '../../../../src/core/context/blob-chunks.ts';
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

/** The app's reader (slices with timeouts, blob-chunks.ts), counted when asked. */
async function* appReader(file: File, c: ReadCounters | null): AsyncGenerator<Uint8Array> {
  const chunks = blobChunks(file);
  for (;;) {
    const t = performance.now();
    const next = await chunks.next();
    if (c) c.waitMs += performance.now() - t;
    if (next.done) return;
    if (c) c.chunks++;
    yield next.value;
  }
}

export function toContextSource(
  file: File,
  counters: ReadCounters | null,
  wrap: ((s: ReadableStream<Uint8Array>) => ReadableStream<Uint8Array>) | null,
): ContextSource {
  if (!wrap) return { kind: 'stream', stream: appReader(file, counters), size: file.size };
  const raw = wrap(file.stream());
  const stream = counters ? counted(raw, counters) : raw;
  return { kind: 'stream', stream, size: file.size };
}
