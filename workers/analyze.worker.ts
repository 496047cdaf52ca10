/**
 * The analysis worker: reads the inputs (logs as streams, the small texts whole) and runs the shared
 * pipeline (`core/analyze.ts`) off the page's thread, so a big log never freezes the page. Thin on
 * purpose: all logic lives in core.
 */
import { expose } from 'comlink';
import { analyze, readLogInput, type ReadLogInput } from '../src/core/analyze.ts';
import { readRecordInput } from '../src/core/record/index.ts';
import type { ContextIndex, InputProblem, Report } from '../src/core/model.ts';
import { summarizeBuilds, type LogBuilds } from '../src/ui/inputs/log-builds.ts';

/** A text input as the page hands it over: a File/Blob (read here, not on the page) or pasted text. */
export interface TextInput {
  name: string;
  content: Blob | string;
}

/** A log, with the builds of it to compare (1-based, in that order) when it holds several; absent: all. */
export interface LogInput extends TextInput {
  pick?: number[];
  /** A `.dockerbuild` export: one build, read from its bytes. */
  record?: true;
}

export interface AnalyzeRequest {
  logs: LogInput[];
  dockerfiles: TextInput[];
  dockerignores: TextInput[];
  commands: TextInput[];
  /** `docker buildx history inspect --format json` outputs, one per build in order. */
  histories?: TextInput[];
  /** One per build, in build order; null where no context was given or it could not be read. */
  contexts: (ContextIndex | null)[];
}

export interface AnalyzeResponse {
  report: Report | null;
  problems: InputProblem[];
  /** Every build each log holds, per log in request order (for the build picker), picked or not. */
  logs: LogBuilds[];
}

async function readAll(inputs: TextInput[]): Promise<{ name: string; text: string }[]> {
  return Promise.all(inputs.map(async ({ name, content }) => ({ name, text: typeof content === 'string' ? content : await content.text() })));
}

/** Logs are streamed (`Blob.stream()`): a 300 MB log is never held whole, here or on the page. */
async function readLogs(inputs: LogInput[]): Promise<ReadLogInput[]> {
  const read: ReadLogInput[] = [];
  // One after the other: two big logs read at once would hold both heads and pieces for no gain.
  for (const { name, content, record } of inputs) {
    if (record && typeof content !== 'string') read.push(await readRecordInput(name, content.stream()));
    else read.push(await readLogInput(name, typeof content === 'string' ? content : content.stream()));
  }
  return read;
}

const api = {
  async analyze(request: AnalyzeRequest): Promise<AnalyzeResponse> {
    try {
      const [logs, dockerfiles, dockerignores, commands, histories] = await Promise.all([
        readLogs(request.logs),
        readAll(request.dockerfiles),
        readAll(request.dockerignores),
        readAll(request.commands),
        readAll(request.histories ?? []),
      ]);
      // Every build of every log, for the picker (summarised before the analysis uses the traces).
      const builds = logs.map(({ name, read }) => ({ name, builds: read.ok ? summarizeBuilds(read.value) : [] }));
      const picked = logs.map((log, i) => ({ ...log, pick: request.logs[i]?.pick }));
      const result = analyze({ logs: picked, dockerfiles, dockerignores, commands, contexts: request.contexts, histories });
      return { report: result.report, problems: result.problems, logs: builds };
    } catch (e) {
      // The pipeline reports user errors as values; anything thrown is our bug. Say so instead of
      // leaving the page waiting.
      return {
        report: null,
        logs: [],
        problems: [
          {
            input: 'analysis',
            message: `The analysis stopped with an internal error: ${e instanceof Error ? e.message : String(e)}`,
            hint: 'This is a bug in cachewhy. The inputs stayed on your machine; please report the message above.',
          },
        ],
      };
    }
  },
};

export type AnalyzeWorkerApi = typeof api;
expose(api);
