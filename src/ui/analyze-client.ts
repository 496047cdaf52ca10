/**
 * The page's side of the analysis worker: analyses, and the context indexes it holds for them (each
 * delivered by the context worker on a port opened here, see src/ui/worker-contract.ts).
 */
import { transfer } from 'comlink';
import { WorkerBridge } from './worker-bridge.ts';
import type { AnalyzeRequest, AnalyzeResponse, AnalyzeWorkerApi, ContextKey } from './worker-contract.ts';

/** The contexts the worker holds for the page: while there are any, the worker must live on. */
const held = new Set<ContextKey>();
let jobs = 0;

// Without contexts, one worker per analysis (idle time 0): ending it hands a big log's heap back at once.
// With contexts, one worker for as long as they are needed: ending it would lose them.
const bridge = new WorkerBridge<AnalyzeWorkerApi>(
  () => new Worker(new URL('../../workers/analyze.worker.ts', import.meta.url), { type: 'module', name: 'cachewhy-analyze' }),
  0,
  () => held.size > 0,
);

/** Runs the analysis in the worker; aborting asks the worker to stop (or ends it when it holds no context). */
export function analyzeInWorker(request: AnalyzeRequest, signal?: AbortSignal): Promise<AnalyzeResponse> {
  const jobId = `analysis-${++jobs}`;
  return bridge.run(
    signal,
    (api) => api.analyze(request, jobId),
    (api) => void api.cancel(jobId),
  );
}

/**
 * Opens the way for the index of context `key` to reach the analysis worker: the worker gets one end of
 * a new channel, the caller the other, to hand to the context worker. A later call for the same key
 * replaces the earlier way (a hash that is tried again posts on the new port).
 */
export function openContextDelivery(key: ContextKey): MessagePort {
  const { port1, port2 } = new MessageChannel();
  held.add(key);
  // A worker that crashed meanwhile loses the port: the analysis then reports the context missing.
  bridge.run(undefined, (api) => api.receiveContext(key, transfer(port2, [port2]))).catch(() => undefined);
  return port1;
}

/** The page no longer needs this context: the worker drops it (and ends, if it holds no other). */
export function forgetContext(key: ContextKey): void {
  if (!held.delete(key)) return;
  bridge.run(undefined, (api) => api.forgetContext(key)).catch(() => undefined);
}

/** Loads the worker once (an empty analysis), so its files are cached for offline use. */
export async function warmUpAnalyzeWorker(): Promise<void> {
  await analyzeInWorker({ logs: [], dockerfiles: [], dockerignores: [], commands: [], contexts: [] });
}
