/**
 * One comlink worker behind a small discipline (after squoosh's worker-bridge):
 * - calls run one at a time, in order (a promise queue), so a worker never juggles two big jobs;
 * - every call takes an AbortSignal; aborting terminates the worker — the only way to stop a
 *   synchronous loop inside it — and the next call starts a fresh one;
 * - an idle worker is terminated after `idleMs`, so a finished analysis does not pin its memory; with
 *   `idleMs` 0 each job gets its own worker, ended with the job (the context hashes).
 */
import { wrap, type Remote } from 'comlink';

export class WorkerBridge<Api extends object> {
  #worker: Worker | null = null;
  #remote: Remote<Api> | null = null;
  /** Rejects when the current worker dies (its script failed to load, or it threw at top level). */
  #crashed: Promise<never> = new Promise(() => undefined);
  #queue: Promise<unknown> = Promise.resolve();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #createWorker: () => Worker;
  #idleMs: number;

  constructor(createWorker: () => Worker, idleMs = 30_000) {
    this.#createWorker = createWorker;
    this.#idleMs = idleMs;
  }

  /** Queues `job`; it gets the worker's API when its turn comes. Rejects with an AbortError when aborted. */
  run<T>(signal: AbortSignal | undefined, job: (api: Remote<Api>) => Promise<T>): Promise<T> {
    const turn = this.#queue.catch(() => undefined).then(() => this.#runNow(signal, job));
    this.#queue = turn;
    return turn;
  }

  async #runNow<T>(signal: AbortSignal | undefined, job: (api: Remote<Api>) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw abortError(signal);
    clearTimeout(this.#idleTimer);
    const api = this.#ensureWorker();
    const crashed = this.#crashed;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        this.terminate();
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // comlink alone would wait forever for a worker that never started: race its crash too.
      return await Promise.race([job(api), aborted, crashed]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      // idleMs 0: one worker per job, so a big job's heap goes back to the system as soon as it ends.
      if (this.#idleMs === 0) this.terminate();
      else this.#idleTimer = setTimeout(() => this.terminate(), this.#idleMs);
    }
  }

  #ensureWorker(): Remote<Api> {
    if (!this.#remote) {
      const worker = this.#createWorker();
      this.#crashed = new Promise<never>((_, reject) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          if (this.#worker === worker) this.terminate();
          reject(new Error(event.message || 'the worker could not start'));
        });
      });
      this.#crashed.catch(() => undefined); // observed by whichever job races it; never unhandled
      this.#worker = worker;
      this.#remote = wrap<Api>(worker);
    }
    return this.#remote;
  }

  /** Stops the worker now; queued calls will start a new one. */
  terminate(): void {
    clearTimeout(this.#idleTimer);
    this.#worker?.terminate();
    this.#remote = null;
    this.#worker = null;
  }
}

export function abortError(signal?: AbortSignal): Error {
  return signal?.reason instanceof Error ? signal.reason : new DOMException('The operation was cancelled.', 'AbortError');
}

export function isAbortError(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}
