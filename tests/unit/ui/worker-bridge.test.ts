/**
 * The worker bridge's lifetime rules, with a comlink endpoint over a MessageChannel standing in for the
 * Worker: an idle time of 0 gives every job its own worker (the context worker: a big hash's heap goes
 * back as soon as it ends), a longer one keeps the worker for the next job.
 */
import { expose } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerBridge } from '../../../src/ui/worker-bridge.ts';

const cancelled: string[] = [];
const api = {
  twice: (n: number) => n * 2,
  /** Answers only when cancelled: a long analysis that checks for its cancel between chunks. */
  untilCancelled: (id: string) =>
    new Promise<string>((ok) => {
      const poll = setInterval(() => {
        if (!cancelled.includes(id)) return;
        clearInterval(poll);
        ok(`${id} stopped`);
      }, 5);
    }),
  cancel: (id: string) => void cancelled.push(id),
};

function fakeWorkers() {
  const made: { terminated: boolean }[] = [];
  const ports: MessagePort[] = [];
  const create = (): Worker => {
    const { port1, port2 } = new MessageChannel();
    expose(api, port2);
    ports.push(port1, port2);
    const record = { terminated: false };
    made.push(record);
    return Object.assign(port1, {
      terminate: () => {
        record.terminated = true;
        port1.close();
      },
    }) as unknown as Worker;
  };
  return { made, create, close: () => ports.forEach((p) => p.close()) };
}

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

describe('WorkerBridge', () => {
  it('with idle time 0, runs each job in a fresh worker and ends it when the job ends', async () => {
    const workers = fakeWorkers();
    cleanup = workers.close;
    const bridge = new WorkerBridge<typeof api>(workers.create, 0);
    const [a, b] = await Promise.all([bridge.run(undefined, (w) => w.twice(2)), bridge.run(undefined, (w) => w.twice(5))]);
    expect([a, b]).toEqual([4, 10]);
    expect(workers.made).toEqual([{ terminated: true }, { terminated: true }]);
  });

  it('with an idle time, keeps one worker for the jobs that follow', async () => {
    const workers = fakeWorkers();
    cleanup = workers.close;
    const bridge = new WorkerBridge<typeof api>(workers.create, 60_000);
    expect(await bridge.run(undefined, (w) => w.twice(1))).toBe(2);
    expect(await bridge.run(undefined, (w) => w.twice(3))).toBe(6);
    expect(workers.made).toEqual([{ terminated: false }]);
    bridge.terminate();
    expect(workers.made).toEqual([{ terminated: true }]);
  });

  it('while it must be kept alive, asks the worker to cancel instead of ending it, and keeps it when idle', async () => {
    const workers = fakeWorkers();
    cleanup = workers.close;
    let holding = true;
    const bridge = new WorkerBridge<typeof api>(workers.create, 0, () => holding);
    const controller = new AbortController();
    const job = bridge.run(
      controller.signal,
      (w) => w.untilCancelled('j1'),
      (w) => void w.cancel('j1'),
    );
    await new Promise((ok) => setTimeout(ok, 20));
    controller.abort();
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    await expect.poll(() => cancelled).toContain('j1');
    expect(await bridge.run(undefined, (w) => w.twice(4))).toBe(8);
    expect(workers.made).toEqual([{ terminated: false }]);

    // Nothing held any more: the next job ends the worker with it, as with no keep-alive at all.
    holding = false;
    expect(await bridge.run(undefined, (w) => w.twice(5))).toBe(10);
    expect(workers.made).toEqual([{ terminated: true }]);
  });

  it('ends the worker on abort when nothing keeps it alive, even with a cancel', async () => {
    const workers = fakeWorkers();
    cleanup = workers.close;
    const bridge = new WorkerBridge<typeof api>(workers.create, 0, () => false);
    const controller = new AbortController();
    const job = bridge.run(
      controller.signal,
      (w) => w.untilCancelled('j2'),
      (w) => void w.cancel('j2'),
    );
    await new Promise((ok) => setTimeout(ok, 20));
    controller.abort();
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers.made).toEqual([{ terminated: true }]);
    expect(cancelled).not.toContain('j2');
  });

  it('ends a kept-alive worker whose cancelled job does not stop within the grace time, and the next job gets a fresh one', async () => {
    const workers = fakeWorkers();
    cleanup = workers.close;
    const bridge = new WorkerBridge<typeof api>(workers.create, 0, () => true, 50);
    const controller = new AbortController();
    // The cancel reaches nothing that the job checks: a loop that never stops.
    const job = bridge.run(
      controller.signal,
      (w) => w.untilCancelled('never'),
      () => undefined,
    );
    await new Promise((ok) => setTimeout(ok, 20));
    controller.abort();
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    const next = bridge.run(undefined, (w) => w.twice(6));
    expect(workers.made).toEqual([{ terminated: false }]); // the next job waits while the first may still stop
    expect(await next).toBe(12);
    expect(workers.made).toEqual([{ terminated: true }, { terminated: false }]);
  });
});
