/**
 * Byte streams for the context reader: iterate a `ReadableStream` or an async iterable chunk by chunk,
 * stop (and cancel the underlying reader) as soon as the AbortSignal fires, and gunzip when the bytes
 * start with the gzip magic 1f 8b — sniffed from the content, never from a file name.
 */

export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Thrown inside the pipeline only; `indexContext` turns each into an InputProblem. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export class GzipError extends Error {}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}

/**
 * Chunks of `source`, checking `signal` before each one. Leaving the loop early (break, throw, abort)
 * cancels the reader, so the file or network read really stops.
 */
export async function* chunksOf(source: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  if (isReadableStream(source)) {
    const reader = source.getReader();
    let done = false;
    try {
      for (;;) {
        if (signal?.aborted) throw new CancelledError();
        const next = await reader.read();
        if (next.done) {
          done = true;
          return;
        }
        if (next.value.length > 0) yield next.value;
      }
    } finally {
      if (!done) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  } else {
    const iterator = source[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        if (signal?.aborted) throw new CancelledError();
        const next = await iterator.next();
        if (next.done) {
          done = true;
          return;
        }
        if (next.value.length > 0) yield next.value;
      }
    } finally {
      if (!done) await iterator.return?.().catch(() => undefined);
    }
  }
}

export interface OpenedArchive {
  kind: 'tar' | 'tar.gz';
  /** The tar bytes (gunzipped when needed). */
  chunks: AsyncGenerator<Uint8Array>;
  /** Bytes read so far from the source (compressed bytes for .tar.gz). */
  readonly sourceBytes: () => number;
}

/** Open a tar or tar.gz byte stream: sniff the gzip magic, then hand out the tar bytes. */
export async function openArchive(source: ByteSource, signal?: AbortSignal): Promise<OpenedArchive> {
  let sourceBytes = 0;
  const raw = chunksOf(source, signal);
  const counted = (async function* () {
    for await (const chunk of raw) {
      sourceBytes += chunk.length;
      yield chunk;
    }
  })();

  // Gather at least two bytes to sniff (a source may deliver 1-byte chunks).
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < 2) {
    const next = await counted.next();
    if (next.done) break;
    head.push(next.value);
    headBytes += next.value.length;
  }
  const first = head[0];
  const second = first && first.length > 1 ? first[1] : head[1]?.[0];
  const isGzip = first !== undefined && first[0] === 0x1f && second === 0x8b;

  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* head;
    yield* counted;
  }

  if (!isGzip) return { kind: 'tar', chunks: replay(), sourceBytes: () => sourceBytes };
  return { kind: 'tar.gz', chunks: gunzip(replay(), signal), sourceBytes: () => sourceBytes };
}

async function* gunzip(compressed: AsyncGenerator<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await compressed.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await compressed.return(undefined);
    },
  });
  // A `DecompressionStream` is a TransformStream<BufferSource, Uint8Array>.
  const output = input.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  const reader = output.getReader();
  let done = false;
  try {
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        if (error instanceof CancelledError || signal?.aborted) throw new CancelledError();
        throw new GzipError(error instanceof Error ? error.message : String(error));
      }
      if (next.done) {
        done = true;
        return;
      }
      if (next.value.length > 0) yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
