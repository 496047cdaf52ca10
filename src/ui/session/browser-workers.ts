/** The state machine's workers in the page: the analysis worker and the context worker, joined by a port per context. */
import { analyzeInWorker, forgetContext, openContextDelivery } from '../analyze-client.ts';
import { hashContextInWorker } from '../context-client.ts';
import type { SessionWorkers } from './types.ts';

export const browserWorkers: SessionWorkers = {
  hashContext: ({ key, input, dockerignore }, onProgress, signal) =>
    hashContextInWorker(input, dockerignore, onProgress, signal, () => openContextDelivery(key)),
  analyze: analyzeInWorker,
  forgetContext,
};
