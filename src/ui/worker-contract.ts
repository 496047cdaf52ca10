/**
 * What the page and the two workers say to each other: the comlink APIs of the analysis worker
 * (workers/analyze.worker.ts) and of the context worker (workers/context.worker.ts), their arguments and
 * results. The workers implement these interfaces (`satisfies`); the page imports only this module.
 *
 * A context index never crosses the page: it can hold a million entries. For each hash the page opens a
 * MessageChannel, hands one port to the analysis worker (`receiveContext(key, port)`) and the other to the
 * context worker (`hashContext(…, deliverTo)`); the context worker posts the index there once, and answers
 * the page with a `ContextSummary` (what the chip shows). Analyses then name contexts by their key.
 */
import type { ContextIndex, InputProblem, Report, Result } from '../core/model.ts';
import type { LogBuilds } from './inputs/log-builds.ts';

// ---------------------------------------------------------------------------------------------
// The analysis worker
// ---------------------------------------------------------------------------------------------

/** A text input as the page hands it over: a File/Blob (read in the worker, not on the page) or pasted text. */
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

/** Names a context index the analysis worker holds (delivered to it by the context worker). */
export type ContextKey = string;

export interface AnalyzeRequest {
  logs: LogInput[];
  dockerfiles: TextInput[];
  dockerignores: TextInput[];
  commands: TextInput[];
  /** `docker buildx history inspect --format json` outputs, one per build in order. */
  histories?: TextInput[];
  /** One per build, in build order; null where no context was given or it could not be hashed. */
  contexts: (ContextKey | null)[];
}

export interface AnalyzeResponse {
  report: Report | null;
  problems: InputProblem[];
  /** Every build each log holds, per log in request order (for the build picker), picked or not. */
  logs: LogBuilds[];
  /**
   * Contexts the request named that the worker does not hold (it was restarted after a crash, so what
   * it held is gone): nothing was analysed; the page hashes them again.
   */
  missingContexts: ContextKey[];
}

export interface AnalyzeWorkerApi {
  /** `jobId` lets `cancel(jobId)` stop it early (its answer is then a cancelled, empty response). */
  analyze(request: AnalyzeRequest, jobId?: string): Promise<AnalyzeResponse>;
  cancel(jobId: string): void;
  /** The index for `key` will arrive on `port` (one `ContextDelivery`); a later call for the same key replaces it. */
  receiveContext(key: ContextKey, port: MessagePort): void;
  /** The page no longer needs this context (removed, re-hashed, cancelled): its memory goes back. */
  forgetContext(key: ContextKey): void;
}

/** The one message the context worker posts on the delivery port. */
export type ContextDelivery = { ok: true; index: ContextIndex } | { ok: false };

// ---------------------------------------------------------------------------------------------
// The context worker
// ---------------------------------------------------------------------------------------------

export type ContextWorkerInput =
  | { kind: 'blob'; name: string; blob: Blob }
  /**
   * A browser folder. Browsers expose no modes or symlinks; parents of files are added by the worker, and
   * `dirs` lists the directories a walk saw (a drop or a directory picker can; a `webkitdirectory` pick
   * cannot), so that empty directories — which BuildKit hashes too — are not lost.
   */
  | { kind: 'folder'; name: string; files: { path: string; file: Blob; mode?: number | null }[]; dirs?: string[] };

export interface ContextWorkerOptions {
  /** undefined: read `.dockerignore` from the context; null: none; a text: apply it. */
  dockerignore?: string | null;
  /** The Dockerfile's path inside the context, if it is there. */
  dockerfilePath?: string | null;
  /** Name this job so that `cancel(jobId)` can stop it. */
  jobId?: string;
}

export interface ContextWorkerProgress {
  bytesDone: number;
  bytesTotal: number | null;
  filesDone: number;
  filesTotal: number | null;
  /** The entry being read. */
  path: string;
}

/** What the page receives of a hashed context: what it displays, never the entries. */
export interface ContextSummary {
  source: string;
  files: number;
  bytes: number;
  rootDigest: string;
  problems: InputProblem[];
}

export interface ContextWorkerApi {
  /**
   * Hashes one context the way BuildKit does. With `deliverTo`, the index is posted there (one
   * `ContextDelivery`, also when hashing fails) before the summary is returned. User errors come back as
   * values.
   */
  hashContext(
    input: ContextWorkerInput,
    opts?: ContextWorkerOptions,
    onProgress?: (progress: ContextWorkerProgress) => void,
    deliverTo?: MessagePort,
  ): Promise<Result<ContextSummary>>;
  /** Stops the job started with this `jobId`; unknown ids are ignored. */
  cancel(jobId: string): void;
}
