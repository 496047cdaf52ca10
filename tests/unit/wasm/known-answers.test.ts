import { describe, expect, it } from 'vitest';
import init from '@rust-wasm/sha256';
import { hex, nodeSha256 } from './helpers.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

// FIPS 180-4 / NIST CAVS example vectors, written out independently of Node so that a broken
// reference could not hide a broken hasher.
const nistVectors = [
  { name: 'empty message', input: encode(''), sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  { name: '"abc" (one block)', input: encode('abc'), sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
  {
    name: '448-bit message (padding spills into a second block)',
    input: encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
    sha256: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  {
    name: '896-bit message',
    input: encode(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    ),
    sha256: 'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  },
  {
    name: 'one million "a"',
    input: new Uint8Array(1_000_000).fill(0x61),
    sha256: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
  },
];

describe('@rust-wasm/sha256 known answers', async () => {
  const sha = await init();

  describe.each(nistVectors)('$name', ({ input, sha256 }) => {
    it('one-shot digest matches the NIST value', () => {
      expect(hex(sha.digest(input))).toBe(sha256);
    });
    it('streaming digest matches the NIST value', () => {
      const hasher = sha.create();
      hasher.update(input);
      expect(hex(hasher.finish())).toBe(sha256);
    });
    it('batch digest matches the NIST value, alone and among other messages', () => {
      expect(sha.digestMany([input]).map(hex)).toEqual([sha256]);
      const batch = sha.digestMany([encode('x'), input, encode(''), input, encode('abc')]).map(hex);
      expect(batch[1]).toBe(sha256);
      expect(batch[3]).toBe(sha256);
    });
  });

  it('1 MiB of "a" matches node:crypto on every API', () => {
    const input = new Uint8Array(1 << 20).fill(0x61);
    const expected = nodeSha256(input);
    const hasher = sha.create();
    hasher.update(input);
    expect(hex(sha.digest(input))).toBe(expected);
    expect(hex(hasher.finish())).toBe(expected);
    expect(sha.digestMany([input, input.subarray(1), input]).map(hex)).toEqual([expected, nodeSha256(input.subarray(1)), expected]);
  });

  it('a digest is a fresh 32-byte copy, not a view into wasm memory', () => {
    const first = sha.digest(encode('abc'));
    sha.digest(encode('something else'));
    expect(first).toHaveLength(32);
    expect(hex(first)).toBe(nistVectors[1]!.sha256);
  });
});
