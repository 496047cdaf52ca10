/**
 * The session as the components see it: the state machine (./machine.ts) made reactive. Read-only fields
 * to render from, and the methods the components call; all the logic is the machine's.
 */
import type { InputProblem, Report } from '../../core/model.ts';
import type { InputList } from '../inputs/input-list.svelte.ts';
import type { BuildChoice } from '../inputs/log-builds.ts';
import { browserWorkers } from './browser-workers.ts';
import { SessionMachine, type SessionView } from './machine.ts';
import type { ReportOrigin, SessionWorkers } from './types.ts';

export class Session {
  // One raw state per field: the machine replaces a field only when it changes, so a progress tick of a
  // hash does not wake what renders the report.
  #report = $state.raw<SessionView['report']>(null);
  #origin = $state.raw<SessionView['origin']>(null);
  #problems = $state.raw<SessionView['problems']>([]);
  #busy = $state.raw<SessionView['busy']>('idle');
  #hashes = $state.raw<SessionView['hashes']>({});
  #fromExample = $state.raw(false);
  #logBuilds = $state.raw<SessionView['logBuilds']>({});
  #choices = $state.raw<SessionView['choices']>({});
  #machine: SessionMachine;

  constructor(inputs: InputList, workers: SessionWorkers = browserWorkers) {
    this.#machine = new SessionMachine(
      () => inputs.items,
      workers,
      () => this.#sync(),
    );
  }

  get report(): SessionView['report'] {
    return this.#report;
  }
  get origin(): SessionView['origin'] {
    return this.#origin;
  }
  get problems(): SessionView['problems'] {
    return this.#problems;
  }
  get busy(): SessionView['busy'] {
    return this.#busy;
  }
  get hashes(): SessionView['hashes'] {
    return this.#hashes;
  }
  get fromExample(): boolean {
    return this.#fromExample;
  }
  get logBuilds(): SessionView['logBuilds'] {
    return this.#logBuilds;
  }
  get choices(): SessionView['choices'] {
    return this.#choices;
  }

  run(): Promise<void> {
    return this.#machine.run();
  }
  showReport(report: Report, origin: ReportOrigin, problems: InputProblem[] = []): void {
    this.#machine.showReport(report, origin, problems);
  }
  setFromExample(fromExample: boolean): void {
    this.#machine.setFromExample(fromExample);
  }
  cancelHash(id: number): void {
    this.#machine.cancelHash(id);
  }
  retryHash(id: number): void {
    void this.#machine.retryHash(id);
  }
  chooseBuilds(id: number, choice: BuildChoice): void {
    void this.#machine.chooseBuilds(id, choice);
  }

  #sync(): void {
    const view = this.#machine.view;
    this.#report = view.report;
    this.#origin = view.origin;
    this.#problems = view.problems;
    this.#busy = view.busy;
    this.#hashes = view.hashes;
    this.#fromExample = view.fromExample;
    this.#logBuilds = view.logBuilds;
    this.#choices = view.choices;
  }
}
