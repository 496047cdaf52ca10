import { createHash } from 'node:crypto';

/** Node's OpenSSL SHA-256: the reference every test compares against. */
export function nodeSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * A small seeded PRNG (xorshift32), so a failing random case reproduces: tests print the seed they use.
 * Not for cryptography; only to generate test data and split points.
 */
export function seededRandom(seed: number): { next(): number; int(maxExclusive: number): number; bytes(n: number): Uint8Array } {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return {
    next,
    int: (maxExclusive) => next() % maxExclusive,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 4) {
        const word = next();
        out[i] = word;
        if (i + 1 < n) out[i + 1] = word >>> 8;
        if (i + 2 < n) out[i + 2] = word >>> 16;
        if (i + 3 < n) out[i + 3] = word >>> 24;
      }
      return out;
    },
  };
}
