/**
 * The page's side of the context-hashing worker (workers/context.worker.ts): one hash at a time,
 * progress reported as it streams, cancellable. Cancelling terminates the worker (the bridge's
 * discipline), which stops the work at once even between chunk boundaries; the next hash starts a
 * fresh worker.
 */
import { proxy } from 'comlink';
import { WorkerBridge } from './worker-bridge.ts';
import type { ContextIndex, Result } from '../core/model.ts';
import type { ContextWorkerApi, ContextWorkerProgress } from '../../workers/context.worker.ts';
import type { FolderFile } from './inputs/collect.ts';

/** What the page shows while a context is hashed. */
export type HashProgress = ContextWorkerProgress;

export type ContextInput = { type: 'file'; file: File } | { type: 'folder'; name: string; files: FolderFile[] };

// One worker per context (idle time 0): hashing a big context leaves a heap of hundreds of MB behind
// in the worker, which V8 keeps; ending the worker hands it back before the next context is hashed.
const bridge = new WorkerBridge<ContextWorkerApi>(
  () => new Worker(new URL('../../workers/context.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-context' }),
  0,
);

/**
 * Hashes one context the way BuildKit does. `dockerignore` is the text of a separately given .dockerignore;
 * null means none was given, and the context's own `.dockerignore` (if any) applies.
 */
export function hashContextInWorker(
  input: ContextInput,
  dockerignore: string | null,
  onProgress: (p: HashProgress) => void,
  signal: AbortSignal,
): Promise<Result<ContextIndex>> {
  return bridge.run(signal, async (api): Promise<Result<ContextIndex>> =>
    // comlink types a union result as a union of promises; awaiting folds it back into Result.
    await api.hashContext(
      input.type === 'file'
        ? { kind: 'blob', name: input.file.name, blob: input.file }
        : { kind: 'folder', name: input.name, files: input.files.map(({ path, file }) => ({ path, file })) },
      // undefined (not null) lets the worker read the context's own .dockerignore.
      { dockerignore: dockerignore ?? undefined },
      proxy(onProgress),
    ),
  );
}

/** Loads the worker and its WASM hasher once (an empty tar: two zero blocks), so they are cached for offline use. */
export async function warmUpContextWorker(): Promise<void> {
  const emptyTar = new File([new Uint8Array(1024)], 'warm-up.tar');
  await hashContextInWorker({ type: 'file', file: emptyTar }, null, () => undefined, new AbortController().signal);
}
