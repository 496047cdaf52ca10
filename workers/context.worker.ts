/**
 * The context-hashing worker: one typed comlink API that turns a tar / tar.gz `Blob` (or `File`), or a
 * folder's file list, into a ContextIndex with BuildKit's checksums, off the main thread.
 *
 * Cancellation contract. An AbortSignal cannot cross postMessage, so a job is cancelled in one of two
 * ways, and both really stop the work:
 * - `cancel(jobId)` (pass `opts.jobId` to `hashContext`): aborts the job's AbortController inside the
 *   worker. Reading yields to the event loop between chunks, so the cancel message is handled at the
 *   next chunk boundary; the Blob reader is then cancelled and `hashContext` resolves with a
 *   "cancelled" problem. The worker stays usable.
 * - terminating the worker (what `src/ui/worker-bridge.ts` does on abort): stops everything at once.
 *
 * Reading and hashing: a Blob is read by slices that are asked again should one not arrive
 * (src/core/context/blob-chunks.ts), and a big context's files are hashed by a pool of workers
 * (./hash-pool.ts); should the pool fail, the context is hashed again here, with the same result.
 *
 * Progress: `onProgress` (a comlink `proxy`) is called at least every 100 ms while reading, and once at
 * the end. Errors a user can cause (truncated archive, not a tar, gzip ended early) come back as values.
 *
 * Delivery: the index goes to the analysis worker on the port the page hands over (`deliverTo`), and the
 * page gets only a summary (src/ui/worker-contract.ts says why).
 */
import { expose } from 'comlink';
import initSha256 from '@rust-wasm/sha256';
import { blobChunks } from '../src/core/context/blob-chunks.ts';
import { indexContextParallel, type ContextSource, type FolderFile, type Sha256 } from '../src/core/context/index.ts';
import { browserHashPool } from './hash-pool.ts';
import type { ContextIndex, Result } from '../src/core/model.ts';
import type {
  ContextDelivery,
  ContextSummary,
  ContextWorkerApi,
  ContextWorkerInput,
  ContextWorkerOptions,
  ContextWorkerProgress,
} from '../src/ui/worker-contract.ts';

let hasher: Promise<Sha256> | null = null;

/** The WASM SHA-256, instantiated on first use; a failed load is forgotten so the next job retries. */
function loadHasher(): Promise<Sha256> {
  hasher ??= initSha256().catch((error: unknown) => {
    hasher = null;
    throw error;
  });
  return hasher;
}

const running = new Map<string, AbortController>();

/** Browser folders list files only: add every parent directory (mode unknown → 0755). */
function folderSource(files: { path: string; file: Blob; mode?: number | null }[], seenDirs: string[] = []): ContextSource {
  const dirs = new Set<string>();
  const addWithParents = (path: string, includeSelf: boolean) => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length - (includeSelf ? 0 : 1); i++) dirs.add(parts.slice(0, i).join('/'));
  };
  for (const dir of seenDirs) addWithParents(dir, true);
  for (const f of files) addWithParents(f.path, false);
  const entries: FolderFile[] = [...dirs].sort().map((path) => ({ path, mode: null, type: 'dir', size: 0, read: () => new Blob().stream() }));
  for (const f of files) {
    entries.push({ path: f.path, mode: f.mode ?? null, type: 'file', size: f.file.size, read: () => blobChunks(f.file) });
  }
  return { kind: 'files', files: entries };
}

export const contextWorkerApi = {
  async hashContext(
    input: ContextWorkerInput,
    opts: ContextWorkerOptions = {},
    onProgress?: (progress: ContextWorkerProgress) => void,
    deliverTo?: MessagePort,
  ): Promise<Result<ContextSummary>> {
    const result = await indexInWorker(input, opts, onProgress);
    const delivery: ContextDelivery = result.ok ? { ok: true, index: result.value } : { ok: false };
    deliverTo?.postMessage(delivery);
    deliverTo?.close();
    if (!result.ok) return result;
    const { source, stats, rootDigest, problems } = result.value;
    const summary: ContextSummary = { source, files: stats.files, bytes: stats.bytes, rootDigest, problems };
    return result.problems ? { ok: true, value: summary, problems: result.problems } : { ok: true, value: summary };
  },

  /** Stops the job started with this `jobId` (see the contract above); unknown ids are ignored. */
  cancel(jobId: string): void {
    running.get(jobId)?.abort();
  },
} satisfies ContextWorkerApi;

async function indexInWorker(
  input: ContextWorkerInput,
  opts: ContextWorkerOptions,
  onProgress: ((progress: ContextWorkerProgress) => void) | undefined,
): Promise<Result<ContextIndex>> {
  const controller = new AbortController();
  if (opts.jobId) running.set(opts.jobId, controller);
  let pool: ReturnType<typeof browserHashPool> = null;
  try {
    let sha: Sha256;
    try {
      sha = await loadHasher();
    } catch (error) {
      return {
        ok: false,
        problem: {
          input: input.name,
          message: `The SHA-256 module could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
          hint: 'Reload the page; if it persists, the browser may block WebAssembly.',
        },
      };
    }
    const open = (): ContextSource =>
      input.kind === 'blob'
        ? { kind: 'stream', stream: blobChunks(input.blob, { signal: controller.signal }), size: input.blob.size }
        : folderSource(input.files, input.dirs);
    const filesTotal = input.kind === 'folder' ? input.files.length : null;
    const bytes = input.kind === 'blob' ? input.blob.size : input.files.reduce((n, f) => n + f.file.size, 0);
    pool = browserHashPool(bytes);
    return await indexContextParallel(open, {
      name: input.name,
      hasher: sha,
      pool,
      dockerignore: opts.dockerignore,
      dockerfilePath: opts.dockerfilePath ?? null,
      signal: controller.signal,
      onProgress: onProgress
        ? (p) => void onProgress({ bytesDone: p.bytes, bytesTotal: p.totalBytes, filesDone: p.entries, filesTotal, path: p.path })
        : undefined,
    });
  } finally {
    pool?.close();
    if (opts.jobId) running.delete(opts.jobId);
  }
}

// Only inside a real worker: importing this module elsewhere (tests) must not start listening.
declare const WorkerGlobalScope: unknown;
if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined') expose(contextWorkerApi);
