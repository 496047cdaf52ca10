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

/** A compressed or archive format we recognise but do not read (only tar and tar.gz are). */
export class UnsupportedFormatError extends Error {
  constructor(readonly format: string) {
    super(format);
  }
}

const SNIFF_BYTES = 6;

/** Magic numbers of formats people hand over instead of a tar: named in the error, never guessed from a file name. */
function otherFormat(magic: Uint8Array): string | null {
  const starts = (...bytes: number[]) => bytes.every((b, i) => magic[i] === b);
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  // "BZh", block size '1'…'9', then the first block's magic 0x3141…: printable, so check all six bytes.
  if (starts(0x42, 0x5a, 0x68) && magic[3]! >= 0x31 && magic[3]! <= 0x39 && magic[4] === 0x31 && magic[5] === 0x41) return 'bzip2';
  if (starts(0x50, 0x4b, 0x03, 0x04)) return 'zip';
  if (starts(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) return '7z';
  return null;
}

function isReadableStream(source: ByteSource): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream<Uint8Array>).getReader === 'function';
}

/**
 * Chunks of `source`, checking `signal` before each one. Leaving the loop early (break, throw, abort)
 * cancels the reader, so the file or network read really stops.
 *
 * Consumers treat a yielded chunk as valid only until the next one is asked for and copy what they keep
 * (the tar reader and the builder do; the gzip path copies before queueing), so a reused-buffer reader
 * can come back without changing them.
 */
export async function* chunksOf(source: ByteSource, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const iterator = isReadableStream(source) ? readerIterator(source) : source[Symbol.asyncIterator]();
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

/** Size of each reused read buffer. */
const READ_BUFFER = 1024 * 1024;
/** Buffers in rotation: the one being filled, the chunk the consumer holds, and the one it held before. */
const READ_BUFFERS = 3;

/**
 * A stream's reader as an iterator whose `return` cancels the read and releases the lock.
 *
 * The app does not read Files this way any more: a BYOB read of `File.stream()` stopped for good a few
 * times in Chromium and cannot be retried, so Blobs go through blob-chunks.ts (slice reads, asked again).
 * A byte stream (`File.stream()`, `Blob.stream()`) is read with a BYOB reader into buffers taken in turn.
 * Why: the default reader hands out a fresh ArrayBuffer per chunk; in Chromium that read alone cost the
 * worker more CPU than tar reading and hashing together (860 ms against 70 ms for a 222 MB tar), and the
 * chunks pile up for the GC. The next read is started before a chunk is handed out, so the browser fills
 * one buffer while the consumer hashes another (a File's stream reads only on demand). Each read
 * transfers the buffer it fills: a chunk two reads old is detached (length 0), never overwritten.
 */
function readerIterator(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array, undefined> {
  const byob = byobReaderOf(stream);
  if (!byob) return defaultReaderIterator(stream.getReader());
  const buffers = Array.from({ length: READ_BUFFERS }, () => new ArrayBuffer(READ_BUFFER));
  let turn = 0;
  const readInto = (index: number) =>
    byob.read(new Uint8Array(buffers[index]!, 0, READ_BUFFER)).then((r) => {
      if (r.value) buffers[index] = r.value.buffer;
      return r;
    });
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = readInto(turn);
  return {
    async next() {
      const r = pending ? await pending : { done: true as const, value: undefined };
      if (r.done || !r.value) {
        pending = null;
        return { done: true, value: undefined };
      }
      turn = (turn + 1) % READ_BUFFERS;
      pending = readInto(turn);
      return { done: false, value: r.value };
    },
    async return() {
      // A read may be in flight: cancelling settles it, and its result is no longer wanted.
      pending?.catch(() => undefined);
      pending = null;
      await byob.cancel().catch(() => undefined);
      byob.releaseLock();
      return { done: true, value: undefined };
    },
  };
}

function defaultReaderIterator(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncIterator<Uint8Array, undefined> {
  return {
    next: async () => {
      const r = await reader.read();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    async return() {
      await reader.cancel().catch(() => undefined);
      reader.releaseLock();
      return { done: true, value: undefined };
    },
  };
}

/** A BYOB reader when `stream` is a byte stream, else null (getReader then throws a TypeError). */
function byobReaderOf(stream: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return stream.getReader({ mode: 'byob' });
  } catch {
    return null;
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

  // Gather a few bytes to sniff (a source may deliver 1-byte chunks).
  const head: Uint8Array[] = [];
  let headBytes = 0;
  while (headBytes < SNIFF_BYTES) {
    const next = await counted.next();
    if (next.done) break;
    head.push(next.value.slice()); // kept across reads, which may reuse the chunk's buffer
    headBytes += next.value.length;
  }
  const magic = new Uint8Array(Math.min(headBytes, SNIFF_BYTES));
  let filled = 0;
  for (const part of head) {
    if (filled >= magic.length) break;
    const take = part.subarray(0, magic.length - filled);
    magic.set(take, filled);
    filled += take.length;
  }
  const isGzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const other = otherFormat(magic);

  async function* replay(): AsyncGenerator<Uint8Array> {
    yield* head;
    yield* counted;
  }

  if (other) {
    await counted.return(undefined);
    throw new UnsupportedFormatError(other);
  }
  if (!isGzip) return { kind: 'tar', chunks: replay(), sourceBytes: () => sourceBytes };
  return { kind: 'tar.gz', chunks: gunzip(replay(), signal), sourceBytes: () => sourceBytes };
}

async function* gunzip(compressed: AsyncGenerator<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const input = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await compressed.next();
      if (next.done) controller.close();
      // A copy: the DecompressionStream may still hold the chunk when the next read reuses its buffer.
      else controller.enqueue(next.value.slice());
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
