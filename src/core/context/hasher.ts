/**
 * The SHA-256 the context code needs, as an interface: the WASM module (`@rust-wasm/sha256`) provides it
 * in the browser, the worker and Node alike; core code receives it as a parameter and never loads it.
 */
export interface StreamingSha256 {
  update(data: Uint8Array): void;
  /** Returns the 32-byte digest; the hasher must not be used afterwards. */
  finish(): Uint8Array;
}

export interface Sha256 {
  /** One-shot digest of one buffer. */
  digest(data: Uint8Array): Uint8Array;
  /** Digests of many (small) buffers in one call: the multi-buffer SIMD path. Same order as the input. */
  digestMany(buffers: Uint8Array[]): Uint8Array[];
  /** A streaming hasher for data too big to hold. */
  create(): StreamingSha256;
  /** Optional: a batch written in place (the WASM module has one); `createBatch(hasher, …)` falls back to `digestMany`. */
  createBatch?(capacity: number): Sha256Batch;
}

/**
 * Messages written in place, then digested in one call. The WASM module's batch writes straight into
 * wasm memory, which saves the copy from a JS buffer into wasm memory that `digestMany` makes.
 * Protocol: `reserve(len)` → write into the view → `commit(written)`, while `fits`, then `digestAll()`.
 * A view may die (`length` 0) when another batch is created on the same instance; bytes already written
 * survive, and `current()` gives a fresh view of the open reservation.
 */
export interface Sha256Batch {
  readonly capacity: number;
  readonly count: number;
  fits(len: number): boolean;
  reserve(len: number): Uint8Array;
  current(): Uint8Array;
  /** Ends the reserved message at its first `len` bytes (default: all); returns its index. */
  commit(len?: number): number;
  /** 32 bytes per committed message, in commit order; empties the batch. */
  digestAll(): Uint8Array;
  reset(): void;
  /** Frees the batch's memory for reuse; the batch must not be used afterwards. */
  release(): void;
}

/** `hasher.createBatch` when the hasher has one, else the same protocol over a JS buffer and `digestMany`. */
export function createBatch(hasher: Sha256, capacity: number): Sha256Batch {
  return hasher.createBatch ? hasher.createBatch(capacity) : new BufferedBatch(hasher, capacity);
}

/**
 * The fallback for hashers without in-place batches (node:crypto in tests, hash-wasm in the bench). Its
 * buffer starts at 64 KiB and grows up to `capacity`, so a tiny context never allocates the whole of it.
 */
class BufferedBatch implements Sha256Batch {
  readonly capacity: number;
  private readonly hasher: Sha256;
  private buffer = new Uint8Array(64 * 1024);
  private used = 0;
  private reserved = -1;
  private readonly ends: number[] = [];

  constructor(hasher: Sha256, capacity: number) {
    this.hasher = hasher;
    this.capacity = capacity;
  }

  get count(): number {
    return this.ends.length;
  }

  fits(len: number): boolean {
    return this.reserved < 0 && len >= 0 && this.used + len <= this.capacity;
  }

  reserve(len: number): Uint8Array {
    if (!this.fits(len)) throw new RangeError(`${len} bytes do not fit the batch`);
    if (this.used + len > this.buffer.length) {
      const grown = new Uint8Array(Math.min(this.capacity, Math.max(this.used + len, this.buffer.length * 4)));
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    this.reserved = len;
    return this.current();
  }

  current(): Uint8Array {
    return this.buffer.subarray(this.used, this.used + this.reserved);
  }

  commit(len = this.reserved): number {
    if (this.reserved < 0 || len < 0 || len > this.reserved) throw new RangeError(`commit(${len}) outside the reservation`);
    this.used += len;
    this.reserved = -1;
    this.ends.push(this.used);
    return this.ends.length - 1;
  }

  digestAll(): Uint8Array {
    const messages = this.ends.map((end, i) => this.buffer.subarray(i === 0 ? 0 : this.ends[i - 1]!, end));
    const digests = this.hasher.digestMany(messages);
    const out = new Uint8Array(32 * digests.length);
    digests.forEach((d, i) => out.set(d, 32 * i));
    this.reset();
    return out;
  }

  reset(): void {
    this.used = 0;
    this.reserved = -1;
    this.ends.length = 0;
  }

  release(): void {
    this.reset();
    this.buffer = new Uint8Array(0);
  }
}
