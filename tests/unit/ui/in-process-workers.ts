/**
 * The session's workers, run in this process: the real analysis and context worker APIs (the code the
 * browser runs in its workers), joined by a real MessageChannel per context as in the page. What a test
 * needs to steer is added around them: a hash waits for its gate, an analysis can be held, and every
 * call is recorded.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { sniffInput } from '../../../src/core/ingest/sniff.ts';
import type { InputItem } from '../../../src/ui/inputs/input-list.svelte.ts';
import { roleOfSniffed } from '../../../src/ui/inputs/kinds.ts';
import type { HashRequest, SessionWorkers } from '../../../src/ui/session/types.ts';
import type { AnalyzeRequest, AnalyzeResponse } from '../../../src/ui/worker-contract.ts';
import { analyzeWorkerApi } from '../../../workers/analyze.worker.ts';
import { contextWorkerApi } from '../../../workers/context.worker.ts';

interface Gate {
  promise: Promise<void>;
  open: () => void;
  /** Answers once opened even if aborted meanwhile: a worker whose answer was already on its way. */
  late?: boolean;
}

function gate(late = false): Gate {
  let open = () => undefined as void;
  const promise = new Promise<void>((ok) => (open = ok));
  return { promise, open, late };
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((ok, fail) => {
    const onAbort = () => fail(new DOMException('The operation was cancelled.', 'AbortError'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(ok);
  });
}

export interface HashCall {
  request: HashRequest;
  signal: AbortSignal;
}

export function inProcessWorkers() {
  const hashGates = new Map<string, Gate>();
  const hashes: HashCall[] = [];
  const analyses: AnalyzeRequest[] = [];
  const forgotten: string[] = [];
  let heldAnalysis: Gate | null = null;

  const workers: SessionWorkers = {
    async hashContext(request, onProgress, signal) {
      hashes.push({ request, signal });
      const { input, key, dockerignore } = request;
      const name = input.type === 'file' ? input.file.name : input.name;
      const held = hashGates.get(name);
      await (held?.late ? held.promise : abortable(held?.promise ?? Promise.resolve(), signal));
      const { port1, port2 } = new MessageChannel();
      analyzeWorkerApi.receiveContext(key, port2);
      const workerInput =
        input.type === 'file' ? { kind: 'blob' as const, name, blob: input.file } : { kind: 'folder' as const, name, files: input.files, dirs: input.dirs };
      return contextWorkerApi.hashContext(workerInput, { dockerignore: dockerignore ?? undefined }, onProgress, port1);
    },
    async analyze(request, signal): Promise<AnalyzeResponse> {
      analyses.push(request);
      const held = heldAnalysis;
      heldAnalysis = null;
      // A held analysis is answered when released, even if aborted meanwhile: as a worker that was too busy to hear the cancel.
      if (held) await held.promise;
      const response = await analyzeWorkerApi.analyze(request);
      if (signal.aborted && !held) throw new DOMException('The operation was cancelled.', 'AbortError');
      return response;
    },
    forgetContext(key) {
      forgotten.push(key);
      analyzeWorkerApi.forgetContext(key);
    },
  };

  return {
    workers,
    hashes,
    analyses,
    forgotten,
    /** The hash of the context named `name` waits until the returned function is called (`late`: and then answers, aborted or not). */
    holdHash(name: string, late = false): () => void {
      const g = gate(late);
      hashGates.set(name, g);
      return g.open;
    },
    /** The next analysis waits (and then answers, aborted or not) until the returned function is called. */
    holdNextAnalysis(): () => void {
      const g = gate();
      heldAnalysis = g;
      return g.open;
    },
  };
}

let nextId = 1;

/** An input as the input list makes it from a dropped file: sniffed by content, its role taken from that. */
export function fileItem(path: string, name = basename(path)): InputItem {
  const bytes = readFileSync(path);
  const sniffed = sniffInput(name, bytes.subarray(0, 64 * 1024));
  return {
    id: nextId++,
    name,
    source: { type: 'file', file: new File([bytes], name) },
    size: bytes.length,
    sniffed,
    role: roleOfSniffed(sniffed),
    corrected: false,
  };
}

export function textItem(text: string, name: string): InputItem {
  const sniffed = sniffInput(name, new TextEncoder().encode(text.slice(0, 64 * 1024)));
  return { id: nextId++, name, source: { type: 'text', text }, size: text.length, sniffed, role: roleOfSniffed(sniffed), corrected: false };
}

/** Lets every pending promise callback run (the workers' messages included). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((ok) => setTimeout(ok, 0));
}
