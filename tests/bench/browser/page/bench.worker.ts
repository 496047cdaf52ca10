/**
 * The bench worker: every browser measurement runs here, in a module Web Worker like the app's context
 * worker, and is timed here with `performance.now()`. One message = one timed case; the driver in Node
 * does the round-robin, so each round times every implementation once under the same machine load.
 */
import { createSHA256 } from 'hash-wasm';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import initOurs, { oursFrom, oursWasmUrl } from 'virtual:bench-ours';
import { indexContext, indexContextFrom, TarParser } from 'virtual:bench-index-context';
import type { Sha256 } from '../../../../src/core/context/hasher.ts';
import { createHashWasmSha256 } from './hashwasm-sha256.ts';
import { instrument } from './instrumented-sha256.ts';
import type { BenchCommand, BenchReply, ContextImpl, ContextResult, HybridProbe, Info, Timed } from './protocol.ts';
import { readAhead, toContextSource } from './context-source.ts';
import { blobChunks } from '../../../../src/core/context/blob-chunks.ts';
import { HashPool } from '../../../../src/core/context/pool.ts';
import { hashWorkerCount, webWorkerEndpoint } from '../../../../workers/hash-pool.ts';

const hex = (d: Uint8Array): string => Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');

let ours: Sha256 | null = null;
let hashWasmPipelineHasher: Sha256 | null = null;
const hashWasm = await createSHA256();

/** Fast deterministic filler: crypto.getRandomValues is capped at 64 KiB per call. */
function fill(buf: Uint8Array, seed: number): void {
  const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >>> 2);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < w.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    w[i] = s;
  }
}

// ---- a. one big stream in chunks ----------------------------------------------------------------

let stream: { whole: Uint8Array; chunks: Uint8Array[] } | null = null;

async function runStream(impl: string): Promise<Timed> {
  if (!stream) throw new Error('setup-stream first');
  const { whole, chunks } = stream;
  const t = performance.now();
  let d: Uint8Array;
  if (impl === 'ours') {
    const h = need(ours, 'ours').create();
    for (const c of chunks) h.update(c);
    d = h.finish();
  } else if (impl === 'hashwasm') {
    hashWasm.init();
    for (const c of chunks) hashWasm.update(c);
    d = hashWasm.digest('binary');
  } else if (impl === 'noble') {
    const h = nobleSha256.create();
    for (const c of chunks) h.update(c);
    d = h.digest();
  } else if (impl === 'webcrypto') {
    // One-shot: WebCrypto cannot stream, so it is handed the whole buffer the chunks are views of.
    d = new Uint8Array(await crypto.subtle.digest('SHA-256', whole as Uint8Array<ArrayBuffer>));
  } else throw new Error(`unknown stream impl ${impl}`);
  return { ms: performance.now() - t, bytes: whole.length, check: hex(d) };
}

// ---- b. many small buffers ----------------------------------------------------------------------

let small: Uint8Array[] | null = null;

/** The raw exports of our wasm, for the kernel-only diagnostic. */
interface RawSha {
  memory: WebAssembly.Memory;
  sha256_alloc(len: number): number;
  sha256_digest_many(data: number, table: number, count: number, out: number): void;
}
let raw: RawSha | null = null;
/** The small buffers already packed in wasm memory (data, offsets table, digest output). */
let kernelInput: { data: number; table: number; out: number; count: number } | null = null;

async function loadRaw(): Promise<void> {
  if (!oursWasmUrl || raw) return;
  const { instance } = await WebAssembly.instantiateStreaming(fetch(oursWasmUrl), {});
  raw = instance.exports as unknown as RawSha;
}

function packForKernel(bufs: Uint8Array[]): void {
  if (!raw) return;
  const bytes = bufs.reduce((a, b) => a + b.length, 0);
  const data = raw.sha256_alloc(bytes);
  const table = raw.sha256_alloc(bufs.length * 8);
  const out = raw.sha256_alloc(bufs.length * 32);
  if (!data || !table || !out) throw new Error('kernel diagnostic: out of wasm memory');
  const mem = new Uint8Array(raw.memory.buffer);
  const t = new Uint32Array(raw.memory.buffer, table, bufs.length * 2);
  let at = 0;
  bufs.forEach((b, i) => {
    mem.set(b, data + at);
    t[i * 2] = at;
    t[i * 2 + 1] = b.length;
    at += b.length;
  });
  kernelInput = { data, table, out, count: bufs.length };
}

async function runSmall(impl: string): Promise<Timed> {
  if (!small) throw new Error('setup-small first');
  const bufs = small;
  const bytes = bufs.reduce((a, b) => a + b.length, 0);
  const t = performance.now();
  let out: Uint8Array[];
  if (impl === 'ours') out = need(ours, 'ours').digestMany(bufs);
  else if (impl === 'ours-kernel') {
    const r = need(raw, 'raw wasm');
    const k = need(kernelInput, 'packed kernel input');
    r.sha256_digest_many(k.data, k.table, k.count, k.out);
    const ms = performance.now() - t;
    const mem = new Uint8Array(r.memory.buffer);
    out = Array.from({ length: k.count }, (_, i) => mem.slice(k.out + i * 32, k.out + i * 32 + 32));
    return { ms, bytes, check: smallCheck(out) };
  } else if (impl === 'hashwasm') out = bufs.map((b) => hashWasm.init().update(b).digest('binary'));
  else if (impl === 'noble') out = bufs.map((b) => nobleSha256(b));
  else if (impl === 'webcrypto-await') {
    out = [];
    for (const b of bufs) out.push(new Uint8Array(await crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)));
  } else if (impl === 'webcrypto-all') {
    const ds = await Promise.all(bufs.map((b) => crypto.subtle.digest('SHA-256', b as Uint8Array<ArrayBuffer>)));
    out = ds.map((d) => new Uint8Array(d));
  } else throw new Error(`unknown small impl ${impl}`);
  const ms = performance.now() - t;
  return { ms, bytes, check: smallCheck(out) };
}

/** A checksum over every digest (first byte of each, plus the first and last in full): all impls must agree. */
function smallCheck(out: Uint8Array[]): string {
  const firstBytes = new Uint8Array(out.map((d) => d[0]!));
  return `${hex(out[0]!)}:${hex(out[out.length - 1]!)}:${hex(hashWasm.init().update(firstBytes).digest('binary'))}`;
}

// ---- c. end to end: File.stream() → indexContext -------------------------------------------------

/** A `Sha256` that hashes nothing: the pipeline run with it costs everything except SHA-256. */
const ZERO_DIGEST = new Uint8Array(32);
const nullHasher: Sha256 = {
  digest: () => ZERO_DIGEST,
  digestMany: (buffers) => buffers.map(() => ZERO_DIGEST),
  create: () => ({ update: () => {}, finish: () => ZERO_DIGEST }),
};

async function drain(stream: ReadableStream<Uint8Array>, each: (chunk: Uint8Array) => void): Promise<number> {
  const reader = stream.getReader();
  let chunks = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) return chunks;
    each(r.value);
    chunks++;
  }
}

async function runContext(file: File, impl: ContextImpl, profile: boolean): Promise<ContextResult> {
  if (impl === 'read' || impl === 'read-byob' || impl === 'parse') {
    const t = performance.now();
    let check: string;
    if (impl === 'read') check = `chunks=${await drain(file.stream(), () => {})}`;
    else if (impl === 'read-byob') {
      let chunks = 0;
      // The pipeline's own reader (slices of 2 MiB, two in flight, asked again should one not arrive).
      for await (const _ of blobChunks(file)) chunks++;
      check = `chunks=${chunks}`;
    } else {
      const parser = new (need(TarParser, 'TarParser (src/core/context/tar.ts)'))({ entry() {}, data() {}, end() {} });
      let problem: string | null = null;
      await drain(file.stream(), (c) => {
        problem ??= parser.push(c)?.message ?? null;
      });
      check = problem ?? parser.finish()?.message ?? 'ok';
    }
    return { ms: performance.now() - t, bytes: file.size, check, entries: 0, rootDigest: '', problems: [] };
  }
  if (!indexContext) throw new Error('indexContext (src/core/context/index.ts) has not landed yet');
  const base = impl === 'nohash' ? nullHasher : impl === 'hashwasm' ? need(hashWasmPipelineHasher, 'hash-wasm adapter') : need(ours, 'ours');
  const probe = profile ? instrument(base) : null;
  // The app's pool (hardwareConcurrency workers) for both pipelines; `ours-wK` for the curve. Its
  // start (workers, WASM) is inside the timing, as the app pays it on every context.
  const workers = impl === 'ours' || impl === 'hashwasm' ? hashWorkerCount() : impl.startsWith('ours-w') ? Number(impl.slice(6)) : 0;
  const t0 = performance.now();
  const pool =
    workers > 0
      ? new HashPool({
          size: workers,
          spawn: () =>
            webWorkerEndpoint(new Worker(new URL('./hash.worker.ts', import.meta.url), { type: 'module', name: impl === 'hashwasm' ? 'hashwasm' : 'ours' })),
        })
      : null;
  let progressCalls = 0;
  const readCounters = { chunks: 0, waitMs: 0 };
  const source = toContextSource(file, profile ? readCounters : null, impl === 'ours-readahead' ? readAhead : null);
  const t = t0;
  const result = await indexContext(source, {
    name: file.name,
    hasher: probe ? probe.hasher : base,
    pool,
    onProgress: profile
      ? () => {
          progressCalls++;
        }
      : () => {},
  });
  const ms = performance.now() - t;
  pool?.close();
  if (!result.ok) return { ms, bytes: file.size, check: '', entries: 0, rootDigest: '', problems: [result.problem.message] };
  const idx = result.value;
  return {
    ms,
    bytes: file.size,
    ...(pool ? { packets: { ...pool.packets } } : {}),
    check: idx.rootDigest,
    entries: idx.entries.length,
    rootDigest: idx.rootDigest,
    problems: [...idx.problems, ...(result.problems ?? [])].map((p) => p.message),
    ...(probe
      ? {
          profile: {
            ...probe.counters,
            progressCalls,
            readChunks: readCounters.chunks,
            readWaitMs: readCounters.waitMs,
          },
        }
      : {}),
  };
}

/**
 * Would a hybrid hasher (files > threshold through one-shot `crypto.subtle.digest`) beat our WASM on the
 * big files? The `Sha256` interface is synchronous, so the pipeline cannot call WebCrypto today; this
 * measures both on exactly the context's big files, already in memory, so the difference is the hash
 * alone. BuildKit's entry digest is sha256(header || content): a hybrid must assemble that one buffer,
 * which is timed separately.
 */
async function runHybridProbe(file: File, threshold: number, ranges: [number, number][]): Promise<HybridProbe> {
  const big = ranges.filter(([, size]) => size > threshold);
  const datas = await Promise.all(
    big.map(([off, size]) =>
      file
        .slice(off, off + size)
        .arrayBuffer()
        .then((b) => new Uint8Array(b)),
    ),
  );
  const bytes = datas.reduce((a, b) => a + b.length, 0);
  const o = need(ours, 'ours');

  let t = performance.now();
  for (const d of datas) {
    const h = o.create();
    for (let i = 0; i < d.length; i += 1 << 20) h.update(d.subarray(i, i + (1 << 20)));
    h.finish();
  }
  const oursStreamMs = performance.now() - t;

  t = performance.now();
  o.digestMany(datas);
  const oursManyMs = performance.now() - t;

  const header = new Uint8Array(120).fill(0x61);
  t = performance.now();
  for (const d of datas) {
    const joined = new Uint8Array(header.length + d.length);
    joined.set(header);
    joined.set(d, header.length);
  }
  const assembleMs = performance.now() - t;

  t = performance.now();
  const inFlight = 64;
  for (let i = 0; i < datas.length; i += inFlight) {
    await Promise.all(datas.slice(i, i + inFlight).map((d) => crypto.subtle.digest('SHA-256', d)));
  }
  const webcryptoMs = performance.now() - t;
  return { files: big.length, bytes, oursStreamMs, oursManyMs, webcryptoMs, assembleMs };
}

function need<T>(v: T | null, what: string): T {
  if (v === null) throw new Error(`${what} is not available in this build of the bench page`);
  return v;
}

async function handle(cmd: BenchCommand & { file?: File }): Promise<unknown> {
  switch (cmd.kind) {
    case 'info': {
      if (initOurs && !ours) ours = await initOurs();
      await loadRaw();
      if (!hashWasmPipelineHasher) hashWasmPipelineHasher = await createHashWasmSha256();
      const info: Info = {
        ours: ours ? oursFrom : null,
        indexContext: indexContext ? indexContextFrom : null,
        tarParser: TarParser !== null,
        oursKernel: raw !== null,
        userAgent: navigator.userAgent,
        crossOriginIsolated: self.crossOriginIsolated,
        cores: navigator.hardwareConcurrency,
        workers: hashWorkerCount(),
      };
      return info;
    }
    case 'setup-stream': {
      const whole = new Uint8Array(cmd.bytes);
      fill(whole, 0x5eed);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < whole.length; i += cmd.chunk) chunks.push(whole.subarray(i, i + cmd.chunk));
      stream = { whole, chunks };
      return null;
    }
    case 'stream':
      return runStream(cmd.impl);
    case 'setup-small': {
      // One backing buffer, distinct views: no 20,000 tiny ArrayBuffers for the GC to weigh in.
      const all = new Uint8Array(cmd.count * cmd.size);
      fill(all, 0xb0b);
      small = Array.from({ length: cmd.count }, (_, i) => all.subarray(i * cmd.size, (i + 1) * cmd.size));
      packForKernel(small);
      return null;
    }
    case 'small':
      return runSmall(cmd.impl);
    case 'free':
      stream = null;
      small = null;
      return null;
    case 'context':
      return runContext(need(cmd.file ?? null, 'the picked tar'), cmd.impl, cmd.profile);
    case 'hybrid-probe':
      return runHybridProbe(need(cmd.file ?? null, 'the picked tar'), cmd.thresholdBytes, cmd.ranges);
  }
}

self.onmessage = async (e: MessageEvent<BenchCommand & { file?: File }>) => {
  let reply: BenchReply;
  try {
    reply = { ok: true, value: await handle(e.data) };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) };
  }
  self.postMessage(reply);
};
self.postMessage({ ok: true, value: 'ready' } satisfies BenchReply);
