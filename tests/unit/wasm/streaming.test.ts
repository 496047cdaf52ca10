import { describe, expect, it } from 'vitest';
import init from '@rust-wasm/sha256';
import { hex, nodeSha256, seededRandom } from './helpers.ts';

describe('@rust-wasm/sha256 streaming == one-shot', async () => {
  const sha = await init();

  it('every chunk size 1…300 over 5 KiB gives the one-shot digest', () => {
    const data = seededRandom(4).bytes(5 * 1024 + 17);
    const expected = hex(sha.digest(data));
    expect(expected).toBe(nodeSha256(data));
    const wrong: number[] = [];
    for (let chunk = 1; chunk <= 300; chunk++) {
      const hasher = sha.create();
      for (let at = 0; at < data.length; at += chunk) hasher.update(data.subarray(at, at + chunk));
      if (hex(hasher.finish()) !== expected) wrong.push(chunk);
    }
    expect(wrong).toEqual([]);
  });

  it('empty updates anywhere change nothing', () => {
    const data = seededRandom(5).bytes(200);
    const hasher = sha.create();
    hasher.update(new Uint8Array(0));
    hasher.update(data.subarray(0, 64));
    hasher.update(new Uint8Array(0));
    hasher.update(data.subarray(64));
    hasher.update(new Uint8Array(0));
    expect(hex(hasher.finish())).toBe(nodeSha256(data));
  });

  it.each([
    { seed: 11, size: 3 * 1024 * 1024 + 5 },
    { seed: 12, size: 9 * 1024 * 1024 + 63 },
  ])('random splits of $size bytes (seed $seed) give node:crypto digest', ({ seed, size }) => {
    const random = seededRandom(seed);
    const data = random.bytes(size);
    const expected = nodeSha256(data);
    expect(hex(sha.digest(data))).toBe(expected);
    for (let trial = 0; trial < 4; trial++) {
      const hasher = sha.create();
      let at = 0;
      while (at < data.length) {
        // Mix tiny, block-sized and larger-than-the-loader's-256-KiB-copy-chunk pieces.
        const kind = random.int(3);
        const length = kind === 0 ? random.int(130) : kind === 1 ? random.int(70_000) : random.int(700_000);
        hasher.update(data.subarray(at, at + length));
        at += length;
      }
      expect(hex(hasher.finish())).toBe(expected);
    }
  });

  it('interleaved hashers keep independent states', () => {
    const random = seededRandom(13);
    const inputs = Array.from({ length: 20 }, (_, i) => random.bytes(i * 97 + 1));
    const hashers = inputs.map(() => sha.create());
    for (let at = 0; at < 2000; at += 37) {
      hashers.forEach((hasher, i) => hasher.update(inputs[i]!.subarray(at, at + 37)));
    }
    expect(hashers.map((hasher) => hex(hasher.finish()))).toEqual(inputs.map(nodeSha256));
  });

  it('a Uint8Array that is a view with an offset is hashed from its own bytes only', () => {
    const backing = seededRandom(14).bytes(1000);
    const view = backing.subarray(100, 900);
    const hasher = sha.create();
    hasher.update(view);
    expect(hex(hasher.finish())).toBe(nodeSha256(view));
    expect(hex(sha.digest(view))).toBe(nodeSha256(view));
    expect(hex(sha.digestMany([view])[0]!)).toBe(nodeSha256(view));
  });
});
