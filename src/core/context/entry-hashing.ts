/**
 * How the builder gets an entry's digest, sha256(tarsum header ‖ content): written as the bytes stream
 * past, and delivered to `entry.digest` now (hashed here) or later (hashed by a pool of workers, see
 * pool.ts). Both ways hash the same bytes, so they give the same digests.
 */
import { digestText, utf8, writeText } from './digest.ts';
import { createBatch, type Sha256, type Sha256Batch, type StreamingSha256 } from './hasher.ts';

/** Files up to this size are packed with others and hashed four at a time; bigger ones are streamed. */
export const SMALL_FILE = 2 * 1024 * 1024;

/** Whatever takes the digest: a ContextEntry. */
export interface DigestTarget {
  digest: string;
}

export interface EntryHashing {
  /** Opens the entry's message with its tarsum header text; `size` is the announced content size. */
  begin(header: string, size: number): void;
  data(bytes: Uint8Array): void;
  /** Closes the message; `target.digest` is set now or before `settle()` resolves. */
  end(target: DigestTarget): void;
  /**
   * Backpressure: null when more may be written now, else a promise that resolves when it may
   * (rejects if the hashing failed). Called between chunks, never inside one.
   */
  ready(): Promise<void> | null;
  /** Resolves once every ended entry has its digest. */
  settle(): Promise<void>;
  /** Gives back buffers and memory; safe to call twice. */
  dispose(): void;
}

/** The size a small entry reserves: its header (at most 3 UTF-8 bytes per UTF-16 unit) and content. */
export const reservation = (header: string, size: number): number => header.length * 3 + size;

/**
 * Hashing in this thread: small files written in place into one 8 MiB batch (with the WASM hasher, in
 * wasm memory: each byte copied once, from the tar chunk to where the hash reads it), big ones streamed.
 */
export class LocalHashing implements EntryHashing {
  static readonly BATCH = 8 * 1024 * 1024;
  private readonly hasher: Sha256;
  private batch: Sha256Batch | null = null;
  /** The targets committed to `batch`, in commit order (digest i belongs to batched[i]). */
  private batched: DigestTarget[] = [];
  private slot: Uint8Array | null = null;
  private slotUsed = 0;
  private stream: StreamingSha256 | null = null;

  constructor(hasher: Sha256) {
    this.hasher = hasher;
  }

  begin(header: string, size: number): void {
    const needed = reservation(header, size);
    if (size > SMALL_FILE || needed > LocalHashing.BATCH) {
      this.stream = this.hasher.create();
      this.stream.update(utf8(header));
      return;
    }
    const batch = (this.batch ??= createBatch(this.hasher, LocalHashing.BATCH));
    if (!batch.fits(needed)) this.flush();
    this.slot = batch.reserve(needed);
    this.slotUsed = writeText(header, this.slot, 0);
  }

  data(bytes: Uint8Array): void {
    if (this.stream) this.stream.update(bytes);
    else if (this.slot) {
      // Creating another batch on the same WASM instance (a second context indexed at the same time)
      // grows wasm memory, which empties the old view; the bytes written so far are still there.
      if (this.slot.length === 0) this.slot = this.batch!.current();
      // (A folder file that grew while read could overflow; the builder reports the size mismatch.)
      if (this.slotUsed + bytes.length <= this.slot.length) {
        this.slot.set(bytes, this.slotUsed);
        this.slotUsed += bytes.length;
      }
    }
  }

  end(target: DigestTarget): void {
    if (this.stream) {
      target.digest = digestText(this.stream.finish());
      this.stream = null;
    } else if (this.slot) {
      this.batch!.commit(this.slotUsed);
      this.batched.push(target);
      this.slot = null;
    }
  }

  ready(): null {
    return null;
  }

  settle(): Promise<void> {
    this.flush();
    return Promise.resolve();
  }

  /** Hash every batched entry in one call and empty the batch. */
  private flush(): void {
    if (!this.batch || this.batched.length === 0) return;
    const digests = this.batch.digestAll();
    const targets = this.batched;
    for (let i = 0; i < targets.length; i++) targets[i]!.digest = digestText(digests.subarray(32 * i, 32 * i + 32));
    this.batched = [];
  }

  /** Hands the batch's memory back (wasm memory is never freed, only reused). */
  dispose(): void {
    this.batch?.release();
    this.batch = null;
    this.batched = [];
    this.slot = null;
    this.stream = null;
  }
}
