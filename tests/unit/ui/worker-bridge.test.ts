/**
 * The worker bridge's lifetime rules, with a comlink endpoint over a MessageChannel standing in for the
 * Worker: an idle time of 0 gives every job its own worker (the context worker: a big hash's heap goes
 * back as soon as it ends), a longer one keeps the worker for the next job.
 */
import { expose } from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerBridge } from '../../../src/ui/worker-bridge.ts';

const api = { twice: (n: number) => n * 2 };

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
});
