/**
 * Parallel context hashing (issue 14): a pool of hashing threads gives exactly the index the one-thread
 * path gives — on every fixture tar and a generated 20,000-file tar, with packets small enough that big
 * files stream across packets — and a pool that stalls (a worker that never starts, a lost answer, a
 * worker that dies) never stalls the job: `indexContextParallel` hashes again in this thread.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { indexContext, indexContextParallel, type ContextSource } from '../../../src/core/context/index.ts';
import { digestText, utf8 } from '../../../src/core/context/digest.ts';
import { HashPool, hashPackets, PooledHashing, PoolFailedError, type FromWorker, type HashEndpoint, type ToWorker } from '../../../src/core/context/pool.ts';
import type { Sha256 } from '../../../src/core/context/hasher.ts';
import { nodeHashPool, threadEndpoint } from '../../../src/cli/hash-pool.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { FIXTURES, streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

const fixtureTars = execFileSync('find', [FIXTURES, '-name', '*.tar', '-o', '-name', '*.tar.gz'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();

async function indexBytes(bytes: Uint8Array, pool: HashPool | null, piece = 1 << 20): Promise<ContextIndex> {
  const result = await indexContext(streamOf(bytes, [piece]), { name: 'ctx.tar', hasher: await wasmSha256, pool });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** 20,000 files, mostly small, a few over 2 MiB (streamed), in 300 directories, with hardlinks and symlinks. */
function manyFiles(): Uint8Array {
  const next = random(14);
  const specs: TarSpec[] = [];
  for (let d = 0; d < 300; d++) specs.push({ name: `d${d % 30}/e${d}/`, flag: '5' });
  for (let i = 0; i < 20_000; i++) {
    const size = i % 2000 === 7 ? 2 * 1024 * 1024 + Math.floor(next() * 1e6) : i % 97 === 0 ? Math.floor(next() * 300_000) : Math.floor(next() * 3000);
    const data = new Uint8Array(size);
    for (let k = 0; k < size; k += 4096) data[k] = Math.floor(next() * 256);
    specs.push({ name: `d${(i % 300) % 30}/e${i % 300}/f${i}.bin`, data, mode: i % 13 === 0 ? 0o755 : 0o644 });
  }
  specs.push({ name: 'hard', flag: '1', linkname: 'd1/e1/f1.bin' }, { name: 'sym', flag: '2', linkname: 'd2' });
  return writeTar(specs);
}

const concat = (text: string, bytes: Uint8Array): Uint8Array => {
  const head = utf8(text);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
};

const pools: HashPool[] = [];
/** Real worker_threads; 64 KiB packets so that files over ~64 KiB stream across several packets. */
function threads(size: number, packetBytes = 64 * 1024): HashPool {
  const pool = nodeHashPool(size);
  pools.push(pool);
  return Object.assign(pool, { packetBytes });
}
afterAll(() => pools.forEach((p) => p.close()));

describe('a pool of hashing threads gives the one-thread index', () => {
  it('on every fixture tar', async () => {
    expect(fixtureTars.length).toBeGreaterThan(20);
    // 4 KiB packets: nearly every file streams across packets, through the CLI's own thread endpoint.
    const pool = new HashPool({ size: 2, spawn: threadEndpoint, packetBytes: 4096 });
    pools.push(pool);
    for (const path of fixtureTars) {
      const bytes = new Uint8Array(readFileSync(path));
      expect(await indexBytes(bytes, pool, 1000), path).toEqual(await indexBytes(bytes, null));
    }
  }, 120_000);

  it('on a generated 20,000-file tar, with one and with three threads', async () => {
    const tar = manyFiles();
    const one = await indexBytes(tar, null);
    expect(one.entries.length).toBeGreaterThan(20_000);
    expect(await indexBytes(tar, threads(1))).toEqual(one);
    expect(await indexBytes(tar, threads(3, 4 * 1024 * 1024))).toEqual(one);
  }, 180_000);
});

/** An in-process worker whose failures are scripted. */
function fake(
  hasher: Sha256,
  script: { ready?: boolean; dropReply?: number; dieAt?: number; delayMs?: number } = {},
  log?: { inFlight: number; max: number },
): HashEndpoint {
  const hash = hashPackets(hasher);
  let onMessage: (m: FromWorker) => void = () => undefined;
  let onFailure: (r: string) => void = () => undefined;
  let packets = 0;
  let dead = false;
  return {
    post(message: ToWorker) {
      packets++;
      if (log) log.max = Math.max(log.max, ++log.inFlight);
      if (packets === script.dieAt) {
        dead = true;
        setTimeout(() => onFailure('killed'), 5);
        return;
      }
      if (packets === script.dropReply) return; // a lost message
      setTimeout(() => {
        if (dead) return;
        if (log) log.inFlight--;
        onMessage(hash(message).reply);
      }, script.delayMs ?? 0);
    },
    listen(m, f) {
      onMessage = m;
      onFailure = f;
      if (script.ready !== false) setTimeout(() => onMessage({ type: 'ready' }), 1);
    },
    terminate() {
      dead = true;
    },
  };
}

describe('a pool that stalls never stalls the job', () => {
  const tar = writeTar(Array.from({ length: 400 }, (_, i) => ({ name: `f${i}`, data: new Uint8Array(3000 + i).fill(i % 251) })));
  const open = (): ContextSource => streamOf(tar, [65536]);

  async function run(pool: HashPool): Promise<{ index: ContextIndex; fellBack: boolean; ms: number }> {
    const started = Date.now();
    let fellBack = false;
    const result = await indexContextParallel(open, { name: 'ctx.tar', hasher: await wasmSha256, pool }, () => (fellBack = true));
    pool.close();
    if (!result.ok) throw new Error(result.problem.message);
    return { index: result.value, fellBack, ms: Date.now() - started };
  }

  it('hashes on the pool when nothing goes wrong, holding at most maxInFlight packets (+1 filled within a piece)', async () => {
    const hasher = await wasmSha256;
    const log = { inFlight: 0, max: 0 };
    // Pieces of 64 KiB (streamOf above) and 64 KiB packets: backpressure is checked between pieces.
    const r = await run(new HashPool({ size: 2, spawn: () => fake(hasher, { delayMs: 2 }, log), packetBytes: 64 * 1024, maxInFlight: 3 }));
    expect(r.fellBack).toBe(false);
    expect(log.max).toBeGreaterThan(1);
    expect(log.max).toBeLessThanOrEqual(4);
    expect(r.index).toEqual(await indexBytes(tar, null));
  });

  it.each([
    ['a worker that never says ready (replaced once, then given up)', { ready: false }],
    ['a lost answer', { dropReply: 2 }],
    // dieAt 2, not 3: with work sharing, once the one worker has two packets out this thread hashes the
    // rest itself, so a third packet may never be posted (and then nothing would fail).
    ['a worker that dies with packets out', { dieAt: 2 }],
  ])('%s: the job finishes in this thread with the same index', async (_, script) => {
    const hasher = await wasmSha256;
    const pool = new HashPool({ size: 1, spawn: () => fake(hasher, script), packetBytes: 16 * 1024, startTimeoutMs: 200, replyTimeoutMs: 200 });
    const r = await run(pool);
    expect(r.fellBack).toBe(true);
    expect(r.ms).toBeLessThan(5000);
    expect(r.index).toEqual(await indexBytes(tar, null));
  });

  it('with the workers saturated, this thread hashes packets itself (work sharing), streams included: same index', async () => {
    const hasher = await wasmSha256;
    // Files of 3 KB (whole in a packet) and of 20–90 KB (streamed across 16 KiB packets), so streams open
    // both on the worker and here, and each must stay where it began.
    const mixed = writeTar(
      Array.from({ length: 300 }, (_, i) => ({ name: `m/f${i}`, data: new Uint8Array(i % 7 === 0 ? 20_000 + 250 * i : 3000 + i).fill((i * 7) % 251) })),
    );
    const one = await indexBytes(mixed, null);
    // A slow worker (5 ms a packet) and pieces of 4 KiB: the reader outruns the worker and takes packets.
    const pool = new HashPool({ size: 1, spawn: () => fake(hasher, { delayMs: 5 }), packetBytes: 16 * 1024 });
    const result = await indexContext(streamOf(mixed, [4096]), { name: 'ctx.tar', hasher, pool });
    pool.close();
    if (!result.ok) throw new Error(result.problem.message);
    expect(pool.packets.posted).toBeGreaterThan(0);
    expect(pool.packets.here).toBeGreaterThan(0);
    expect(result.value).toEqual(one);
  });

  it('without a local hasher every packet goes to the workers', async () => {
    const hasher = await wasmSha256;
    const pool = new HashPool({ size: 1, spawn: () => fake(hasher, { delayMs: 5 }), packetBytes: 16 * 1024 });
    const hashing = new PooledHashing(pool);
    const targets = Array.from({ length: 40 }, () => ({ digest: '' }));
    for (const target of targets) {
      hashing.begin('header', 6000);
      hashing.data(new Uint8Array(6000).fill(1));
      hashing.end(target);
    }
    await hashing.settle();
    pool.close();
    expect(pool.packets.here).toBe(0);
    expect(pool.packets.posted).toBeGreaterThan(10);
    expect(new Set(targets.map((t) => t.digest))).toEqual(new Set([digestText(hasher.digest(concat('header', new Uint8Array(6000).fill(1))))]));
  });

  it('a pool that failed says so: indexContext throws PoolFailedError, not a problem value', async () => {
    const hasher = await wasmSha256;
    const pool = new HashPool({ size: 1, spawn: () => fake(hasher, { dropReply: 1 }), packetBytes: 16 * 1024, replyTimeoutMs: 100 });
    await expect(indexContext(open(), { name: 'x', hasher, pool })).rejects.toBeInstanceOf(PoolFailedError);
    pool.close();
  });
});
