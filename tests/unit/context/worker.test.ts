/**
 * The worker's API, called directly (comlink only carries the calls): Blob and folder inputs, progress
 * shape, the index delivered on a port (the page gets a summary), and cancel(jobId) really stopping a
 * running job.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contextWorkerApi } from '../../../workers/context.worker.ts';
import type { ContextDelivery, ContextWorkerInput, ContextWorkerProgress } from '../../../src/ui/worker-contract.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { FIXTURES, indexTar, writeTar } from './helpers.ts';

/** Hashes `input` and returns the index the worker posts on its delivery port (what the analysis worker gets). */
async function deliveredIndex(input: ContextWorkerInput): Promise<ContextIndex | null> {
  const { port1, port2 } = new MessageChannel();
  const delivered = new Promise<ContextDelivery>((ok) => {
    port2.onmessage = (event: MessageEvent<ContextDelivery>) => {
      ok(event.data);
      port2.close();
    };
  });
  const summary = await contextWorkerApi.hashContext(input, {}, undefined, port1);
  const delivery = await delivered;
  expect(summary.ok).toBe(delivery.ok);
  if (summary.ok && delivery.ok) expect(summary.value).toMatchObject({ files: delivery.index.stats.files, rootDigest: delivery.index.rootDigest });
  return delivery.ok ? delivery.index : null;
}

describe('context worker API', () => {
  it('hashes a tar Blob like the core does, with progress', async () => {
    const path = `${FIXTURES}lab/add-dir-new-file/context-b.tar`;
    const seen: ContextWorkerProgress[] = [];
    const r = await contextWorkerApi.hashContext({ kind: 'blob', name: 'context-b.tar', blob: new Blob([readFileSync(path)]) }, {}, (p) => void seen.push(p));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.rootDigest).toBe((await indexTar(path)).rootDigest);
    expect(seen.at(-1)).toMatchObject({ bytesDone: readFileSync(path).length, bytesTotal: readFileSync(path).length, filesTotal: null });
  });

  it('hashes a browser folder (files only) with assumed modes', async () => {
    const input: ContextWorkerInput = {
      kind: 'folder',
      name: 'ctx',
      files: [
        { path: 'app.conf', file: new Blob(['port=1\n']) },
        { path: 'conf/a.conf', file: new Blob(['a']) },
      ],
    };
    const r = await contextWorkerApi.hashContext(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const index = await deliveredIndex(input);
    expect(index?.modesKnown).toBe(false);
    expect(index?.entries.map((e) => e.path)).toEqual(['app.conf', 'conf', 'conf/a.conf']);
    expect(r.problems?.map((p) => p.message).join(' ')).not.toMatch(/not in the archive/);
  });

  it('keeps empty directories a folder walk reports', async () => {
    const files = [{ path: 'a.txt', file: new Blob(['a']) }];
    const without = await contextWorkerApi.hashContext({ kind: 'folder', name: 'ctx', files });
    const withEmpty = await contextWorkerApi.hashContext({ kind: 'folder', name: 'ctx', files, dirs: ['empty/', 'a-dir/inner'] });
    const index = await deliveredIndex({ kind: 'folder', name: 'ctx', files, dirs: ['empty/', 'a-dir/inner'] });
    expect(index?.entries.map((e) => [e.path, e.type])).toEqual([
      ['a-dir', 'dir'],
      ['a-dir/inner', 'dir'],
      ['a.txt', 'file'],
      ['empty', 'dir'],
    ]);
    expect(without.ok && withEmpty.ok && without.value.rootDigest !== withEmpty.value.rootDigest).toBe(true);
    expect(withEmpty.ok && withEmpty.problems?.map((p) => p.message).join(' ')).not.toMatch(/not in the archive/);
  });

  it('returns errors as values', async () => {
    const r = await contextWorkerApi.hashContext({ kind: 'blob', name: 'notes.txt', blob: new Blob(['hello '.repeat(200)]) });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.message).toMatch(/not a tar archive/);
  });

  it('stops a running job on cancel(jobId)', async () => {
    const tar = writeTar(Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}.bin`, data: new Uint8Array(20_000).fill(i % 256) })));
    let calls = 0;
    let bytesAtCancel = 0;
    const job = contextWorkerApi.hashContext({ kind: 'blob', name: 'big.tar', blob: new Blob([tar as Uint8Array<ArrayBuffer>]) }, { jobId: 'j1' }, (p) => {
      calls++;
      if (calls === 1) {
        bytesAtCancel = p.bytesDone;
        contextWorkerApi.cancel('j1');
      }
    });
    const r = await job;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem.message).toMatch(/cancelled/);
    expect(bytesAtCancel).toBeLessThan(tar.length / 10);
  });
});
