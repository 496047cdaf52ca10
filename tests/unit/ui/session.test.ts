/**
 * The app's state machine (src/ui/session/machine.ts) driven as the page drives it, with the real
 * analysis and context worker code run in-process (./in-process-workers.ts) on a lab case where one file
 * of the context changed: generations, cancellation, re-ordering, a report opened while a context hashes,
 * and an analysis worker that lost the indexes it held.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verdictOf } from '../../../src/core/report/index.ts';
import type { InputItem } from '../../../src/ui/inputs/input-list.svelte.ts';
import { SessionMachine } from '../../../src/ui/session/machine.ts';
import { analyzeWorkerApi } from '../../../workers/analyze.worker.ts';
import { fileItem, inProcessWorkers, settle, textItem } from './in-process-workers.ts';

const CASE = resolve(import.meta.dirname, '../../fixtures/lab/copy-file-content');
const at = (file: string) => resolve(CASE, file);

function session(initial: InputItem[]) {
  let items = initial;
  const fake = inProcessWorkers();
  const machine = new SessionMachine(() => items, fake.workers);
  return {
    ...fake,
    machine,
    setItems: (next: InputItem[]) => (items = next),
    get view() {
      return machine.view;
    },
  };
}

function inputs() {
  return {
    a: fileItem(at('a.log')),
    b: fileItem(at('b.log')),
    dockerfile: fileItem(at('Dockerfile')),
    ctxA: fileItem(at('context-a.tar')),
    ctxB: fileItem(at('context-b.tar')),
  };
}

describe('Session state machine', () => {
  it('analyses the logs at once, then again with the hashed contexts, which reach the analysis without the page holding them', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile, i.ctxA, i.ctxB]);
    const release = s.holdHash('context-b.tar');
    const running = s.machine.run();
    await expect.poll(() => s.view.report).not.toBeNull();
    expect(s.view.busy).toBe('hashing');
    expect(s.view.hashes[i.ctxB.id]?.status).toBe('running');
    expect(verdictOf(s.view.report!)).toContain('give both contexts');

    release();
    await running;
    expect(s.view.busy).toBe('idle');
    const report = s.view.report!;
    expect(verdictOf(report)).toMatch(/3\/4/);
    expect(verdictOf(report)).not.toContain('give both contexts');
    // The page's state holds each context's summary, which matches the index the analysis used.
    const done = [i.ctxA, i.ctxB].map((c) => s.view.hashes[c.id]);
    expect(done.map((d) => d?.status)).toEqual(['done', 'done']);
    expect(done.map((d) => (d?.status === 'done' ? d.rootDigest : null))).toEqual(report.contexts?.map((c) => c.root_digest));
    expect(Object.keys(done[0] ?? {}).sort()).toEqual(['bytes', 'files', 'ms', 'rootDigest', 'status']);
    // The last request named the contexts by key: no index went through the page.
    expect(s.analyses.at(-1)?.contexts).toEqual(s.hashes.map((h) => h.request.key));
  });

  it('drops an analysis that answers after the inputs changed again (generations)', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile]);
    const releaseStale = s.holdNextAnalysis();
    const stale = s.machine.run();
    await expect.poll(() => s.analyses.length).toBe(1);

    s.setItems([i.b, i.a, i.dockerfile]);
    await s.machine.run();
    const current = s.view.report;
    expect(current?.builds.map((b) => b.source)).toEqual(['b.log', 'a.log']);

    releaseStale(); // the older analysis (a before b) answers last
    await stale;
    await settle();
    expect(s.view.report).toBe(current);
    expect(s.view.busy).toBe('idle');
  });

  it('drops a hash that finishes after its context was removed, and cancels it (cancellation)', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile, i.ctxA]);
    const release = s.holdHash('context-a.tar', true);
    const first = s.machine.run();
    await expect.poll(() => s.hashes.length).toBe(1);
    const call = s.hashes[0]!;

    s.setItems([i.a, i.b, i.dockerfile]);
    await s.machine.run();
    expect(call.signal.aborted).toBe(true);
    expect(s.forgotten).toContain(call.request.key);
    expect(s.view.hashes[i.ctxA.id]).toBeUndefined();
    release();
    await first;
    await settle();
    expect(s.view.hashes[i.ctxA.id]).toBeUndefined();
    expect(s.view.report?.contexts ?? []).toEqual([]);
  });

  it('leaves out a context whose hash the user cancelled, says so, and hashes it again on retry', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile, i.ctxA, i.ctxB]);
    s.holdHash('context-b.tar');
    const running = s.machine.run();
    await expect.poll(() => s.view.hashes[i.ctxB.id]?.status).toBe('running');
    s.machine.cancelHash(i.ctxB.id);
    await running;
    expect(s.view.hashes[i.ctxB.id]).toEqual({ status: 'cancelled' });
    expect(s.view.problems.map((p) => p.message)).toContain('Hashing was cancelled, so this context was left out.');
    expect(s.view.report?.contexts?.map((c) => c.source)).toEqual(['context-a.tar']);

    s.holdHash('context-b.tar')(); // open from now on
    await s.machine.retryHash(i.ctxB.id);
    expect(s.view.hashes[i.ctxB.id]?.status).toBe('done');
    expect(s.view.report?.contexts?.map((c) => c.source)).toEqual(['context-a.tar', 'context-b.tar']);
  });

  it('cancels the hash still running for an older context when a new one is dropped', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.ctxA]);
    s.holdHash('context-a.tar');
    void s.machine.run();
    await expect.poll(() => s.view.hashes[i.ctxA.id]?.status).toBe('running');
    s.setItems([i.a, i.b, i.ctxA, i.ctxB]);
    await s.machine.run();
    expect(s.view.hashes[i.ctxA.id]).toEqual({ status: 'cancelled' });
    expect(s.view.hashes[i.ctxB.id]?.status).toBe('done');
  });

  it('re-analyses with the new order when the builds are swapped, without hashing again (re-ordering)', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile, i.ctxA, i.ctxB]);
    await s.machine.run();
    const before = s.view.report!;
    expect(before.builds.map((b) => b.source)).toEqual(['a.log', 'b.log']);
    expect(before.contexts?.map((c) => c.source)).toEqual(['context-a.tar', 'context-b.tar']);

    s.setItems([i.b, i.a, i.dockerfile, i.ctxB, i.ctxA]);
    await s.machine.run();
    const after = s.view.report!;
    expect(after).not.toBe(before);
    expect(after.builds.map((b) => b.source)).toEqual(['b.log', 'a.log']);
    expect(after.contexts?.map((c) => c.source)).toEqual(['context-b.tar', 'context-a.tar']);
    expect(s.hashes).toHaveLength(2);
    // b.log first: its steps were built, so a's cached ones are not a miss to explain.
    expect(verdictOf(after)).not.toBe(verdictOf(before));
  });

  it('keeps a saved report opened while a context is still hashing: the late hash does not replace it', async () => {
    const i = inputs();
    const made = session([i.a, i.b, i.dockerfile, i.ctxA, i.ctxB]);
    await made.machine.run();
    const saved = textItem(JSON.stringify(made.view.report), 'report.json');
    expect(saved.role).toBe('report-json');

    const s = session([i.ctxA, saved]);
    const release = s.holdHash('context-a.tar');
    const running = s.machine.run();
    await expect.poll(() => s.view.origin).toBe('file');
    const opened = s.view.report;
    expect(opened && verdictOf(opened)).toBe(verdictOf(made.view.report!));
    expect(s.view.hashes[i.ctxA.id]?.status).toBe('running');

    release();
    await running;
    await settle();
    expect(s.view.hashes[i.ctxA.id]?.status).toBe('done');
    expect(s.view.report).toBe(opened);
    expect(s.view.origin).toBe('file');
    expect(s.analyses).toHaveLength(0);
  });

  it('keeps a shared report opened while the inputs are still being analysed', async () => {
    const i = inputs();
    const made = session([i.a, i.b, i.dockerfile]);
    await made.machine.run();
    const shared = made.view.report!;

    const s = session([i.a, i.b, i.dockerfile, i.ctxA]);
    const release = s.holdHash('context-a.tar');
    const running = s.machine.run();
    await expect.poll(() => s.view.hashes[i.ctxA.id]?.status).toBe('running');
    s.machine.showReport(shared, 'link');
    release();
    await running;
    await settle();
    expect(s.view.report).toBe(shared);
    expect(s.view.origin).toBe('link');
  });

  it('hashes again the contexts an analysis worker lost (it was restarted), then analyses with them', async () => {
    const i = inputs();
    const s = session([i.a, i.b, i.dockerfile, i.ctxA, i.ctxB]);
    await s.machine.run();
    const keys = s.hashes.map((h) => h.request.key);
    for (const key of keys) analyzeWorkerApi.forgetContext(key); // what a restarted worker holds: nothing

    s.setItems([i.b, i.a, i.dockerfile, i.ctxB, i.ctxA]);
    await s.machine.run();
    await expect.poll(() => s.view.busy).toBe('idle');
    expect(s.hashes).toHaveLength(4);
    expect(s.view.report?.contexts?.map((c) => c.source)).toEqual(['context-b.tar', 'context-a.tar']);
  });
});
