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
}
