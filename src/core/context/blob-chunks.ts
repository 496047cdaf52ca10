/**
 * A Blob (a dropped File) read as chunks that cannot stall: each chunk is `blob.slice(a, b).arrayBuffer()`,
 * a self-contained request. One that has not settled within `timeoutMs` is asked again (the first stays
 * in the race, whichever answers first wins), up to `attempts` times, and then the read fails with a
 * `ReadStalledError` instead of waiting forever.
 *
 * Why not `File.stream()` with a BYOB reader: in Chromium such a read stopped for good a few times (the
 * bench's two-buffer drain, the app on a 1 GB tar), and a stream's read cannot be retried — its state is
 * the stream's. A slice read can: asking for bytes a..b again is always right. `ahead` reads are in flight
 * at once, so the browser reads the next chunk while this one is parsed.
 */
import { CancelledError } from './stream.ts';

/** What is needed of a Blob (tests pass fakes that stall). */
export interface SliceableBlob {
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

export class ReadStalledError extends Error {}

export interface BlobChunkOptions {
  chunkBytes?: number;
  ahead?: number;
  timeoutMs?: number;
  attempts?: number;
  signal?: AbortSignal;
}

export async function* blobChunks(blob: SliceableBlob, opts: BlobChunkOptions = {}): AsyncGenerator<Uint8Array> {
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
  const timeoutMs = opts.timeoutMs ?? 4000;
  const attempts = Math.max(1, opts.attempts ?? 4);
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
