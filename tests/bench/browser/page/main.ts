/**
 * The bench page: owns the worker and the `<input type=file>` the driver fills with `setInputFiles`.
 * The driver calls `window.cachewhyBench(cmd)`; context commands get the picked `File` attached and
 * posted to the worker (a File crosses postMessage as a handle: no bytes are copied).
 */
import type { BenchCommand, BenchReply } from './protocol.ts';

const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
let pending: ((r: BenchReply) => void) | null = null;
const ready = new Promise<void>((ok, fail) => {
  worker.addEventListener('error', (e) => fail(new Error(`bench worker failed to start: ${e.message}`)), { once: true });
  worker.addEventListener('message', () => ok(), { once: true });
});
let readySeen = false;
worker.addEventListener('message', (e: MessageEvent<BenchReply>) => {
  // The worker's start-up 'ready' is never the answer to a command.
  if (!readySeen && e.data.ok && e.data.value === 'ready') {
    readySeen = true;
    return;
  }
  const done = pending;
  pending = null;
  done?.(e.data);
});

async function run(cmd: BenchCommand): Promise<unknown> {
  await ready;
  if (pending) throw new Error('one bench command at a time');
  const needsFile = cmd.kind === 'context' || cmd.kind === 'hybrid-probe';
  const file = needsFile ? (document.getElementById('tar') as HTMLInputElement).files?.[0] : undefined;
  if (needsFile && !file) throw new Error('no tar picked: call setInputFiles first');
  const reply = await new Promise<BenchReply>((ok) => {
    pending = ok;
    worker.postMessage(file ? { ...cmd, file } : cmd);
  });
  if (!reply.ok) throw new Error(reply.error);
  return reply.value;
}

(globalThis as unknown as { cachewhyBench: typeof run }).cachewhyBench = run;
