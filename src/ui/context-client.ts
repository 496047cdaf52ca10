/**
 * The page's side of the context-hashing worker (workers/context.worker.ts): one hash at a time,
 * progress reported as it streams, cancellable. Cancelling terminates the worker (the bridge's
 * discipline), which stops the work at once even between chunk boundaries; the next hash starts a
 * fresh worker.
 */
import { proxy, transfer } from 'comlink';
import { WorkerBridge } from './worker-bridge.ts';
import type { Result } from '../core/model.ts';
import type { ContextSummary, ContextWorkerApi } from './worker-contract.ts';
import type { ContextInput, HashProgress } from './session/types.ts';

// One worker per context (idle time 0): hashing a big context leaves a heap of hundreds of MB behind
// in the worker, which V8 keeps; ending the worker hands it back before the next context is hashed.
const bridge = new WorkerBridge<ContextWorkerApi>(
  () => new Worker(new URL('../../workers/context.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-context' }),
  0,
);

/** No progress and no answer for this long: the attempt is taken as stalled and started afresh. */
const STALL_MS = 10_000;
const ATTEMPTS = 3;

export class HashStalledError extends Error {}

/**
 * Hashes one context the way BuildKit does. `dockerignore` is the text of a separately given .dockerignore;
 * null means none was given, and the context's own `.dockerignore` (if any) applies. The index goes to the
 * port `deliverTo()` gives (one per attempt: a port goes with the worker it was handed to); the page gets
 * its summary.
 *
 * Never stalls: the worker reports progress at least every 100 ms while it reads (and its own reads and
 * hashing workers have timeouts), so an attempt that is silent for STALL_MS — a worker that never
 * started, a message lost — is ended (its worker terminated) and run again in a fresh worker; hashing is
 * a pure function of the input, so a second attempt gives the same index.
 */
export async function hashContextInWorker(
  input: ContextInput,
  dockerignore: string | null,
  onProgress: (p: HashProgress) => void,
  signal: AbortSignal,
  deliverTo?: () => MessagePort,
): Promise<Result<ContextSummary>> {
  for (let attempt = 1; ; attempt++) {
    const stall = new AbortController();
    const forward = () => stall.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(new HashStalledError(`no progress for ${STALL_MS / 1000} s, ${attempt} time(s)`)), STALL_MS);
    };
    try {
      // The clock starts when the job leaves the bridge's queue (a queued job is waiting, not stalled).
      return await bridge.run(stall.signal, async (api): Promise<Result<ContextSummary>> => {
        arm();
        const port = deliverTo?.();
        // comlink types a union result as a union of promises; awaiting folds it back into Result.
        return await api.hashContext(
          input.type === 'file'
            ? { kind: 'blob', name: input.file.name, blob: input.file }
            : { kind: 'folder', name: input.name, files: input.files.map(({ path, file }) => ({ path, file })), dirs: input.dirs },
          // undefined (not null) lets the worker read the context's own .dockerignore.
          { dockerignore: dockerignore ?? undefined },
          proxy((p: HashProgress) => {
            arm();
            onProgress(p);
          }),
          port && transfer(port, [port]),
        );
      });
    } catch (error) {
      if (!(error instanceof HashStalledError) || signal.aborted || attempt >= ATTEMPTS) throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
  }
}

/** Loads the worker and its WASM hasher once (an empty tar: two zero blocks), so they are cached for offline use. */
export async function warmUpContextWorker(): Promise<void> {
  const emptyTar = new File([new Uint8Array(1024)], 'warm-up.tar');
  await hashContextInWorker({ type: 'file', file: emptyTar }, null, () => undefined, new AbortController().signal);
}
