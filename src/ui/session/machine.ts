/**
 * The app's state machine: inputs → (context hashes in one worker) → analysis (another worker) → Report.
 * Also holds a report that arrived without inputs (a share link or a saved report file). Plain TypeScript
 * (no Svelte, no DOM): `session.svelte.ts` makes it reactive, the unit tests drive it with fake workers.
 *
 * Every run has a generation number, and so does every report shown from elsewhere; a result that
 * arrives after a newer generation began is dropped, so the page always shows the analysis of what is on
 * screen (or the report opened since).
 */
import type { InputProblem, Report } from '../../core/model.ts';
import { dockerignoreOfBuild } from '../../core/ingest/dockerignores.ts';
import type { InputItem } from '../inputs/input-list.svelte.ts';
import { pickOf, type BuildChoice, type LogBuildSummary } from '../inputs/log-builds.ts';
import { parseReportJson } from '../report-file.ts';
import { isAbortError } from '../worker-bridge.ts';
import type { AnalyzeResponse, ContextKey } from '../worker-contract.ts';
import { analyzeRequestOf, isBuildItem, noLogProblem, textOf, workerFailedProblem } from './analysis-request.ts';
import { HashJobs } from './hash-jobs.ts';
import type { Busy, HashState, ReportOrigin, SessionWorkers } from './types.ts';

/** What the page shows; every field is replaced (never mutated) when it changes. */
export interface SessionView {
  report: Report | null;
  origin: ReportOrigin | null;
  problems: InputProblem[];
  busy: Busy;
  /** Per context input id. */
  hashes: Readonly<Record<number, HashState>>;
  /** True when the current inputs came from the built-in example (the origin of the report follows it). */
  fromExample: boolean;
  /** Per log input id: every build the log holds, as the last analysis read it (for the build picker). */
  logBuilds: Readonly<Record<number, LogBuildSummary[]>>;
  /** Per log input id: the builds the user chose to compare; kept while the input is there. */
  choices: Readonly<Record<number, BuildChoice>>;
}

type OwnView = Omit<SessionView, 'hashes'>;

export class SessionMachine {
  #items: () => InputItem[];
  #workers: SessionWorkers;
  #onChange: () => void;
  #hashes: HashJobs;
  #view: OwnView = { report: null, origin: null, problems: [], busy: 'idle', fromExample: false, logBuilds: {}, choices: {} };
  #generation = 0;
  #analysis: AbortController | null = null;

  /** `items`: the inputs on screen, in order; `onChange`: called after every change of the view. */
  constructor(items: () => InputItem[], workers: SessionWorkers, onChange: () => void = () => undefined) {
    this.#items = items;
    this.#workers = workers;
    this.#onChange = onChange;
    this.#hashes = new HashJobs(workers, onChange);
  }

  get view(): SessionView {
    return { ...this.#view, hashes: this.#hashes.states };
  }

  /** Shows a report that came without inputs (share link, report file); whatever is still running will not replace it. */
  showReport(report: Report, origin: ReportOrigin, problems: InputProblem[] = []): void {
    this.#generation++;
    this.#set({ report, origin, problems, busy: 'idle' });
  }

  /** The inputs now on screen are (or are no longer) the built-in example. */
  setFromExample(fromExample: boolean): void {
    this.#set({ fromExample });
  }

  /** Cancels the hash of one input; it shows as cancelled with a way to retry. */
  cancelHash(id: number): void {
    this.#hashes.cancel(id);
  }

  /** Forgets a cancelled or failed hash and runs again, so it is tried again. */
  retryHash(id: number): Promise<void> {
    this.#hashes.retry(id);
    return this.run();
  }

  /** The user chose which builds of a multi-build log to compare: analyse again with that pick. */
  chooseBuilds(id: number, choice: BuildChoice): Promise<void> {
    this.#set({ choices: { ...this.#view.choices, [id]: choice } });
    return this.run();
  }

  /** Re-runs the whole pipeline for the inputs on screen. Call it (debounced) whenever they change. */
  async run(): Promise<void> {
    const items = this.#items();
    // Wait until every input is sniffed: a role may still change, and a half-known drop must not look
    // like "a new context arrived" to the cancellation rule. Sniffing ends in an items change, which runs
    // us again.
    if (items.some((i) => i.sniffed === null)) return;
    const generation = ++this.#generation;
    const isCurrent = () => generation === this.#generation;
    this.#forgetRemovedLogs(items);
    const contextItems = items.filter((i) => i.role === 'context');
    this.#hashes.keepOnly(new Set(contextItems.map((i) => i.id)));
    this.#analysis?.abort();
    this.#analysis = null;

    // Contexts start hashing at once, even before any log is given: hashing is the slow part, and people
    // often drop the context first. Build N's .dockerignore applies to build N's context, as in the CLI.
    const dockerignoreTexts = await Promise.all(items.filter((i) => i.role === 'dockerignore').map(textOf));
    if (!isCurrent()) return;
    this.#hashes.cancelOlderWhenNewArrives(contextItems);
    const hashed = contextItems.map((item, i) => this.#hashes.start(item, dockerignoreOfBuild(dockerignoreTexts, i) ?? null));

    if (!items.some(isBuildItem)) return this.#runWithoutLogs(items, contextItems, hashed, isCurrent);
    // A big context takes a while: show what the logs and the Dockerfile already tell, then refine when
    // the hashes are in.
    const readyNow = contextItems.map((item) => this.#hashes.settled(item.id));
    if (readyNow.some((key) => key === undefined)) {
      this.#set({ busy: 'hashing' });
      await this.#analyze(
        items,
        readyNow.map((key) => key ?? null),
        isCurrent,
      );
      if (!isCurrent()) return;
      this.#set({ busy: 'hashing' });
    }
    const contexts = await Promise.all(hashed);
    if (!isCurrent()) return;
    this.#set({ busy: 'analyzing' });
    await this.#analyze(items, contexts, isCurrent);
    if (isCurrent()) this.#set({ busy: 'idle' });
  }

  /** No log: a saved report file is opened; otherwise the page says a log is missing while contexts hash. */
  async #runWithoutLogs(items: InputItem[], contextItems: InputItem[], hashed: Promise<unknown>[], isCurrent: () => boolean): Promise<void> {
    const reportFile = items.find((i) => i.role === 'report-json');
    if (reportFile) return this.#openReportFile(reportFile, isCurrent);
    const keepShown = this.#view.origin === 'link' || this.#view.origin === 'file';
    this.#set({
      ...(keepShown ? {} : { report: null, origin: null }),
      problems: items.length > 0 ? [noLogProblem()] : [],
      busy: contextItems.some((i) => this.#hashes.states[i.id]?.status === 'running') ? 'hashing' : 'idle',
    });
    await Promise.all(hashed);
    if (isCurrent()) this.#set({ busy: 'idle' });
  }

  async #analyze(items: InputItem[], contexts: (ContextKey | null)[], isCurrent: () => boolean): Promise<void> {
    this.#analysis?.abort();
    const controller = new AbortController();
    this.#analysis = controller;
    const logItems = items.filter(isBuildItem);
    const picks = logItems.map((item) => pickOf(item.name, this.#view.choices[item.id], this.#view.logBuilds[item.id]?.length ?? 0));
    let response: AnalyzeResponse;
    try {
      response = await this.#workers.analyze(
        analyzeRequestOf(
          items,
          picks.map((p) => p.pick),
          contexts,
        ),
        controller.signal,
      );
    } catch (e) {
      if (!isAbortError(e) && isCurrent()) this.#set({ problems: [workerFailedProblem(e)] });
      return;
    }
    if (!isCurrent()) return;
    if (response.missingContexts.length > 0) {
      // The analysis worker was restarted and lost these indexes: hash them again, then analyse.
      this.#hashes.lose(response.missingContexts);
      void this.run();
      return;
    }
    const contextItems = items.filter((i) => i.role === 'context');
    this.#set({
      report: response.report,
      origin: this.#view.fromExample ? 'example' : 'inputs',
      logBuilds: this.#keptLogBuilds(items, logItems, response),
      problems: [...this.#hashes.problems(contextItems), ...picks.flatMap((p) => (p.note ? [p.note] : [])), ...response.problems],
    });
  }

  /** The builds each log holds, as this analysis read them; logs no longer given are dropped. */
  #keptLogBuilds(items: InputItem[], logItems: InputItem[], response: AnalyzeResponse): Record<number, LogBuildSummary[]> {
    const ids = new Set(items.map((i) => i.id));
    const kept = Object.entries(this.#view.logBuilds).filter(([id]) => ids.has(Number(id)));
    return Object.fromEntries([...kept, ...logItems.map((item, i) => [String(item.id), response.logs[i]?.builds ?? []] as const)]);
  }

  /** A log that was removed takes its build choice with it (a log dropped again starts from all builds). */
  #forgetRemovedLogs(items: InputItem[]): void {
    const ids = new Set(items.map((i) => i.id));
    const kept = Object.entries(this.#view.choices).filter(([id]) => ids.has(Number(id)));
    if (kept.length !== Object.keys(this.#view.choices).length) this.#set({ choices: Object.fromEntries(kept) });
  }

  async #openReportFile(item: InputItem, isCurrent: () => boolean): Promise<void> {
    const text = (await textOf(item)) ?? '';
    if (!isCurrent()) return;
    const parsed = parseReportJson(text, item.name);
    if (parsed.ok) this.#set({ report: parsed.value, origin: 'file', problems: [], busy: 'idle' });
    else this.#set({ report: null, origin: null, problems: [parsed.problem], busy: 'idle' });
  }

  #set(patch: Partial<OwnView>): void {
    this.#view = { ...this.#view, ...patch };
    this.#onChange();
  }
}
