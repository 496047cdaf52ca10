/**
 * SHA-256 throughput in Node: our Rust/WASM hasher (@rust-wasm/sha256) against hash-wasm, @noble/hashes,
 * WebCrypto and node:crypto (OpenSSL, SHA-NI on this CPU), on the two workloads of issue #4:
 *   - one 256 MiB stream fed in 1 MiB chunks;
 *   - 20,000 buffers of 2 KiB, one digest each.
 *
 * Not a test. Run alone: `node --import tsx tests/bench/sha256.ts`; the lead's `npm run bench` imports
 * `benchSha256Node`. Every implementation runs once per round, round-robin, after one warm-up round, so a
 * noisy neighbour slows all of them alike; figures are medians. Set SHA256_BENCH_ROUNDS to change the
 * number of timed rounds (default 5). Every digest is checked against node:crypto first: a fast wrong
 * hash must not win.
 */
import { createHash, webcrypto } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { createSHA256 } from 'hash-wasm';
import init from '@rust-wasm/sha256';

const MiB = 1024 * 1024;
const STREAM_BYTES = 256 * MiB;
const STREAM_CHUNK = 1 * MiB;
const SMALL_COUNT = 20_000;
const SMALL_SIZE = 2 * 1024;

interface Case {
  name: string;
  /** Bytes hashed by one run. */
  bytes: number;
  /** Hashes the workload; returns one digest (stream) or the digests (small) for the correctness check. */
  run(): Promise<Uint8Array[]> | Uint8Array[];
}

function randomBytes(length: number, seed: number): Uint8Array {
  // Deterministic filler (xorshift32): the same data on every run, and cheap to make.
  const out = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state;
  }
  return out;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

// Over 80 lines on purpose: one table of every implementation's cases, read top to bottom.
async function makeCases(): Promise<{ stream: Case[]; small: Case[] }> {
  const ours = await init();
  const hashWasm = await createSHA256();
  const chunk = randomBytes(STREAM_CHUNK, 1);
  const chunks = STREAM_BYTES / STREAM_CHUNK;
  const files = Array.from({ length: SMALL_COUNT }, (_, i) => randomBytes(SMALL_SIZE, i + 2));
  // WebCrypto cannot stream: it gets the whole 256 MiB at once (made on first use, then kept).
  let whole: Uint8Array | null = null;
  const wholeStream = (): Uint8Array => {
    if (!whole) {
      whole = new Uint8Array(STREAM_BYTES);
      for (let at = 0; at < STREAM_BYTES; at += STREAM_CHUNK) whole.set(chunk, at);
    }
    return whole;
  };

  const stream: Case[] = [
    {
      name: 'ours (create/update/finish)',
      bytes: STREAM_BYTES,
      run: () => {
        const hasher = ours.create();
        for (let i = 0; i < chunks; i++) hasher.update(chunk);
        return [hasher.finish()];
      },
    },
    {
      name: 'hash-wasm createSHA256',
      bytes: STREAM_BYTES,
      run: () => {
        hashWasm.init();
        for (let i = 0; i < chunks; i++) hashWasm.update(chunk);
        return [hashWasm.digest('binary')];
      },
    },
    {
      name: '@noble/hashes sha256',
      bytes: STREAM_BYTES,
      run: () => {
        const hasher = nobleSha256.create();
        for (let i = 0; i < chunks; i++) hasher.update(chunk);
        return [hasher.digest()];
      },
    },
    {
      name: 'WebCrypto subtle.digest (one-shot, whole buffer)',
      bytes: STREAM_BYTES,
      run: async () => [new Uint8Array(await webcrypto.subtle.digest('SHA-256', wholeStream()))],
    },
    {
      name: 'node:crypto createHash',
      bytes: STREAM_BYTES,
      run: () => {
        const hasher = createHash('sha256');
        for (let i = 0; i < chunks; i++) hasher.update(chunk);
        return [hasher.digest()];
      },
    },
  ];

  const smallBytes = SMALL_COUNT * SMALL_SIZE;
  const small: Case[] = [
    { name: 'ours digestMany (4-lane SIMD batch)', bytes: smallBytes, run: () => ours.digestMany(files) },
    { name: 'ours digest (one call per file)', bytes: smallBytes, run: () => files.map((file) => ours.digest(file)) },
    {
      name: 'hash-wasm createSHA256 (reused)',
      bytes: smallBytes,
      run: () =>
        files.map((file) => {
          hashWasm.init();
          hashWasm.update(file);
          return hashWasm.digest('binary');
        }),
    },
    { name: '@noble/hashes sha256', bytes: smallBytes, run: () => files.map((file) => nobleSha256(file)) },
    {
      name: 'WebCrypto subtle.digest (all in flight)',
      bytes: smallBytes,
      run: async () => (await Promise.all(files.map((file) => webcrypto.subtle.digest('SHA-256', file)))).map((d) => new Uint8Array(d)),
    },
    {
      name: 'node:crypto createHash',
      bytes: smallBytes,
      run: () => files.map((file) => createHash('sha256').update(file).digest()),
    },
  ];

  // Correctness first, against node:crypto.
  const streamHasher = createHash('sha256');
  for (let i = 0; i < chunks; i++) streamHasher.update(chunk);
  const streamExpected = streamHasher.digest('hex');
  const smallExpected = files.map((file) => createHash('sha256').update(file).digest('hex'));
  for (const c of stream) {
    const [digest] = await c.run();
    if (!digest || hex(digest) !== streamExpected) throw new Error(`bench: ${c.name} gives a wrong stream digest`);
  }
  for (const c of small) {
    const digests = (await c.run()).map(hex);
    if (digests.some((digest, i) => digest !== smallExpected[i])) throw new Error(`bench: ${c.name} gives wrong digests`);
  }
  return { stream, small };
}

/** Times every case once per round (round-robin); returns MB/s medians (MB = 10^6 bytes). */
async function measure(cases: Case[], rounds: number): Promise<number[]> {
  const times: number[][] = cases.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const start = performance.now();
      await c.run();
      times[i]!.push(performance.now() - start);
    }
  }
  return cases.map((c, i) => c.bytes / 1e6 / (median(times[i]!) / 1000));
}

function printTable(title: string, cases: Case[], mbps: number[], baseline: number): void {
  console.log(`\n${title}`);
  console.log(`${'implementation'.padEnd(52)} ${'MB/s'.padStart(9)} ${'vs hash-wasm'.padStart(13)}`);
  cases.forEach((c, i) => {
    console.log(`${c.name.padEnd(52)} ${mbps[i]!.toFixed(1).padStart(9)} ${(mbps[i]! / baseline).toFixed(2).padStart(12)}×`);
  });
}

/** Runs the Node SHA-256 benchmark, prints its tables, and returns MB/s per case plus the ratios vs hash-wasm. */
export async function benchSha256Node(): Promise<Record<string, number>> {
  const rounds = Number(process.env.SHA256_BENCH_ROUNDS ?? 5);
  const { stream, small } = await makeCases();
  // Warm-up: V8 first runs wasm on its baseline compiler and swaps in optimised code later, from a
  // background thread that a busy machine delays; two untimed rounds keep that out of the medians.
  await measure([...stream, ...small], 2);
  const streamMbps = await measure(stream, rounds);
  const smallMbps = await measure(small, rounds);

  const streamHashWasm = streamMbps[1]!;
  const smallHashWasm = smallMbps[2]!;
  console.log(`SHA-256 in Node ${process.version}, medians of ${rounds} round-robin rounds`);
  printTable(`one ${STREAM_BYTES / MiB} MiB stream in ${STREAM_CHUNK / MiB} MiB chunks`, stream, streamMbps, streamHashWasm);
  printTable(`${SMALL_COUNT.toLocaleString('en')} buffers of ${SMALL_SIZE / 1024} KiB`, small, smallMbps, smallHashWasm);

  const keys = ['ours', 'hashwasm', 'noble', 'webcrypto', 'node'];
  const result: Record<string, number> = {};
  keys.forEach((key, i) => (result[`node_stream_mbps_${key}`] = round1(streamMbps[i]!)));
  ['ours_batch', 'ours_single', 'hashwasm', 'noble', 'webcrypto', 'node'].forEach((key, i) => (result[`node_small_mbps_${key}`] = round1(smallMbps[i]!)));
  result.node_sha256_stream_vs_hashwasm = round2(streamMbps[0]! / streamHashWasm);
  result.node_sha256_small_vs_hashwasm = round2(smallMbps[0]! / smallHashWasm);
  return result;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
const round2 = (x: number): number => Math.round(x * 100) / 100;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchSha256Node();
  console.log(`\n${JSON.stringify(result)}`);
}
