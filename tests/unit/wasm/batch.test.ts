import { describe, expect, it } from 'vitest';
import init from '@rust-wasm/sha256';
import { hex, nodeSha256, seededRandom } from './helpers.ts';

/** Hashes through the streaming API in random pieces, as the independent second opinion on the batch. */
function streamed(sha: Awaited<ReturnType<typeof init>>, data: Uint8Array, random: ReturnType<typeof seededRandom>): string {
  const hasher = sha.create();
  for (let at = 0; at < data.length; ) {
    const length = 1 + random.int(200);
    hasher.update(data.subarray(at, at + length));
    at += length;
  }
  return hex(hasher.finish());
}

describe('@rust-wasm/sha256 batch == streaming == node:crypto', async () => {
  const sha = await init();

  it('every length 0…4096, twice, shuffled, in batches of 1, 2, 3, 5, … (lane refill)', () => {
    const random = seededRandom(21);
    const buffers: Uint8Array[] = [];
    for (let round = 0; round < 2; round++) {
      for (let length = 0; length <= 4096; length++) buffers.push(random.bytes(length));
    }
    for (let i = buffers.length - 1; i > 0; i--) {
      const j = random.int(i + 1);
      [buffers[i], buffers[j]] = [buffers[j]!, buffers[i]!];
    }
    const batchSizes = [1, 2, 3, 5, 4, 7, 8, 9, 16, 33, 100, 257, 1000];
    let checked = 0;
    const mismatches: string[] = [];
    for (let at = 0, b = 0; at < buffers.length; b++) {
      const batch = buffers.slice(at, at + batchSizes[b % batchSizes.length]!);
      at += batch.length;
      const digests = sha.digestMany(batch).map(hex);
      expect(digests).toHaveLength(batch.length);
      batch.forEach((buffer, i) => {
        const expected = nodeSha256(buffer);
        if (digests[i] !== expected || streamed(sha, buffer, random) !== expected) {
          mismatches.push(`length ${buffer.length} in a batch of ${batch.length}`);
        }
        checked++;
      });
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBe(2 * 4097);
  });

  // Lengths around the padding edges: 55 fits the length in one final block, 56 needs a second; a
  // lane whose message ends while the others continue is refilled mid-batch.
  it.each([
    { name: 'block boundaries together', lengths: [55, 56, 63, 64, 65, 119, 120, 127, 128, 0, 1] },
    { name: 'one long message outlives short ones (finishes on the scalar path)', lengths: [100_000, 3, 120, 7] },
    { name: 'the long message is in its padding blocks when it is left alone', lengths: [120, 1, 2, 3] },
    { name: 'two long messages of different lengths, the rest empty', lengths: [0, 70_001, 0, 0, 130_000, 0] },
    { name: 'empty messages only', lengths: [0, 0, 0, 0, 0, 0, 0] },
    { name: 'exactly four messages of equal length', lengths: [4096, 4096, 4096, 4096] },
  ])('$name', ({ lengths }) => {
    const random = seededRandom(lengths.length * 7919 + lengths[0]!);
    const buffers = lengths.map((length) => random.bytes(length));
    expect(sha.digestMany(buffers).map(hex)).toEqual(buffers.map(nodeSha256));
  });

  it('each digest is its own copy: a later batch does not change an earlier result', () => {
    const random = seededRandom(25);
    const first = [random.bytes(100), random.bytes(3000)];
    const digests = sha.digestMany(first);
    const before = digests.map(hex);
    sha.digestMany([random.bytes(100), random.bytes(3000)]);
    expect(digests.map(hex)).toEqual(before);
    expect(digests.map((digest) => digest.buffer.byteLength)).toEqual([32, 32]);
  });

  it('an empty list gives an empty list', () => {
    expect(sha.digestMany([])).toEqual([]);
  });

  it('more buffers than fit one packed call (16,384 entries / 8 MiB) keep their order', () => {
    const random = seededRandom(23);
    const buffers = Array.from({ length: 20_000 }, (_, i) => random.bytes(i % 300));
    const expected = buffers.map(nodeSha256);
    expect(sha.digestMany(buffers).map(hex)).toEqual(expected);
  });

  it('buffers bigger than the 8 MiB pack region stream, and packs flush around them', () => {
    const random = seededRandom(24);
    const lengths = [10, 3 * 1024 * 1024, 5 * 1024 * 1024, 9 * 1024 * 1024, 20, 8 * 1024 * 1024, 8 * 1024 * 1024 + 1, 0];
    const buffers = lengths.map((length) => random.bytes(length));
    expect(sha.digestMany(buffers).map(hex)).toEqual(buffers.map(nodeSha256));
  });
});
