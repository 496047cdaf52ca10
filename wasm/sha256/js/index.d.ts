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
}

/** Where `init` gets the module: its bytes, a compiled module, a URL to fetch (or read, for `file:`), or a response. */
export type InitInput = BufferSource | WebAssembly.Module | URL | string | Response;

/** Instantiates the module once (memoised; a failure is forgotten so a later call retries); defaults to `./sha256.wasm` next to the loader. */
export default function init(source?: InitInput): Promise<Sha256>;

/** Synchronous `init` from the module's bytes or a compiled module (memoised with `init`). */
export function initSync(bytes: BufferSource | WebAssembly.Module): Sha256;
