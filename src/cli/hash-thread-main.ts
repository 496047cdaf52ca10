/** The body of a CLI hashing thread: load the WASM SHA-256, say `ready`, answer packets (see pool.ts). */
import { parentPort } from 'node:worker_threads';
import { hashPackets, type FromWorker, type ToWorker } from '../core/context/pool.ts';
import { loadHasher } from './hasher.ts';

const port = parentPort!;
const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const hashing = loadHasher().then(hashPackets);
port.on('message', (message: ToWorker) => {
  void hashing.then((hash) => {
    const { reply, transfer } = hash(message);
    send(reply, transfer);
  });
});
hashing.then(
  () => send({ type: 'ready' }),
  (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
