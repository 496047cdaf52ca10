/**
 * The analysis worker: reads the inputs (logs as streams, the small texts whole) and runs the shared
 * pipeline (`core/analyze.ts`) off the page's thread, so a big log never freezes the page. Thin on
 * purpose: all logic lives in core.
 *
 * It also holds the context indexes: each arrives once, straight from the context worker, on a port the
 * page handed over (src/ui/worker-contract.ts), and stays here for every analysis until the page forgets
 * it. So the page cancels an analysis by asking (`cancel(jobId)`, checked between chunks of every log and
 * before the pipeline runs) rather than by ending the worker, which would lose them.
 */
import { expose } from 'comlink';
import { analyze, readLogInput, type ReadLogInput } from '../src/core/analyze.ts';
import { readRecordInput } from '../src/core/record/index.ts';
import type { ContextIndex } from '../src/core/model.ts';
import { summarizeBuilds } from '../src/ui/inputs/log-builds.ts';
import type { AnalyzeRequest, AnalyzeResponse, AnalyzeWorkerApi, ContextDelivery, ContextKey, LogInput, TextInput } from '../src/ui/worker-contract.ts';

/** Each context index by key; pending until its delivery arrives (null: the hash failed). */
const held = new Map<ContextKey, Promise<ContextIndex | null>>();
const running = new Set<string>();
const cancelled = new Set<string>();

class Cancelled extends Error {}

function throwIfCancelled(jobId: string | undefined): void {
  if (jobId !== undefined && cancelled.has(jobId)) throw new Cancelled();
}

/** A log's bytes, stopped at the next chunk once its job is cancelled. */
function cancellable(stream: ReadableStream<Uint8Array>, jobId: string | undefined): ReadableStream<Uint8Array> {
  if (jobId === undefined) return stream;
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, out) {
        throwIfCancelled(jobId);
        out.enqueue(chunk);
      },
    }),
  );
}

async function readAll(inputs: TextInput[]): Promise<{ name: string; text: string }[]> {
  return Promise.all(inputs.map(async ({ name, content }) => ({ name, text: typeof content === 'string' ? content : await content.text() })));
}

/** Logs are streamed (`Blob.stream()`): a 300 MB log is never held whole, here or on the page. */
async function readLogs(inputs: LogInput[], jobId: string | undefined): Promise<ReadLogInput[]> {
  const read: ReadLogInput[] = [];
  // One after the other: two big logs read at once would hold both heads and pieces for no gain.
  for (const { name, content, record } of inputs) {
    throwIfCancelled(jobId);
    if (record && typeof content !== 'string') read.push(await readRecordInput(name, cancellable(content.stream(), jobId)));
    else read.push(await readLogInput(name, typeof content === 'string' ? content : cancellable(content.stream(), jobId)));
  }
  return read;
}

/** The indexes the request names, or the keys this worker does not hold. */
async function contextsOf(keys: (ContextKey | null)[]): Promise<{ contexts: (ContextIndex | null)[]; missing: ContextKey[] }> {
  const missing = keys.filter((key): key is ContextKey => key !== null && !held.has(key));
  const contexts = await Promise.all(keys.map((key) => (key === null ? Promise.resolve(null) : (held.get(key) ?? Promise.resolve(null)))));
  return { contexts, missing };
}

async function analyzeNow(request: AnalyzeRequest, jobId: string | undefined): Promise<AnalyzeResponse> {
  const { contexts, missing } = await contextsOf(request.contexts);
  if (missing.length > 0) return { report: null, problems: [], logs: [], missingContexts: missing };
  const [logs, dockerfiles, dockerignores, commands, histories] = await Promise.all([
    readLogs(request.logs, jobId),
    readAll(request.dockerfiles),
    readAll(request.dockerignores),
    readAll(request.commands),
    readAll(request.histories ?? []),
  ]);
  throwIfCancelled(jobId);
  // Every build of every log, for the picker (summarised before the analysis uses the traces).
  const builds = logs.map(({ name, read }) => ({ name, builds: read.ok ? summarizeBuilds(read.value) : [] }));
  const picked = logs.map((log, i) => ({ ...log, pick: request.logs[i]?.pick }));
  const result = analyze({ logs: picked, dockerfiles, dockerignores, commands, contexts, histories });
  return { report: result.report, problems: result.problems, logs: builds, missingContexts: [] };
}

export const analyzeWorkerApi = {
  async analyze(request: AnalyzeRequest, jobId?: string): Promise<AnalyzeResponse> {
    if (jobId !== undefined) running.add(jobId);
    try {
      return await analyzeNow(request, jobId);
    } catch (e) {
      if (e instanceof Cancelled) return { report: null, problems: [], logs: [], missingContexts: [] };
      // The pipeline reports user errors as values; anything thrown is our bug. Say so instead of
      // leaving the page waiting.
      return {
        report: null,
        logs: [],
        missingContexts: [],
        problems: [
          {
            input: 'analysis',
            message: `The analysis stopped with an internal error: ${e instanceof Error ? e.message : String(e)}`,
            hint: 'This is a bug in cachewhy. The inputs stayed on your machine; please report the message above.',
          },
        ],
      };
    } finally {
      if (jobId !== undefined) {
        running.delete(jobId);
        cancelled.delete(jobId);
      }
    }
  },

  cancel(jobId: string): void {
    if (running.has(jobId)) cancelled.add(jobId);
  },

  receiveContext(key: ContextKey, port: MessagePort): void {
    const arrived = new Promise<ContextIndex | null>((resolve) => {
      port.onmessage = (event: MessageEvent<ContextDelivery>) => {
        resolve(event.data.ok ? event.data.index : null);
        port.close();
      };
    });
    held.set(key, arrived);
  },

  forgetContext(key: ContextKey): void {
    held.delete(key);
  },
} satisfies AnalyzeWorkerApi;

// Only inside a real worker: importing this module elsewhere (tests) must not start listening.
declare const WorkerGlobalScope: unknown;
if (typeof WorkerGlobalScope !== 'undefined' && typeof self !== 'undefined') expose(analyzeWorkerApi);
