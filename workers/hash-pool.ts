/**
 * The context worker's pool of hashing workers (workers/hash.worker.ts): one per core
 * (`navigator.hardwareConcurrency`), and the context worker itself, the reader, also hashes a packet whenever
 * they are all saturated (work sharing, src/core/context/pool.ts). Not cores − 1: the reader spends most of
 * its time waiting for the browser's file slices, and on this 2-core machine two workers beat one in every
 * round of two bench runs (ours-w2 374–430 MB/s against 341–361 for one; context_vs_read 0.37 → 0.42,
 * context_vs_hashwasm_pipeline 1.21 → 1.39), for 5 MB more peak renderer memory (218 → 223 MB on 2.1 GB).
 * The CLI differs (src/cli/hash-pool.ts: cores − 1 threads measured as fast, with less memory). Small contexts are hashed in the
 * context worker alone: starting a worker and its WASM costs more than hashing a few MB.
 */
import { HashPool, type FromWorker, type HashEndpoint } from '../src/core/context/pool.ts';

/** Below this many bytes a context is hashed without a pool. */
export const POOL_MIN_BYTES = 8 * 1024 * 1024;

export function hashWorkerCount(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 0;
  return Math.max(1, cores || 2);
}

export function webWorkerEndpoint(worker: Worker): HashEndpoint {
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(onMessage, onFailure) {
      worker.onmessage = (event) => onMessage(event.data as FromWorker);
      worker.onerror = (event) => {
        event.preventDefault();
        onFailure(event.message || 'the hashing worker could not start');
      };
      worker.onmessageerror = () => onFailure('a message from the hashing worker could not be read');
    },
    terminate: () => worker.terminate(),
  };
}

/** A pool for a context of `bytes` bytes, or null when it is small or workers cannot be made here (tests in Node). */
export function browserHashPool(bytes: number): HashPool | null {
  if (bytes < POOL_MIN_BYTES || typeof Worker === 'undefined') return null;
  return new HashPool({
    size: hashWorkerCount(),
    spawn: () => webWorkerEndpoint(new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-hash' })),
  });
}
