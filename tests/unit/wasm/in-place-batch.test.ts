/**
 * `createBatch`: messages written straight into wasm memory (reserve → write → commit), digested in one
 * SIMD call, must equal node:crypto; misuse is refused; a view killed by memory growth loses nothing
 * that `current()` cannot recover; released regions are reused instead of growing memory again.
 */
import { describe, expect, it } from 'vitest';
import init from '@rust-wasm/sha256';
import { hex, nodeSha256, seededRandom } from './helpers.ts';

const digestsOf = (all: Uint8Array): string[] =>
  Array.from({ length: all.length / 32 }, (_, i) => hex(all.subarray(32 * i, 32 * i + 32)));

describe('@rust-wasm/sha256 createBatch', async () => {
  const sha = await init();

  it('every length 0…4096 written in place (reserving more than written) digests as node:crypto', () => {
    const random = seededRandom(77);
    const batch = sha.createBatch(256 * 1024);
    const expected: string[] = [];
    const got: string[] = [];
    for (let length = 0; length <= 4096; length++) {
      const message = random.bytes(length);
      const slack = random.int(100);
      if (!batch.fits(length + slack)) got.push(...digestsOf(batch.digestAll()));
      const view = batch.reserve(length + slack);
      expect(view.length).toBe(length + slack);
      // Written in two pieces, as the context builder writes a header, then the file's chunks.
      const cut = random.int(length + 1);
      view.set(message.subarray(0, cut), 0);
      view.set(message.subarray(cut), cut);
      expect(batch.commit(length)).toBe(batch.count - 1);
      expected.push(nodeSha256(message));
    }
    got.push(...digestsOf(batch.digestAll()));
    expect(batch.count).toBe(0);
    expect(got).toEqual(expected);
    batch.release();
  });

  it('fits() turns false at the byte capacity and at the message limit', () => {
    const batch = sha.createBatch(1000, 3);
    expect(batch.fits(1000)).toBe(true);
    expect(batch.fits(1001)).toBe(false);
    for (let i = 0; i < 3; i++) {
      batch.reserve(10).fill(i);
      batch.commit();
    }
    expect(batch.used).toBe(30);
    expect(batch.fits(1)).toBe(false);
    expect(() => batch.reserve(1)).toThrow(RangeError);
    expect(digestsOf(batch.digestAll())).toEqual([0, 1, 2].map((i) => nodeSha256(new Uint8Array(10).fill(i))));
    expect(batch.fits(1000)).toBe(true);
    batch.release();
  });

  it('refuses misuse: two open reservations, over-commit, digestAll while reserved, use after release', () => {
    const batch = sha.createBatch(4096);
    batch.reserve(8);
    expect(() => batch.reserve(8)).toThrow(/commit\(\) the reserved message/);
    expect(() => batch.commit(9)).toThrow(RangeError);
    expect(() => batch.digestAll()).toThrow(/commit\(\)/);
    batch.reset();
    expect(() => batch.commit()).toThrow(/without reserve/);
    expect(batch.digestAll()).toHaveLength(0);
    batch.release();
    batch.release(); // twice is harmless
    expect(batch.fits(1)).toBe(false);
    expect(() => batch.reserve(1)).toThrow(/released/);
    expect(() => sha.createBatch(0)).toThrow(RangeError);
    expect(() => sha.createBatch(1024, 0)).toThrow(RangeError);
  });

  it('after wasm memory grows mid-message, current() shows the bytes already written', () => {
    const random = seededRandom(5);
    const message = random.bytes(3000);
    const first = sha.createBatch(64 * 1024);
    const view = first.reserve(message.length);
    view.set(message.subarray(0, 1000));
    // A region bigger than any released one: the memory must grow, which detaches the old view.
    const other = sha.createBatch(3 * 1024 * 1024 + 17);
    expect(view.length).toBe(0);
    const fresh = first.current();
    expect(fresh.length).toBe(message.length);
    expect(hex(fresh.subarray(0, 1000))).toBe(hex(message.subarray(0, 1000)));
    fresh.set(message.subarray(1000), 1000);
    first.commit();
    expect(digestsOf(first.digestAll())).toEqual([nodeSha256(message)]);
    other.release();
    first.release();
  });

  it('a released region is reused: creating the same batch again does not grow memory', () => {
    const probe = sha.createBatch(1024);
    sha.createBatch(2 * 1024 * 1024 + 5).release();
    const view = probe.reserve(16);
    const again = sha.createBatch(2 * 1024 * 1024 + 5);
    expect(view.length, 'the memory did not grow, so the view is still alive').toBe(16);
    again.release();
    probe.release();
  });

  it('digestMany (built on the same batch regions) still equals node:crypto, including oversized buffers', () => {
    const random = seededRandom(9);
    const buffers = [0, 1, 55, 56, 64, 9 * 1024 * 1024, 3].map((n) => random.bytes(n));
    expect(sha.digestMany(buffers).map(hex)).toEqual(buffers.map(nodeSha256));
  });
});
