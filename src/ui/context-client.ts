/**
 * The page's side of the context-hashing worker (workers/context.worker.ts): one hash at a time,
 * progress reported as it streams, cancellable (cancel terminates the worker).
 */
import { proxy } from 'comlink';
import { WorkerBridge } from './worker-bridge.ts';
import type { ContextIndex, Result } from '../core/model.ts';
import type { ContextWorkerApi } from '../../workers/context.worker.ts';
import type { FolderFile } from './inputs/collect.ts';

/** What the page shows while a context is hashed. */
export interface HashProgress {
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  filesTotal: number | null;
}

export type ContextInput = { type: 'file'; file: File } | { type: 'folder'; name: string; files: FolderFile[] };

const bridge = new WorkerBridge<ContextWorkerApi>(
  () => new Worker(new URL('../../workers/context.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-context' }),
);

/** Hashes one context the way BuildKit does; `dockerignore` is the text of a separately given .dockerignore. */
export function hashContextInWorker(
  input: ContextInput,
  dockerignore: string | null,
  onProgress: (p: HashProgress) => void,
  signal: AbortSignal,
): Promise<Result<ContextIndex>> {
  return bridge.run(signal, (api) =>
    api.hashContext(
      input.type === 'file' ? { kind: 'blob', name: input.file.name, blob: input.file } : { kind: 'folder', name: input.name, files: input.files },
      { dockerignore },
      proxy((p: HashProgress) => onProgress(p)),
    ),
  );
}
