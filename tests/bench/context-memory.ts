/**
 * How much JS heap a ContextIndex costs per entry, and how much more `indexContext` needs while it
 * builds one (issue #4: the renderer's peak must not grow with the tar). Node, our WASM hasher, a
 * generated tar of many small files (`browser/host/tar-fixture.ts`).
 *
 *   node --import tsx tests/bench/context-memory.ts            # 100,000 files
 *   CONTEXT_MEMORY_FILES=20000 node --import tsx tests/bench/context-memory.ts
 *
 * Figures, in bytes per index entry, over the heap after GC before indexing:
 * - `retained`: the heap after GC with the index alive.
 * - `live_peak`: the most the heap holds, after a full GC, at any hash call while indexing: each 8 MiB
 *   batch of small files while the tar streams, and each directory level while `finish` computes the
 *   directory digests. What the builder truly needs on top of the index, whatever V8's GC timing.
 * - `heap_high_water`: in a second run without forced GCs, the highest heap seen at each progress call
 *   and right after `indexContext` returns: garbage included, so it depends on when V8 collects.
 * - `clone`: one structured clone of the index (the copy postMessage makes in the page, and again in
 *   the analysis worker). V8 rebuilds each object property by property, so a clone costs a bit more.
 * Wasm memory (the 8 MiB batch) is an ArrayBuffer outside the JS heap and is not counted.
 * Node does not compress pointers; Chromium does, so an object there takes about half as many bytes
 * (strings take the same).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import initSha256 from '@rust-wasm/sha256';
import { indexContext, type Sha256 } from '../../src/core/context/index.ts';
import type { ContextIndex } from '../../src/core/model.ts';
import { writeTarFixture } from './browser/host/tar-fixture.ts';

/** V8's full GC, exposed only in the measuring process (not in `npm run bench`, which imports this file). */
let gcFn: (() => void) | null = null;
function gc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

function settledHeap(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().heapUsed;
}

/** `hasher` that measures the live heap (after a full GC) each time it is asked to hash. */
function sampling(hasher: Sha256, onSample: (heap: number) => void): Sha256 {
  const sample = (): void => {
    gc();
    onSample(process.memoryUsage().heapUsed);
  };
  return {
    digest: (data) => (sample(), hasher.digest(data)),
    digestMany: (buffers) => (sample(), hasher.digestMany(buffers)),
    create: () => hasher.create(),
    createBatch: (capacity) => {
      const batch = hasher.createBatch!(capacity);
      const digestAll = batch.digestAll.bind(batch);
      batch.digestAll = () => (sample(), digestAll());
      return batch;
    },
  };
}

async function index(tarPath: string, hasher: Sha256, onProgress?: () => void): Promise<ContextIndex> {
  const result = await indexContext(
    { kind: 'stream', stream: createReadStream(tarPath, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array> },
    { name: 'context.tar', hasher, ...(onProgress ? { onProgress } : {}) },
  );
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

/**
 * The figures, measured in a fresh Node process: in one that has run other benches, what they leave
 * behind and free later moves the baseline by megabytes.
 */
export async function benchContextMemory(): Promise<Record<string, number>> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--json'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (child.status !== 0) throw new Error(`context-memory.ts exited with ${child.status}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Record<string, number>;
}

async function measure(files = Number(process.env['CONTEXT_MEMORY_FILES'] ?? 100_000)): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'cachewhy-ctxmem-'));
  try {
    const tarPath = join(dir, 'context.tar');
    // Small files (~500 B on average) so the entry count, not the bytes, dominates.
    writeTarFixture(tarPath, { files, targetBytes: files * 500, dirs: Math.max(10, Math.round(files / 34)), seed: 20261129 });
    const wasm = await initSha256();
    const tarMb = statSync(tarPath).size / 1e6;

    // Run 1: live heap at every hash call, then the index alone, then with one clone.
    const base = settledHeap();
    let livePeak = 0;
    const started = performance.now();
    let kept: ContextIndex | null = await index(
      tarPath,
      sampling(wasm, (heap) => void (livePeak = Math.max(livePeak, heap))),
    );
    const ms = performance.now() - started;
    const entries = kept.entries.length;
    const rootDigest = kept.rootDigest;
    const retained = settledHeap() - base;
    let clone: ContextIndex | null = structuredClone(kept);
    const cloned = settledHeap() - base - retained;
    clone = kept = null;
    void clone;

    // Run 2: the heap's high-water mark as V8 collects on its own.
    const base2 = settledHeap();
    let highWater = 0;
    const sample = (): void => void (highWater = Math.max(highWater, process.memoryUsage().heapUsed));
    kept = await index(tarPath, wasm, sample);
    sample();
    if (kept.rootDigest !== rootDigest) throw new Error('the two runs disagree on the root digest');
    kept = null;

    return {
      entries,
      tar_mb: tarMb,
      index_ms: ms,
      ctxmem_retained_bytes_per_entry: retained / entries,
      ctxmem_live_peak_bytes_per_entry: (livePeak - base) / entries,
      ctxmem_heap_high_water_bytes_per_entry: (highWater - base2) / entries,
      ctxmem_clone_bytes_per_entry: cloned / entries,
      ctxmem_live_peak_over_retained: (livePeak - base) / retained,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rec = await measure();
  if (process.argv.includes('--json')) console.log(JSON.stringify(rec));
  else for (const [k, v] of Object.entries(rec)) console.log(`${k.padEnd(40)} ${Number.isInteger(v) ? v : v.toFixed(2)}`);
}
