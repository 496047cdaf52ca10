/**
 * A hashing worker of the bench's pools: the app's protocol (src/core/context/pool.ts) with our WASM, or
 * with the hash-wasm adapter when the worker is named `hashwasm`, so both pipelines get the same pool.
 */
import initOurs from 'virtual:bench-ours';
import { hashPackets, type FromWorker, type ToWorker } from '../../../../src/core/context/pool.ts';
import { createHashWasmSha256 } from './hashwasm-sha256.ts';

const send = (message: FromWorker, transfer: ArrayBuffer[] = []) => self.postMessage(message, { transfer });
const hashing = (self.name === 'hashwasm' ? createHashWasmSha256() : initOurs ? initOurs() : Promise.reject(new Error('ours is not built'))).then(hashPackets);
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
