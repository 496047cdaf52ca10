/**
 * The WASM SHA-256 (`@rust-wasm/sha256`) loaded in Node: the loader's default `fetch` of its own URL does
 * not work for `file:` in every Node version, so we resolve the package's .wasm path and hand it the bytes.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import init from '@rust-wasm/sha256';
import type { Sha256 } from '../core/context/index.ts';

let loading: Promise<Sha256> | null = null;

export function loadHasher(): Promise<Sha256> {
  loading ??= (async () => {
    const wasmPath = fileURLToPath(import.meta.resolve('@rust-wasm/sha256/sha256.wasm'));
    return init(await readFile(wasmPath));
  })();
  // A failure is forgotten, so a later call retries instead of failing forever.
  loading.catch(() => {
    loading = null;
  });
  return loading;
}
