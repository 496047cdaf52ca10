/** The page's side of the analysis worker. */
import { WorkerBridge } from './worker-bridge.ts';
import type { AnalyzeRequest, AnalyzeResponse, AnalyzeWorkerApi } from '../../workers/analyze.worker.ts';

export type { AnalyzeRequest, AnalyzeResponse, LogInput, TextInput } from '../../workers/analyze.worker.ts';

// One worker per analysis (idle time 0): it receives a copy of every context index, which can be tens of
// MB for a big context; ending the worker with the analysis hands that memory back at once.
const bridge = new WorkerBridge<AnalyzeWorkerApi>(
  () => new Worker(new URL('../../workers/analyze.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-analyze' }),
  0,
);

/** Runs the analysis in the worker; aborting terminates it (a new call starts a fresh worker). */
export function analyzeInWorker(request: AnalyzeRequest, signal?: AbortSignal): Promise<AnalyzeResponse> {
  return bridge.run(signal, (api) => api.analyze(request));
}

/** Loads the worker once (an empty analysis), so its files are cached for offline use. */
export async function warmUpAnalyzeWorker(): Promise<void> {
  await analyzeInWorker({ logs: [], dockerfiles: [], dockerignores: [], commands: [], contexts: [] });
}
