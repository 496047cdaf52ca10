/**
 * The `Sha256` interface of `src/core/context/hasher.ts` built on hash-wasm, so the end-to-end bench can
 * run the very same `indexContext` pipeline with only the hash function swapped.
 *
 * hash-wasm creates hashers asynchronously while `Sha256.create()` is synchronous, so streaming hashers
 * come from a pool filled up front and returned to it by `finish()`.
 */
import { createSHA256, type IHasher } from 'hash-wasm';
import type { Sha256, StreamingSha256 } from '../../../../src/core/context/hasher.ts';

export async function createHashWasmSha256(streams = 16): Promise<Sha256> {
  const oneShot = await createSHA256();
  const pool: IHasher[] = await Promise.all(Array.from({ length: streams }, () => createSHA256()));
  const digest = (data: Uint8Array): Uint8Array => oneShot.init().update(data).digest('binary');
  return {
    digest,
    // hash-wasm has no batch entry point: the per-buffer loop is what a caller of hash-wasm would write.
    digestMany: (buffers) => buffers.map(digest),
    create(): StreamingSha256 {
      const h = pool.pop();
      if (!h) throw new Error(`hash-wasm adapter: more than ${streams} streaming hashers open at once`);
      h.init();
      return {
        update(data) {
          h.update(data);
        },
        finish() {
          const out = h.digest('binary');
          pool.push(h);
          return out;
        },
      };
    },
  };
}
