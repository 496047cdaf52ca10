/**
 * The context hashes of a session: one job per context input, started as soon as the context is there,
 * reused while its recipe (the .dockerignore applied) stays the same, cancelled when the input goes or
 * the user asks. Each job's index is delivered to the analysis side under a key of its own; what is kept
 * here is the state its chip shows.
 */
import type { InputProblem } from '../../core/model.ts';
import type { InputItem } from '../inputs/input-list.svelte.ts';
import type { ContextKey } from '../worker-contract.ts';
import { isAbortError } from '../worker-bridge.ts';
import type { ContextInput, HashProgress, HashState, SessionWorkers } from './types.ts';

interface HashJob {
  /** What was hashed with what: a different .dockerignore is another job. */
  recipe: string;
  key: ContextKey;
  controller: AbortController;
  done: Promise<ContextKey | null>;
  /** Set once the hash settled: the key of the delivered index, or null when it failed or was cancelled. */
  settled?: ContextKey | null;
}

/** How long progress samples are kept: a few seconds give a steady rate (and a steady time-left estimate). */
const SAMPLE_MS = 3000;

export class HashJobs {
  #workers: SessionWorkers;
  #onChange: () => void;
  #now: () => number;
  #jobs = new Map<number, HashJob>();
  #states: Readonly<Record<number, HashState>> = {};
  /** Context inputs already seen: one that is not in here is a newly dropped one. */
  #seen = new Set<number>();
  #serial = 0;

  constructor(workers: SessionWorkers, onChange: () => void, now: () => number = () => performance.now()) {
    this.#workers = workers;
    this.#onChange = onChange;
    this.#now = now;
  }

  /** Per input id, what its chip shows. Replaced (never mutated) on every change. */
  get states(): Readonly<Record<number, HashState>> {
    return this.#states;
  }

  /** Starts (or reuses) the hash of one context input; resolves to its index's key, or null when it fails or is cancelled. */
  start(item: InputItem, dockerignore: string | null): Promise<ContextKey | null> {
    const recipe = JSON.stringify(dockerignore);
    const existing = this.#jobs.get(item.id);
    if (existing?.recipe === recipe) return existing.done;
    if (existing) this.#drop(item.id, existing);
    else if (this.#states[item.id]?.status === 'cancelled') return Promise.resolve(null);
    const input = contextInputOf(item);
    if (!input) return Promise.resolve(null);

    const controller = new AbortController();
    const key = `context-${item.id}-${++this.#serial}`;
    const startedAt = this.#now();
    const filesTotal = input.type === 'folder' ? input.files.length : null;
    this.#set(item.id, { status: 'running', progress: { bytesDone: 0, bytesTotal: item.size, filesDone: 0, filesTotal, path: '' }, startedAt, sample: [] });
    const isCurrent = () => this.#jobs.get(item.id)?.controller === controller;
    const done = this.#workers
      .hashContext(
        { key, input, dockerignore },
        (progress) => isCurrent() && !controller.signal.aborted && this.#progress(item.id, progress),
        controller.signal,
      )
      .then(
        (result): ContextKey | null => {
          if (!isCurrent()) return null;
          if (!result.ok) {
            this.#set(item.id, { status: 'failed', problem: result.problem });
            return null;
          }
          const { files, bytes, rootDigest } = result.value;
          this.#set(item.id, { status: 'done', files, bytes, rootDigest, ms: this.#now() - startedAt });
          return key;
        },
        (error: unknown): null => {
          if (!isAbortError(error) && isCurrent()) this.#set(item.id, { status: 'failed', problem: stoppedProblem(item.name, error) });
          return null;
        },
      );
    const job: HashJob = { recipe, key, controller, done };
    void done.then((settled) => (job.settled = settled));
    this.#jobs.set(item.id, job);
    return done;
  }

  /** The key of a settled hash (null: failed, cancelled or not hashable); undefined while it runs. */
  settled(id: number): ContextKey | null | undefined {
    const job = this.#jobs.get(id);
    return job ? job.settled : null;
  }

  /** The user cancelled this hash: it shows as cancelled (with a way to retry) and is left out. */
  cancel(id: number): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    this.#drop(id, job);
    this.#set(id, { status: 'cancelled' });
  }

  /** Forgets a cancelled or failed hash so the next run tries again. */
  retry(id: number): void {
    const job = this.#jobs.get(id);
    if (job) this.#drop(id, job);
    this.#set(id, undefined);
  }

  /** A context that was removed, re-labelled or replaced stops hashing at once. */
  keepOnly(contextIds: ReadonlySet<number>): void {
    for (const [id, job] of [...this.#jobs]) {
      if (contextIds.has(id)) continue;
      this.#drop(id, job);
      this.#set(id, undefined);
    }
  }

  /**
   * Dropping a new context cancels the hash still running for an earlier one: whoever drops a second
   * context mid-hash has usually noticed the first was the wrong one (or too big). The cancelled chip
   * offers "Hash again", so nothing is lost if both were wanted.
   */
  cancelOlderWhenNewArrives(contextItems: InputItem[]): void {
    const arrived = contextItems.filter((i) => !this.#seen.has(i.id));
    for (const item of contextItems) this.#seen.add(item.id);
    if (arrived.length === 0) return;
    for (const id of [...this.#jobs.keys()]) {
      if (arrived.some((i) => i.id === id)) continue;
      if (this.#states[id]?.status === 'running') this.cancel(id);
    }
  }

  /** The analysis side lost these indexes (its worker was restarted): their contexts are hashed again on the next run. */
  lose(keys: readonly ContextKey[]): void {
    for (const [id, job] of [...this.#jobs]) {
      if (!keys.includes(job.key)) continue;
      this.#drop(id, job);
      this.#set(id, undefined);
    }
  }

  /** What a failed or cancelled hash means for the report, said once per context. */
  problems(contextItems: InputItem[]): InputProblem[] {
    return contextItems.flatMap((item): InputProblem[] => {
      const state = this.#states[item.id];
      if (state?.status === 'failed') return [state.problem];
      if (state?.status === 'cancelled')
        return [{ input: item.name, message: 'Hashing was cancelled, so this context was left out.', hint: 'Press "Hash again" on its chip to include it.' }];
      return [];
    });
  }

  #progress(id: number, progress: HashProgress): void {
    const current = this.#states[id];
    if (current?.status !== 'running') return;
    const now = this.#now();
    const sample = [...current.sample.filter((s) => now - s.at < SAMPLE_MS), { at: now, bytes: progress.bytesDone }];
    this.#set(id, { ...current, progress, sample });
  }

  #drop(id: number, job: HashJob): void {
    job.controller.abort();
    this.#jobs.delete(id);
    this.#workers.forgetContext(job.key);
  }

  #set(id: number, state: HashState | undefined): void {
    if (state === undefined && !(id in this.#states)) return;
    const next = { ...this.#states };
    if (state === undefined) delete next[id];
    else next[id] = state;
    this.#states = next;
    this.#onChange();
  }
}

/** What the context worker hashes for this input; null for a text (it has no files). */
function contextInputOf(item: InputItem): ContextInput | null {
  const source = item.source;
  if (source.type === 'text') return null;
  if (source.type === 'file') return source;
  return { type: 'folder', name: item.name.replace(/\/$/, ''), files: source.files, dirs: source.dirs };
}

function stoppedProblem(name: string, error: unknown): InputProblem {
  return { input: name, message: `Hashing stopped: ${error instanceof Error ? error.message : String(error)}`, hint: 'Try a .tar of the context instead.' };
}
