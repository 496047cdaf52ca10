/**
 * Digest helpers shared by the context code: `sha256:<hex>` text, UTF-8 bytes, byte-order comparison,
 * and a small synchronous SHA-256 for metadata strings.
 *
 * Why a hand-written SHA-256 here: `contentKeys` and `diffContexts` are synchronous and take no hasher in
 * the agreed signatures (src/core/README.md), yet they must hash a few hundred bytes per COPY step
 * (selector checksums joined with "\0", wildcard name+digest lists). The WASM module needs async
 * instantiation and `src/core` may not import `node:crypto`, so a 40-line FIPS 180-4 implementation is
 * the dependency-free way. It is only ever fed small inputs; file contents always go through the
 * injected `Sha256` (WASM).
 */
import type { Sha256 } from './hasher.ts';

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Write `text` as UTF-8 into `target` at `at`; returns the bytes written. Headers are nearly always
 * ASCII, for which a plain loop beats allocating a new array per entry with `TextEncoder.encode`.
 */
export function writeText(text: string, target: Uint8Array, at: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return i + encoder.encodeInto(text.slice(i), target.subarray(at + i)).written;
    target[at + i] = c;
  }
  return n;
}

const HEX_DIGITS = utf8('0123456789abcdef');
const DIGEST_PREFIX = utf8('sha256:');
/** Every byte is ASCII, so latin1 (which the Encoding standard and Node without ICU both have) is exact. */
const latin1 = new TextDecoder('latin1');
/** Scratch for `digestText`: the prefix stays, the 64 hex digits are overwritten per call. */
const digestScratch = new Uint8Array(DIGEST_PREFIX.length + 64);
digestScratch.set(DIGEST_PREFIX);

function writeHex(bytes: Uint8Array, target: Uint8Array, at: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    target[at + 2 * i] = HEX_DIGITS[b >> 4]!;
    target[at + 2 * i + 1] = HEX_DIGITS[b & 15]!;
  }
}

/**
 * Hex text decoded in one piece, so it is one flat string. Why not `out += hex` per byte: V8 builds that
 * as a rope of ~30 cons-string nodes (≈800 bytes) that lives as long as the string, which made each
 * entry of a ContextIndex cost 1.2 KB instead of a few hundred bytes (tests/bench/context-memory.ts).
 */
export function toHex(bytes: Uint8Array): string {
  const text = new Uint8Array(bytes.length * 2);
  writeHex(bytes, text, 0);
  return latin1.decode(text);
}

/** BuildKit writes and hashes every digest as the text `sha256:<64 hex>` (one flat string, see `toHex`). */
export function digestText(bytes: Uint8Array): string {
  if (bytes.length !== 32) return 'sha256:' + toHex(bytes);
  writeHex(bytes, digestScratch, DIGEST_PREFIX.length);
  return latin1.decode(digestScratch);
}

/** `sha256("")`: the header digest BuildKit fakes for the context root. */
export const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Compare two strings by their UTF-8 bytes (Go compares strings bytewise). For code points this equals
 * code-point order, which differs from JS's UTF-16 order only when surrogate pairs meet U+E000…U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 || cb >= 0xd800) {
      const pa = a.codePointAt(i)!;
      const pb = b.codePointAt(i)!;
      if (pa !== pb) return pa < pb ? -1 : 1;
      continue;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// --- small synchronous SHA-256 (FIPS 180-4) ------------------------------------------------------

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** SHA-256 of a small buffer, synchronously, in plain TypeScript (see the file comment for why). */
export function smallSha256(data: Uint8Array): Uint8Array {
  const bitLength = data.length * 8;
  const padded = new Uint8Array(Math.ceil((data.length + 9) / 64) * 64);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3);
      const s1 = rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = [h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + hh) | 0;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(i * 4, h[i]!);
  return out;
}

/** The `Sha256` interface over `smallSha256`, for metadata hashing when no hasher is given. */
export const smallHasher: Sha256 = {
  digest: smallSha256,
  digestMany: (buffers) => buffers.map(smallSha256),
  create() {
    const parts: Uint8Array[] = [];
    return {
      update: (data) => void parts.push(new Uint8Array(data)),
      finish: () => {
        const total = parts.reduce((n, p) => n + p.length, 0);
        const all = new Uint8Array(total);
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        return smallSha256(all);
      },
    };
  },
};

/** `sha256:<hex>` of a text, hashed as its UTF-8 bytes. */
export function sha256Text(text: string, hasher: Sha256 = smallHasher): string {
  return digestText(hasher.digest(utf8(text)));
}
