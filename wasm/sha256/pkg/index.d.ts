/**
 * @rust-wasm/sha256 — cachewhy's Rust SHA-256 compiled to WebAssembly (SIMD128), with a hand-written loader.
 * The shapes match `Sha256` / `StreamingSha256` in src/core/context/hasher.ts.
 */

/** A streaming hasher for data too big to hold; `update` copies input in fixed chunks. */
export interface StreamingSha256 {
  /** Feeds more bytes; throws after `finish()`. */
  update(data: Uint8Array): void;
  /** Returns the 32-byte digest; throws if called twice. */
  finish(): Uint8Array;
}

/** The hashing API of one instantiated module. */
export interface Sha256 {
  /** One-shot digest of one buffer (32 bytes). */
  digest(data: Uint8Array): Uint8Array;
  /** Digests of many buffers, same order as the input, hashed four at a time in SIMD lanes. */
  digestMany(buffers: Uint8Array[]): Uint8Array[];
  /** A new, independent streaming hasher. */
  create(): StreamingSha256;
  /**
   * A batch whose messages the caller writes straight into wasm memory (no intermediate JS buffer),
   * then digests in one 4-lane SIMD call. Its region (`capacity` bytes, `maxMessages` entries,
   * default one per 64 bytes) is taken once, here; `release()` hands it to the next batch.
   */
  createBatch(capacity: number, maxMessages?: number): Sha256Batch;
}

/**
 * Messages written in place into wasm memory: `reserve(len)` → write into the view → `commit(written)`,
 * repeated while `fits`, then `digestAll()`.
 *
 * A view is a window on wasm memory and dies (its `length` becomes 0, writes to it are silently lost)
 * when the memory grows, which happens only while another batch is created or the first `digestMany`
 * runs. Bytes already written survive; call `current()` for a new view of the open reservation.
 */
export interface Sha256Batch {
  readonly capacity: number;
  readonly maxMessages: number;
  /** Messages committed since the last `digestAll`/`reset`. */
  readonly count: number;
  /** Bytes committed since the last `digestAll`/`reset`. */
  readonly used: number;
  /** Whether a message of `len` bytes can be reserved now (false while one is reserved, or after `release`). */
  fits(len: number): boolean;
  /** A view of `len` bytes of wasm memory for the next message; throws if it does not fit. */
  reserve(len: number): Uint8Array;
  /** A fresh view of the open reservation (after memory growth killed the previous one). */
  current(): Uint8Array;
  /** Ends the reserved message at its first `len` bytes (default: all reserved); returns its index. */
  commit(len?: number): number;
  /** Digests of the committed messages, 32 bytes each in commit order (a copy); the batch is then empty. */
  digestAll(): Uint8Array;
  /** Drops the committed messages and any reservation without hashing them. */
  reset(): void;
  /** Returns the region for reuse; any later call but `fits` and `release` throws. */
  release(): void;
}

/** Where `init` gets the module: its bytes, a compiled module, a URL to fetch (or read, for `file:`), or a response. */
export type InitInput = BufferSource | WebAssembly.Module | URL | string | Response;

/** Instantiates the module once (memoised; a failure is forgotten so a later call retries); defaults to `./sha256.wasm` next to the loader. */
export default function init(source?: InitInput): Promise<Sha256>;

/** Synchronous `init` from the module's bytes or a compiled module (memoised with `init`). */
export function initSync(bytes: BufferSource | WebAssembly.Module): Sha256;
