import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import init from '@rust-wasm/sha256';
import { hex, nodeSha256 } from './helpers.ts';

const wasmUrl = new URL('../../../wasm/sha256/pkg/sha256.wasm', import.meta.url);
const abc = new TextEncoder().encode('abc');

describe('@rust-wasm/sha256 misuse gives clear errors, never corrupts state', async () => {
  const sha = await init();

  it('finish() twice throws a clear error', () => {
    const hasher = sha.create();
    hasher.update(abc);
    expect(hex(hasher.finish())).toBe(nodeSha256(abc));
    expect(() => hasher.finish()).toThrow(/finish\(\) called twice/);
  });

  it('update() after finish() throws a clear error', () => {
    const hasher = sha.create();
    hasher.finish();
    expect(() => hasher.update(abc)).toThrow(/update\(\) after finish\(\)/);
  });

  it('more than 1024 unfinished hashers is a clear error, and finishing one frees a slot', () => {
    const live = Array.from({ length: 1024 }, () => sha.create());
    expect(() => sha.create()).toThrow(/1024 hashers are unfinished/);
    live.pop()!.finish();
    const again = sha.create();
    again.update(abc);
    expect(hex(again.finish())).toBe(nodeSha256(abc));
    for (const hasher of live) hasher.finish();
  });

  it('a misused hasher does not disturb a hasher created after it', () => {
    const first = sha.create();
    first.finish();
    const second = sha.create(); // may reuse the first one's slot in wasm
    second.update(abc);
    expect(() => first.update(abc)).toThrow();
    expect(() => first.finish()).toThrow();
    expect(hex(second.finish())).toBe(nodeSha256(abc));
  });
});

// The raw exports check handles themselves (slot + generation), so even a caller that bypasses the
// loader's guards gets an error code instead of writing into another hasher's state.
describe('sha256.wasm raw exports refuse dead handles', async () => {
  const { instance } = await WebAssembly.instantiate(await readFile(wasmUrl), {});
  const raw = instance.exports as {
    memory: WebAssembly.Memory;
    sha256_alloc(len: number): number;
    sha256_new(): number;
    sha256_update(handle: number, ptr: number, len: number): number;
    sha256_finish(handle: number, out: number): number;
    sha256_discard(handle: number): number;
  };
  const input = raw.sha256_alloc(64);
  const out = raw.sha256_alloc(32);
  new Uint8Array(raw.memory.buffer).set(abc, input);
  const digestAt = () => hex(new Uint8Array(raw.memory.buffer, out, 32).slice());

  it('finish on a finished handle returns -1 and leaves the output untouched', () => {
    const handle = raw.sha256_new();
    expect(raw.sha256_update(handle, input, 3)).toBe(0);
    expect(raw.sha256_finish(handle, out)).toBe(0);
    expect(digestAt()).toBe(nodeSha256(abc));
    new Uint8Array(raw.memory.buffer, out, 32).fill(7);
    expect(raw.sha256_finish(handle, out)).toBe(-1);
    expect(new Uint8Array(raw.memory.buffer, out, 32).every((byte) => byte === 7)).toBe(true);
  });

  it('a stale handle is refused even after its slot is reused', () => {
    const stale = raw.sha256_new();
    expect(raw.sha256_discard(stale)).toBe(0);
    const fresh = raw.sha256_new();
    expect(fresh).not.toBe(stale);
    expect(raw.sha256_update(stale, input, 3)).toBe(-1);
    expect(raw.sha256_discard(stale)).toBe(-1);
    expect(raw.sha256_update(fresh, input, 3)).toBe(0);
    expect(raw.sha256_finish(fresh, out)).toBe(0);
    expect(digestAt()).toBe(nodeSha256(abc));
  });

  it('handles that were never issued are refused', () => {
    for (const bogus of [0, 1 << 16, 1025, 0xffff, -1]) {
      expect(raw.sha256_update(bogus, input, 3)).toBe(-1);
      expect(raw.sha256_finish(bogus, out)).toBe(-1);
    }
  });
});
