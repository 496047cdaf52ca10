/**
 * One comlink worker behind a small discipline (after squoosh's worker-bridge):
 * - calls run one at a time, in order (a promise queue), so a worker never juggles two big jobs;
 * - every call takes an AbortSignal; aborting terminates the worker — the only way to stop a
 *   synchronous loop inside it — and the next call starts a fresh one;
 * - an idle worker is terminated after `idleMs`, so a finished analysis does not pin its memory; with
 *   `idleMs` 0 each job gets its own worker, ended with the job (the context hashes);
 * - except while `keepAlive()` says the worker holds something the page still needs (the analysis worker
 *   holding context indexes): then it is never ended for idleness, and an aborted call that gave a
 *   `cancel` asks the worker to stop (the caller is answered at once) instead of ending it;
 * - a cancelled job still owns the worker until it stops: the next call waits for it, and a job that has
 *   not stopped after `cancelGraceMs` (a loop that never reaches its cancel check) ends the worker after
 *   all, so one stuck analysis cannot block every later one. What the worker held is then gone, which its
 *   users must expect anyway (a crash loses it too).
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
  #keepAlive: () => boolean;
  #cancelGraceMs: number;
  /** Settles when a cancelled job has really stopped, or its worker was ended for not stopping. */
  #stopping: Promise<void> = Promise.resolve();

  constructor(createWorker: () => Worker, idleMs = 30_000, keepAlive: () => boolean = () => false, cancelGraceMs = 10_000) {
    this.#createWorker = createWorker;
    this.#idleMs = idleMs;
    this.#keepAlive = keepAlive;
    this.#cancelGraceMs = cancelGraceMs;
  }

  /**
   * Queues `job`; it gets the worker's API when its turn comes. Rejects with an AbortError when aborted;
   * `cancel` is how to stop it without ending a worker that must be kept alive.
   */
  run<T>(signal: AbortSignal | undefined, job: (api: Remote<Api>) => Promise<T>, cancel?: (api: Remote<Api>) => void): Promise<T> {
    const turn = this.#queue
      .catch(() => undefined)
      .then(() => this.#stopping)
      .then(() => this.#runNow(signal, job, cancel));
    this.#queue = turn;
    return turn;
  }

  async #runNow<T>(signal: AbortSignal | undefined, job: (api: Remote<Api>) => Promise<T>, cancel?: (api: Remote<Api>) => void): Promise<T> {
    if (signal?.aborted) throw abortError(signal);
    clearTimeout(this.#idleTimer);
    const api = this.#ensureWorker();
    const crashed = this.#crashed;
    const work = (async () => job(api))(); // a job that throws at once is a rejection like any other
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        if (cancel && this.#keepAlive()) {
          cancel(api);
          this.#stopping = this.#stopped(work, crashed);
        } else this.terminate();
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      // comlink alone would wait forever for a worker that never started: race its crash too.
      return await Promise.race([work, aborted, crashed]);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      // idleMs 0: one worker per job, so a big job's heap goes back to the system as soon as it ends.
      if (this.#keepAlive()) clearTimeout(this.#idleTimer);
      else if (this.#idleMs === 0) this.terminate();
      else this.#idleTimer = setTimeout(() => this.terminate(), this.#idleMs);
    }
  }

  /** Waits for a cancelled job to stop; past the grace time, ends its worker instead. */
  async #stopped(work: Promise<unknown>, crashed: Promise<never>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<'late'>((ok) => (timer = setTimeout(() => ok('late'), this.#cancelGraceMs)));
    const outcome = await Promise.race([
      work.then(
        () => 'stopped',
        () => 'stopped',
      ),
      crashed.catch(() => 'stopped'),
      grace,
    ]);
    clearTimeout(timer);
    if (outcome === 'late') this.terminate();
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
