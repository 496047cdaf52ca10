/** The app state's vocabulary, shared by the state machine, its Svelte wrapper and the components that show it. */
import type { InputProblem, Result } from '../../core/model.ts';
import type { FolderFile } from '../inputs/collect.ts';
import type { AnalyzeRequest, AnalyzeResponse, ContextKey, ContextSummary, ContextWorkerProgress } from '../worker-contract.ts';

/** What the page shows while a context is hashed. */
export type HashProgress = ContextWorkerProgress;

export type HashState =
  | { status: 'running'; progress: HashProgress; startedAt: number; sample: { at: number; bytes: number }[] }
  | { status: 'done'; files: number; bytes: number; rootDigest: string; ms: number }
  | { status: 'failed'; problem: InputProblem }
  | { status: 'cancelled' };

/** Where the report on screen came from. */
export type ReportOrigin = 'inputs' | 'link' | 'file' | 'example';

export type Busy = 'idle' | 'hashing' | 'analyzing';

/** `dirs`: the folder's directories, so that empty ones are hashed too (see `Collected`). */
export type ContextInput = { type: 'file'; file: File } | { type: 'folder'; name: string; files: FolderFile[]; dirs: string[] };

export interface HashRequest {
  /** The name the analysis will know the index by. */
  key: ContextKey;
  input: ContextInput;
  /** The text of a separately given .dockerignore; null: the context's own applies. */
  dockerignore: string | null;
}

/**
 * The two workers, as the state machine uses them (src/ui/session/browser-workers.ts in the page, fakes in
 * the unit tests). A hash delivers its index to the analysis side under `request.key`; the page gets the
 * summary.
 */
export interface SessionWorkers {
  hashContext(request: HashRequest, onProgress: (p: HashProgress) => void, signal: AbortSignal): Promise<Result<ContextSummary>>;
  analyze(request: AnalyzeRequest, signal: AbortSignal): Promise<AnalyzeResponse>;
  forgetContext(key: ContextKey): void;
}
