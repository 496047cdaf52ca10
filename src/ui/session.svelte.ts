/**
 * The app's state machine: inputs → (context hashes in one worker) → analysis (another worker) → Report.
 * Also holds a report that arrived without inputs (a share link or a saved report file).
 *
 * Every run has a generation number; a result that arrives after the inputs changed again is dropped,
 * so the page always shows the analysis of what is on screen.
 */
import type { ContextIndex, InputProblem, Report } from '../core/model.ts';
import { dockerignoreOfBuild } from '../core/ingest/dockerignores.ts';
import { analyzeInWorker, type LogInput, type TextInput } from './analyze-client.ts';
import { pickOf, type BuildChoice, type LogBuildSummary } from './inputs/log-builds.ts';
import { hashContextInWorker, type HashProgress } from './context-client.ts';
import type { InputItem, InputList } from './inputs/input-list.svelte.ts';
import { isAbortError } from './worker-bridge.ts';
import { parseReportJson } from './report-file.ts';

export type HashState =
  | { status: 'running'; progress: HashProgress; startedAt: number; sample: { at: number; bytes: number }[] }
  | { status: 'done'; files: number; bytes: number; ms: number }
  | { status: 'failed'; problem: InputProblem }
  | { status: 'cancelled' };

/** Where the report on screen came from. */
export type ReportOrigin = 'inputs' | 'link' | 'file' | 'example';

interface HashJob {
  key: string;
  controller: AbortController;
  done: Promise<ContextIndex | null>;
  /** Set once the hash settled: the index, or null when it failed or was cancelled. */
  index?: ContextIndex | null;
}

export class Session {
  report: Report | null = $state.raw(null);
  origin: ReportOrigin | null = $state(null);
  problems: InputProblem[] = $state.raw([]);
  busy: 'idle' | 'hashing' | 'analyzing' = $state('idle');
  /** Per input id. */
  hashes: Record<number, HashState> = $state({});
  /** True when the current inputs came from the built-in example (the origin of the report follows it). */
  fromExample = $state(false);
  /** Per log input id: every build the log holds, as the last analysis read it (for the build picker). */
  logBuilds: Record<number, LogBuildSummary[]> = $state.raw({});
  /** Per log input id: the builds the user chose to compare; kept while the input is there. */
  choices: Record<number, BuildChoice> = $state.raw({});

  #inputs: InputList;
  #generation = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping: nothing renders from it
  #jobs = new Map<number, HashJob>();
  #analysis: AbortController | null = null;
  /** Context inputs already seen by a run: a context that is not in here is a newly dropped one. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- private bookkeeping: nothing renders from it
  #seenContexts = new Set<number>();

  constructor(inputs: InputList) {
    this.#inputs = inputs;
  }

  /** Shows a report that came without inputs (share link, report file). */
  showReport(report: Report, origin: ReportOrigin, problems: InputProblem[] = []): void {
    this.#generation++;
    this.report = report;
    this.origin = origin;
    this.problems = problems;
    this.busy = 'idle';
  }

  /** Cancels the hash of one input; it shows as cancelled with a way to retry. */
  cancelHash(id: number): void {
    const job = this.#jobs.get(id);
    if (!job) return;
    job.controller.abort();
    this.#jobs.delete(id);
    this.hashes[id] = { status: 'cancelled' };
  }

  /** Forgets a cancelled or failed hash so the next run tries again. */
  retryHash(id: number): void {
    delete this.hashes[id];
    void this.run();
  }

  /** The user chose which builds of a multi-build log to compare: analyse again with that pick. */
  chooseBuilds(id: number, choice: BuildChoice): void {
    this.choices = { ...this.choices, [id]: choice };
    void this.run();
  }

  /** Re-runs the whole pipeline for the inputs on screen. Call it (debounced) whenever they change. */
  async run(): Promise<void> {
    const items = this.#inputs.items;
    // Wait until every input is sniffed: a role may still change, and a half-known drop must not look
    // like "a new context arrived" to the cancellation rule below. Sniffing ends in an items change,
    // which runs us again.
    if (items.some((i) => i.sniffed === null)) return;
    const generation = ++this.#generation;
    this.#forgetRemovedLogs(items);
    this.#cancelStaleHashes(items);
    this.#analysis?.abort();
    this.#analysis = null;

    // Contexts start hashing at once, even before any log is given: hashing is the slow part, and people
    // often drop the context first.
    // Build N's .dockerignore applies to build N's context, as in the CLI.
    const dockerignoreTexts = await Promise.all(items.filter((i) => i.role === 'dockerignore').map(textOf));
    if (generation !== this.#generation) return;
    const contextItems = items.filter((i) => i.role === 'context');
    this.#cancelOlderHashesWhenANewContextArrives(contextItems);
    const hashed = contextItems.map((item, i) => this.#hash(item, dockerignoreOfBuild(dockerignoreTexts, i) ?? null));

    const reportFiles = items.filter((i) => i.role === 'report-json');
    const logs = items.filter(isBuildItem);
    if (logs.length === 0) {
      if (reportFiles[0]) return this.#openReportFile(reportFiles[0], generation);
      if (this.origin !== 'link' && this.origin !== 'file') {
        this.report = null;
        this.origin = null;
      }
      this.problems = items.length > 0 ? [noLogProblem()] : [];
      this.busy = contextItems.some((i) => this.hashes[i.id]?.status === 'running') ? 'hashing' : 'idle';
      void Promise.all(hashed).then(() => {
        if (generation === this.#generation) this.busy = 'idle';
      });
      return;
    }

    // A big context takes a while: show what the logs and the Dockerfile already tell, then refine
    // when the hashes are in.
    const readyNow = contextItems.map((item) => {
      const job = this.#jobs.get(item.id);
      return job ? job.index : null; // no job: cancelled, failed or not hashable → already settled as null
    });
    if (readyNow.some((index) => index === undefined)) {
      this.busy = 'hashing';
      await this.#analyze(
        generation,
        items,
        readyNow.map((index) => index ?? null),
        contextItems,
      );
      if (generation !== this.#generation) return;
      this.busy = 'hashing';
    }
    const contexts = await Promise.all(hashed);
    if (generation !== this.#generation) return;
    this.busy = 'analyzing';
    await this.#analyze(generation, items, contexts, contextItems);
    if (generation === this.#generation) this.busy = 'idle';
  }

  async #analyze(generation: number, items: InputItem[], contexts: (ContextIndex | null)[], contextItems: InputItem[]): Promise<void> {
    this.#analysis?.abort();
    const controller = new AbortController();
    this.#analysis = controller;
    const logItems = items.filter(isBuildItem);
    const picks = logItems.map((item) => pickOf(item.name, this.choices[item.id], this.logBuilds[item.id]?.length ?? 0));
    try {
      const response = await analyzeInWorker(
        {
          logs: logItems.map((item, i): LogInput => ({
            ...textInput(item),
            pick: picks[i]?.pick,
            ...(item.role === 'build-record' ? { record: true as const } : {}),
          })),
          histories: items.filter((i) => i.role === 'history-json').map(textInput),
          dockerfiles: items.filter((i) => i.role === 'dockerfile').map(textInput),
          dockerignores: items.filter((i) => i.role === 'dockerignore').map(textInput),
          commands: items.filter((i) => i.role === 'commands').map(textInput),
          contexts,
        },
        controller.signal,
      );
      if (generation !== this.#generation) return;
      this.report = response.report;
      this.origin = this.fromExample ? 'example' : 'inputs';
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
      const ids = new Set(items.map((i) => i.id));
      const kept = Object.entries(this.logBuilds).filter(([id]) => ids.has(Number(id)));
      this.logBuilds = Object.fromEntries([...kept, ...logItems.map((item, i) => [String(item.id), response.logs[i]?.builds ?? []] as const)]);
      const pickNotes = picks.flatMap((p) => (p.note ? [p.note] : []));
      this.problems = [...this.#hashProblems(contextItems), ...pickNotes, ...response.problems];
    } catch (e) {
      if (isAbortError(e) || generation !== this.#generation) return;
      this.problems = [
        {
          input: 'analysis',
          message: `The analysis worker failed: ${e instanceof Error ? e.message : String(e)}`,
          hint: 'Reload the page and try again; your files never left this machine.',
        },
      ];
    }
  }

  /** Starts (or reuses) the hash of one context input; resolves to null when it fails or is cancelled. */
  #hash(item: InputItem, dockerignore: string | null): Promise<ContextIndex | null> {
    const key = `${item.id}|${dockerignore ?? ''}`;
    const existing = this.#jobs.get(item.id);
    if (existing?.key === key) return existing.done;
    existing?.controller.abort();
    const state = this.hashes[item.id];
    if (!existing && state?.status === 'cancelled') return Promise.resolve(null);

    const source = item.source;
    if (source.type === 'text') return Promise.resolve(null);
    const controller = new AbortController();
    const startedAt = performance.now();
    this.hashes[item.id] = {
      status: 'running',
      progress: { bytesDone: 0, bytesTotal: item.size, filesDone: 0, filesTotal: source.type === 'folder' ? source.files.length : null, path: '' },
      startedAt,
      sample: [],
    };
    const done = hashContextInWorker(
      source.type === 'file' ? source : { type: 'folder', name: item.name.replace(/\/$/, ''), files: source.files, dirs: source.dirs },
      dockerignore,
      (progress) => {
        const current = this.hashes[item.id];
        if (current?.status !== 'running' || controller.signal.aborted) return;
        const now = performance.now();
        // Keep the last few seconds of samples for a steady rate (and so a steady time-left estimate).
        const sample = [...current.sample.filter((s) => now - s.at < 3000), { at: now, bytes: progress.bytesDone }];
        this.hashes[item.id] = { ...current, progress, sample };
      },
      controller.signal,
    ).then(
      (result): ContextIndex | null => {
        if (this.#jobs.get(item.id)?.controller !== controller) return null;
        if (result.ok) {
          // Only a summary goes into reactive state: the index itself can hold a million entries.
          const { files, bytes } = result.value.stats;
          this.hashes[item.id] = { status: 'done', files, bytes, ms: performance.now() - startedAt };
          return result.value;
        }
        this.hashes[item.id] = { status: 'failed', problem: result.problem };
        return null;
      },
      (e: unknown): null => {
        if (!isAbortError(e) && this.#jobs.get(item.id)?.controller === controller) {
          this.hashes[item.id] = {
            status: 'failed',
            problem: {
              input: item.name,
              message: `Hashing stopped: ${e instanceof Error ? e.message : String(e)}`,
              hint: 'Try a .tar of the context instead.',
            },
          };
        }
        return null;
      },
    );
    const job: HashJob = { key, controller, done };
    void done.then((index) => (job.index = index));
    this.#jobs.set(item.id, job);
    return done;
  }

  /**
   * Dropping a new context cancels the hash still running for an earlier one: whoever drops a second
   * context mid-hash has usually noticed the first was the wrong one (or too big). The cancelled chip
   * offers "Hash again", so nothing is lost if both were wanted.
   */
  #cancelOlderHashesWhenANewContextArrives(contextItems: InputItem[]): void {
    const arrived = contextItems.filter((i) => !this.#seenContexts.has(i.id));
    for (const item of contextItems) this.#seenContexts.add(item.id);
    if (arrived.length === 0) return;
    for (const id of [...this.#jobs.keys()]) {
      if (arrived.some((i) => i.id === id)) continue;
      if (this.hashes[id]?.status === 'running') this.cancelHash(id);
    }
  }

  /** A log that was removed takes its build choice with it (a log dropped again starts from all builds). */
  #forgetRemovedLogs(items: InputItem[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const ids = new Set(items.map((i) => i.id));
    const kept = Object.entries(this.choices).filter(([id]) => ids.has(Number(id)));
    if (kept.length !== Object.keys(this.choices).length) this.choices = Object.fromEntries(kept);
  }

  /** A context that was removed, re-labelled or replaced stops hashing at once. */
  #cancelStaleHashes(items: InputItem[]): void {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, not state
    const contextIds = new Set(items.filter((i) => i.role === 'context').map((i) => i.id));
    for (const [id, job] of this.#jobs) {
      if (contextIds.has(id)) continue;
      job.controller.abort();
      this.#jobs.delete(id);
      delete this.hashes[id];
    }
  }

  #hashProblems(contextItems: InputItem[]): InputProblem[] {
    const out: InputProblem[] = [];
    for (const item of contextItems) {
      const state = this.hashes[item.id];
      if (state?.status === 'failed') out.push(state.problem);
      if (state?.status === 'cancelled')
        out.push({ input: item.name, message: 'Hashing was cancelled, so this context was left out.', hint: 'Press "Hash again" on its chip to include it.' });
    }
    return out;
  }

  async #openReportFile(item: InputItem, generation: number): Promise<void> {
    const text = item.source.type === 'text' ? item.source.text : item.source.type === 'file' ? await item.source.file.text() : '';
    if (generation !== this.#generation) return;
    const parsed = parseReportJson(text, item.name);
    this.busy = 'idle';
    if (parsed.ok) {
      this.report = parsed.value;
      this.origin = 'file';
      this.problems = [];
    } else {
      this.report = null;
      this.origin = null;
      this.problems = [parsed.problem];
    }
  }
}

/** A build log or a `.dockerbuild` record: each stands for builds, in the order given. */
function isBuildItem(item: InputItem): boolean {
  return item.role === 'log' || item.role === 'build-record';
}

function textInput(item: InputItem): TextInput {
  const s = item.source;
  return { name: item.name, content: s.type === 'text' ? s.text : s.type === 'file' ? s.file : '' };
}

async function textOf(item: InputItem): Promise<string | null> {
  const s = item.source;
  if (s.type === 'text') return s.text;
  if (s.type === 'file') return s.file.text();
  return null;
}

function noLogProblem(): InputProblem {
  return {
    input: 'inputs',
    message: 'No build log yet: cachewhy needs the log of at least one build to say what was cached.',
    hint: 'Add the logs of a good (cached) build and of the build that missed, oldest first; paste one in the box if you copied it from a CI page.',
  };
}
