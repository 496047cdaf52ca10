/**
 * The CLI's pool of hashing threads (worker_threads, one per core but the main thread's: the main
 * thread reads and parses the tar and hashes too when the threads are all saturated, work sharing in
 * src/core/context/pool.ts). One thread per core, the main one included, hashes the 2.1 GB bench tar as
 * fast as one more thread would and peaks ~40 MB lower (184–193 MB against 224–230 MB: each thread is a
 * V8 isolate with its own tsx and WASM memory). Small contexts are hashed in the main thread alone:
 * starting threads costs more than hashing a few MB.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { indexContext, indexContextParallel, type ContextSource, type IndexOptions } from '../core/context/index.ts';
import { HashPool, type HashEndpoint } from '../core/context/pool.ts';
import type { ContextIndex, Result } from '../core/model.ts';

export const POOL_MIN_BYTES = 8 * 1024 * 1024;

export function threadEndpoint(): HashEndpoint {
  const worker = new Worker(new URL('./hash-thread.js', import.meta.url));
  let failed = false;
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    listen(onMessage, onFailure) {
      worker.on('message', onMessage);
      const fail = (reason: string) => {
        if (!failed) onFailure(reason);
        failed = true;
      };
      worker.on('error', (error) => fail(error.message));
      worker.on('messageerror', () => fail('a message from the hashing thread could not be read'));
      worker.on('exit', (code) => fail(`the hashing thread exited (code ${code})`));
    },
    terminate: () => {
      failed = true;
      void worker.terminate();
    },
  };
}

export function nodeHashPool(size = Math.max(1, availableParallelism() - 1)): HashPool {
  return new HashPool({ size, spawn: threadEndpoint });
}

/** The bytes a context source will hash (a tar's size; a folder's file sizes). */
export function sourceBytes(source: ContextSource): number {
  return source.kind === 'stream' ? (source.size ?? 0) : source.files.reduce((n, f) => n + (f.type === 'file' ? f.size : 0), 0);
}

/**
 * `indexContext` for the CLI: on a pool of threads when the context is big enough, in this thread
 * otherwise, and in this thread again should the pool fail (the source is opened anew).
 */
export async function indexOnThreads(open: () => Promise<ContextSource>, opts: Omit<IndexOptions, 'pool'>): Promise<Result<ContextIndex>> {
  const first = await open();
  if (sourceBytes(first) < POOL_MIN_BYTES) return indexContext(first, opts);
  const pool = nodeHashPool();
  let reopen = false;
  try {
    // The first open is used as is; only a fallback opens the source again.
    return await indexContextParallel(() => (reopen ? open() : ((reopen = true), first)), { ...opts, pool });
  } finally {
    pool.close();
  }
}
