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

export function toContextSource(file: File, counters: ReadCounters | null): ContextSource {
  const stream = counters ? counted(file.stream(), counters) : file.stream();
  return { kind: 'stream', stream, size: file.size };
}
