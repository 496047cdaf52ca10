/**
 * A hashing worker of the context worker's pool (src/core/context/pool.ts): loads the WASM SHA-256,
 * says `ready`, then answers each packet with its digests, handing the packet's buffer back.
 * The handler is set before the module loads, so a message can never arrive with no one to take it.
 */
import initSha256 from '@rust-wasm/sha256';
import { hashPackets, type FromWorker, type ToWorker } from '../src/core/context/pool.ts';

const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => self.postMessage(message, { transfer });
const hashing = initSha256().then(hashPackets);

self.onmessage = (event: MessageEvent<ToWorker>) => {
  void hashing.then((hash) => {
    const { reply, transfer } = hash(event.data);
    send(reply, transfer);
  });
};
hashing.then(
  () => send({ type: 'ready' }),
  (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
