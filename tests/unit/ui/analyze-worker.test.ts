/**
 * The analysis worker's API, called directly: a context index delivered on a port (as the context worker
 * does) is used by every analysis that names its key until forgotten; a key it does not hold is reported
 * missing; `cancel(jobId)` stops a job reading a log.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalyzeRequest } from '../../../src/ui/worker-contract.ts';
import { analyzeWorkerApi } from '../../../workers/analyze.worker.ts';
import { contextWorkerApi } from '../../../workers/context.worker.ts';

const CASE = resolve(import.meta.dirname, '../../fixtures/lab/copy-file-content');
const text = (file: string) => ({ name: file, content: readFileSync(resolve(CASE, file), 'utf8') });

function request(contexts: (string | null)[]): AnalyzeRequest {
  return { logs: [text('a.log'), text('b.log')], dockerfiles: [text('Dockerfile')], dockerignores: [], commands: [], contexts };
}

async function deliver(key: string, tar: string): Promise<string> {
  const { port1, port2 } = new MessageChannel();
  analyzeWorkerApi.receiveContext(key, port2);
  const summary = await contextWorkerApi.hashContext({ kind: 'blob', name: tar, blob: new Blob([readFileSync(resolve(CASE, tar))]) }, {}, undefined, port1);
  if (!summary.ok) throw new Error(summary.problem.message);
  return summary.value.rootDigest;
}

describe('analysis worker API', () => {
  it('analyses with the indexes the context worker delivered, by key, until they are forgotten', async () => {
    const digests = [await deliver('k-a', 'context-a.tar'), await deliver('k-b', 'context-b.tar')];
    for (let run = 0; run < 2; run++) {
      const response = await analyzeWorkerApi.analyze(request(['k-a', 'k-b']));
      expect(response.missingContexts).toEqual([]);
      expect(response.report?.contexts?.map((c) => c.root_digest)).toEqual(digests);
    }
    analyzeWorkerApi.forgetContext('k-b');
    const after = await analyzeWorkerApi.analyze(request(['k-a', 'k-b']));
    expect(after.missingContexts).toEqual(['k-b']);
    expect(after.report).toBeNull();
  });

  it('stops a job reading a log when it is cancelled', async () => {
    const log = readFileSync(resolve(CASE, 'b.log'), 'utf8');
    let pulls = 0;
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        pulls++;
        await new Promise((ok) => setTimeout(ok, 5));
        if (pulls > 400) controller.close();
        else controller.enqueue(new TextEncoder().encode(log));
      },
    });
    const blob = { stream: () => slow } as unknown as Blob;
    const job = analyzeWorkerApi.analyze({ ...request([]), logs: [{ name: 'big.log', content: blob }] }, 'job-1');
    await new Promise((ok) => setTimeout(ok, 30));
    analyzeWorkerApi.cancel('job-1');
    const response = await job;
    expect(response).toEqual({ report: null, problems: [], logs: [], missingContexts: [] });
    expect(pulls).toBeLessThan(100);
  });
});
