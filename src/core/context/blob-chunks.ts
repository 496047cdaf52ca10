/**
 * A Blob (a dropped File) read as chunks that cannot stall. Every read is a self-contained request for
 * bytes a..b of the file, so one that has not settled within `timeoutMs` can be asked again; after
 * `attempts` the read fails with a `ReadStalledError` instead of waiting forever.
 *
 * Two ways, the first when the Blob has byte streams (browsers, Node):
 * - **streamed slices**: each slice (16 MiB) is read through its own byte stream with a BYOB reader into
 *   two buffers taken in turn, the next read started before a chunk is handed on. A read that does not
 *   arrive cancels that slice's stream and opens a new slice at the byte reached. Chunks are valid until
 *   the next one is asked for (the contract of `chunksOf`, stream.ts).
 * - **buffered slices** (`slice(a, b).arrayBuffer()`, `ahead` in flight): for blobs without streams
 *   (tests' fakes). A slow slice is asked again while the first try stays in the race.
 *
 * Why slices and not `File.stream()`: in Chromium a BYOB read of a File's stream stopped for good a few
 * times, and a stream's read cannot be retried — its state is the stream's. A slice can: asking for
 * bytes a..b again is always right. Why streamed slices rather than `arrayBuffer()` (`npm run bench`, 222 MB
 * tar, CPU view, tests/bench/README.md): every `arrayBuffer()` is a fresh buffer the worker must fault in
 * and the GC must collect, and each slice request has a fixed cost in the browser process. 2 MiB buffered
 * slices cost the worker ~200 ms and the browser ~310 ms of CPU; 16 MiB streamed slices 50–70 and 130–180,
 * and the renderer's peak on a 2.1 GB tar fell from 252–270 MB to 215 MB.
 */
import { CancelledError } from './stream.ts';

/** What is needed of a Blob (tests pass fakes that stall). */
export interface SliceableBlob {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer>; stream?(): ReadableStream<Uint8Array> };
}

export class ReadStalledError extends Error {}

export interface BlobChunkOptions {
  /** Bytes per chunk handed out (streamed: the size of each reused buffer). */
  chunkBytes?: number;
  /** Streamed slices: bytes per slice, each one byte stream. */
  sliceBytes?: number;
  /** Buffered slices: reads in flight. */
  ahead?: number;
  timeoutMs?: number;
  attempts?: number;
  signal?: AbortSignal;
  /** `buffered` forces `arrayBuffer()` slices even when the blob has streams. */
  mode?: 'streamed' | 'buffered';
}

const DEFAULT_TIMEOUT_MS = 4000;
const DEFAULT_ATTEMPTS = 4;

export function blobChunks(blob: SliceableBlob, opts: BlobChunkOptions = {}): AsyncGenerator<Uint8Array> {
  // A Blob has `stream` itself (asked of the blob: a slice made only to ask would count as a read in tests).
  const streams = opts.mode !== 'buffered' && typeof (blob as Partial<Blob>).stream === 'function';
  return streams ? streamedSlices(blob, opts) : bufferedSlices(blob, opts);
}

async function* streamedSlices(blob: SliceableBlob, opts: BlobChunkOptions): AsyncGenerator<Uint8Array> {
  // A small file (a folder's, one blob each) gets buffers of its own size, not 1 MiB.
  const chunkBytes = Math.max(1, Math.min(opts.chunkBytes ?? 1024 * 1024, blob.size));
  const reader = new SliceReader(blob, opts);
  let spare: ArrayBuffer | null = null;
  let pending: Promise<Uint8Array> | null = reader.read(new ArrayBuffer(chunkBytes));
  try {
    for (;;) {
      const chunk = await pending;
      pending = null;
      if (chunk.length === 0) return;
      if (reader.done) {
        yield chunk;
        return;
      }
      // The consumer gave back the chunk before this one when it asked for this one: fill that buffer now.
      pending = reader.read((spare ??= new ArrayBuffer(chunkBytes)));
      pending.catch(() => undefined); // observed at the next turn, or dropped by `finally`
      yield chunk;
      spare = chunk.buffer as ArrayBuffer;
    }
  } finally {
    await reader.close();
  }
}

/**
 * Reads the blob in order through one slice stream at a time; `read` resolves with the next bytes (up to
 * the buffer's size; empty at the end) and never waits more than `timeoutMs` without asking again.
 */
class SliceReader {
  private readonly blob: SliceableBlob;
  private readonly sliceBytes: number;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly signal: AbortSignal | undefined;
  /** The next byte to read, and the current slice's reader and end. */
  private position = 0;
  private reader: ReadableStreamBYOBReader | null = null;
  private sliceEnd = 0;

  /** Every byte has been read (or the file shrank and the rest never comes). */
  get done(): boolean {
    return this.position >= this.blob.size;
  }

  constructor(blob: SliceableBlob, opts: BlobChunkOptions) {
    this.blob = blob;
    this.sliceBytes = opts.sliceBytes ?? 16 * 1024 * 1024;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
    this.signal = opts.signal;
  }

  async read(buffer: ArrayBuffer): Promise<Uint8Array> {
    const size = buffer.byteLength; // a buffer handed to a stream that then stalled is detached (length 0)
    for (let attempt = 1; ; attempt++) {
      if (this.signal?.aborted) throw new CancelledError();
      if (this.position >= this.blob.size) return new Uint8Array(0);
      if (!this.reader || this.position >= this.sliceEnd) await this.open();
      const want = Math.min(size, this.sliceEnd - this.position);
      const outcome = await this.settle(this.reader!.read(new Uint8Array(buffer, 0, want), { min: want }));
      if (outcome.kind === 'read') {
        if (outcome.result.done || !outcome.result.value) {
          // The slice ended early: the file shrank while read. The builder reports the size mismatch.
          this.position = this.blob.size;
          return new Uint8Array(0);
        }
        this.position += outcome.result.value.length;
        return outcome.result.value;
      }
      // No answer or a failure: this slice's stream has the buffer; drop both and ask again from here.
      await this.close();
      buffer = new ArrayBuffer(size);
      if (attempt >= this.attempts) {
        if (outcome.kind === 'failed') throw outcome.error;
        throw new ReadStalledError(`bytes from ${this.position} of the file did not arrive after ${this.attempts} requests of ${this.timeoutMs} ms`);
      }
    }
  }

  private async open(): Promise<void> {
    await this.close();
    this.sliceEnd = Math.min(this.position + this.sliceBytes, this.blob.size);
    this.reader = this.blob.slice(this.position, this.sliceEnd).stream!().getReader({ mode: 'byob' });
  }

  /** The read's result, or `stalled` after `timeoutMs`; an abort throws `CancelledError`. */
  private settle(
    read: Promise<ReadableStreamReadResult<Uint8Array>>,
  ): Promise<{ kind: 'read'; result: ReadableStreamReadResult<Uint8Array> } | { kind: 'stalled' } | { kind: 'failed'; error: unknown }> {
    return new Promise((resolve, reject) => {
      const onAbort = () => finish(() => reject(new CancelledError()));
      const timer = setTimeout(() => finish(() => resolve({ kind: 'stalled' })), this.timeoutMs);
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      this.signal?.addEventListener('abort', onAbort, { once: true });
      read.then(
        (result) => finish(() => resolve({ kind: 'read', result })),
        (error: unknown) => finish(() => resolve({ kind: 'failed', error })),
      );
    });
  }

  /** Cancels the current slice's stream (a pending read then settles, unobserved). */
  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    if (!reader) return;
    await reader.cancel().catch(() => undefined);
    try {
      reader.releaseLock();
    } catch {
      // A read still pending after cancel keeps the lock in some engines; the stream is cancelled anyway.
    }
  }
}

async function* bufferedSlices(blob: SliceableBlob, opts: BlobChunkOptions): AsyncGenerator<Uint8Array> {
  const chunk = opts.chunkBytes ?? 2 * 1024 * 1024;
  const ahead = Math.max(1, opts.ahead ?? 2);
  const reads: Promise<ArrayBuffer>[] = [];
  let next = 0;
  const request = () => {
    if (next >= blob.size) return;
    const read = readSlice(blob, next, Math.min(next + chunk, blob.size), opts);
    read.catch(() => undefined); // observed when its turn comes
    reads.push(read);
    next += chunk;
  };
  while (reads.length < ahead) {
    if (next >= blob.size) break;
    request();
  }
  while (reads.length > 0) {
    if (opts.signal?.aborted) throw new CancelledError();
    const bytes = new Uint8Array(await reads.shift()!);
    request();
    if (bytes.length > 0) yield bytes;
  }
}

function readSlice(blob: SliceableBlob, start: number, end: number, opts: BlobChunkOptions): Promise<ArrayBuffer> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const attempts = Math.max(1, opts.attempts ?? DEFAULT_ATTEMPTS);
  return new Promise((resolve, reject) => {
    let settled = false;
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => done(() => reject(new CancelledError()));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const attempt = () => {
      tries++;
      blob
        .slice(start, end)
        .arrayBuffer()
        .then(
          (buffer) => {
            // A short answer is a file that changed under us: the caller sees the size mismatch, not a hang.
            done(() => resolve(buffer));
          },
          (error: unknown) => {
            if (settled) return;
            // A failed try is asked again at once; only the last one asked fails the read.
            if (tries >= attempts) done(() => reject(error));
            else {
              clearTimeout(timer);
              attempt();
            }
          },
        );
      timer = setTimeout(() => {
        if (settled) return;
        if (tries >= attempts)
          done(() => reject(new ReadStalledError(`bytes ${start}–${end} of the file did not arrive after ${attempts} requests of ${timeoutMs} ms`)));
        else attempt();
      }, timeoutMs);
    };
    attempt();
  });
}
