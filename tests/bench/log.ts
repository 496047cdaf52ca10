/**
 * Log-reading throughput and memory on a generated ~50 MB `--progress=plain` log.
 *
 * Prints MB/s of `readLog` and of a bare line-splitting loop over the same text, measured round-robin
 * in the same run (medians), their ratio, and memory against the log size. Goals (issue #2): at least
 * 0.3× the bare loop, peak memory under 3× the log size.
 *
 * Then the streaming path (issue #6): `readLogStream` on the same 50 MB as 64 KiB byte pieces (a file
 * stream's size; decoding included), timed with the others; and its memory on a 300 MB log
 * (BENCH_STREAM_MB) made piece by piece, so the whole text never exists, in a child process of its own:
 * the peak is the RSS sampled at every piece minus the RSS before.
 *
 *   node --import tsx tests/bench/log.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { firstBuild, readLog, readLogStream } from '../../src/core/log/index.ts';

const TARGET_BYTES = 50 * 1024 * 1024;
const STREAM_BYTES = Number(process.env['BENCH_STREAM_MB'] ?? 300) * 1024 * 1024;
const PIECE_BYTES = 64 * 1024;
const ROUNDS = 5;

/**
 * A single long build: many steps, each with thousands of output lines, download statuses and a result.
 * Written straight into one buffer and decoded once, so making the text costs about one extra copy of
 * it (the peak-RSS figure below includes that).
 */
export function generatePlainLog(targetBytes = TARGET_BYTES): string {
  const buf = Buffer.allocUnsafe(targetBytes + (1 << 20));
  let size = 0;
  for (const line of plainLogLines(targetBytes)) {
    size += buf.write(line, size, 'latin1');
    buf[size++] = 10;
  }
  return buf.toString('latin1', 0, size);
}

/** The generated log as byte pieces of about `pieceBytes`, each a fresh buffer (as a file stream gives). */
export function* plainLogPieces(targetBytes: number, pieceBytes = PIECE_BYTES): Generator<Buffer> {
  let buf = Buffer.allocUnsafe(pieceBytes + 4096);
  let size = 0;
  for (const line of plainLogLines(targetBytes)) {
    size += buf.write(line, size, 'latin1');
    buf[size++] = 10;
    if (size >= pieceBytes) {
      yield buf.subarray(0, size);
      buf = Buffer.allocUnsafe(pieceBytes + 4096);
      size = 0;
    }
  }
  if (size > 0) yield buf.subarray(0, size);
}

/** The lines of the generated log (each shorter than 4 KB), about `targetBytes` in all. */
function* plainLogLines(targetBytes: number): Generator<string> {
  yield* [
    '#0 building with "default" instance using docker driver',
    '',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 7.33kB done',
    '#1 DONE 0.0s',
    '',
    '#2 [internal] load metadata for docker.io/library/node:20-bookworm',
    '#2 DONE 0.6s',
    '',
    '#3 [internal] load build context',
    '#3 transferring context: 1.21MB 0.2s done',
    '#3 DONE 0.3s',
    '',
  ];
  let total = 0;
  const steps = 400;
  const perStep = Math.floor((targetBytes - 4096) / steps);
  for (let s = 1; s <= steps; s++) {
    const n = s + 3;
    const stepEnd = total + perStep;
    yield `#${n} [builder ${s}/${steps}] RUN npm run build --workspace=packages/pkg-${s}`;
    for (let i = 0; total < stepEnd; i++) {
      const t = (i * 0.013).toFixed(i < 700 ? 3 : 2);
      const line =
        i % 97 === 0
          ? `#${n} sha256:${'0123456789abcdef'.repeat(4)} ${(i / 10).toFixed(2)}MB / 222.55MB ${t}s`
          : `#${n} ${t} src/components/widget-${i % 313}/index.tsx(${i % 120},${i % 40}): compiled ${i} modules in ${i % 997} ms`;
      total += line.length + 1;
      yield line;
    }
    yield `#${n} DONE ${(s * 0.7).toFixed(1)}s`;
    yield '';
  }
  yield* ['#999 exporting to image', '#999 exporting layers 3.2s done', `#999 writing image sha256:${'ab'.repeat(32)} done`, '#999 DONE 3.3s'];
}

export interface StreamMemory {
  stream_log_mb: number;
  stream_peak_rss_mb: number;
  stream_peak_rss_over_log: number;
  /** Generating the pieces included: a lower bound on reading alone. */
  stream_generated_mb_s: number;
}

/** readLogStream on a generated log of `targetBytes`, with RSS sampled at every piece. */
export async function measureStreamMemory(targetBytes = STREAM_BYTES): Promise<StreamMemory> {
  collectGarbage();
  const before = process.memoryUsage.rss();
  let peak = before;
  let bytes = 0;
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (const piece of plainLogPieces(targetBytes)) {
      bytes += piece.length;
      yield piece;
      const rss = process.memoryUsage.rss();
      if (rss > peak) peak = rss;
    }
  }
  const t0 = performance.now();
  const result = firstBuild(await readLogStream(pieces(), 'generated.log'), 'generated.log');
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage.rss());
  if (!result.ok) throw new Error(result.problem.message);
  if (result.value.steps.length !== 400) throw new Error(`expected 400 steps, read ${result.value.steps.length}`);
  return {
    stream_log_mb: bytes / 1e6,
    stream_peak_rss_mb: (peak - before) / 2 ** 20,
    stream_peak_rss_over_log: (peak - before) / bytes,
    stream_generated_mb_s: bytes / 1e6 / seconds,
  };
}

/** The memory measure in a fresh process, so what this one allocated before cannot hide or add to it. */
function streamMemoryInChild(): StreamMemory {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--stream-memory'], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop() as string) as StreamMemory;
}

async function* asPieces(bytes: Buffer): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += PIECE_BYTES) yield bytes.subarray(at, at + PIECE_BYTES);
}

/** The floor: split into lines and touch each one, nothing else. */
function bareLineLoop(text: string): number {
  let total = 0;
  let start = 0;
  for (;;) {
    const end = text.indexOf('\n', start);
    const line = end === -1 ? text.slice(start) : text.slice(start, end);
    // Look at the line, as any reader must, so the engine cannot skip making it.
    total += line.length + (line.charCodeAt(line.length >> 1) | 0);
    if (end === -1) return total;
    start = end + 1;
  }
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}

export interface LogBench extends Record<string, number>, StreamMemory {
  stream_read_mb_s: number;
  stream_ratio_to_bare_loop: number;
  log_mb: number;
  steps: number;
  read_mb_s: number;
  bare_loop_mb_s: number;
  ratio_to_bare_loop: number;
  heap_delta_mb: number;
  heap_delta_over_log: number;
  peak_rss_over_log: number;
}

export async function benchLogs(): Promise<LogBench> {
  const stream = streamMemoryInChild();
  collectGarbage();
  const rssBeforeText = process.memoryUsage().rss;
  const text = generatePlainLog();
  const bytes = text.length; // ASCII: one byte per character
  const mb = bytes / 1e6;
  collectGarbage();

  // Memory first, on a quiet heap. maxRSS is the process's high-water mark, generation included, so the
  // peak reported here is an upper bound for reading.
  const heapBefore = process.memoryUsage().heapUsed;
  const first = readLog(text, 'generated.log');
  const heapAfter = process.memoryUsage().heapUsed;
  if (!first.ok) throw new Error(first.problem.message);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const peakOverLog = (peakRss - rssBeforeText) / bytes;
  const steps = first.value.steps.length;

  const bytesOfText = Buffer.from(text, 'latin1');
  const readTimes: number[] = [];
  const bareTimes: number[] = [];
  const streamTimes: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    sink += bareLineLoop(text);
    bareTimes.push(performance.now() - t0);
    t0 = performance.now();
    const res = readLog(text, 'generated.log');
    readTimes.push(performance.now() - t0);
    if (res.ok) sink += res.value.steps.length;
    t0 = performance.now();
    const streamed = firstBuild(await readLogStream(asPieces(bytesOfText), 'generated.log'), 'generated.log');
    streamTimes.push(performance.now() - t0);
    if (streamed.ok) sink += streamed.value.steps.length;
  }
  const readMs = median(readTimes);
  const bareMs = median(bareTimes);
  const streamMs = median(streamTimes);
  const result: LogBench = {
    log_mb: mb,
    steps,
    read_mb_s: mb / (readMs / 1000),
    bare_loop_mb_s: mb / (bareMs / 1000),
    ratio_to_bare_loop: bareMs / readMs,
    heap_delta_mb: (heapAfter - heapBefore) / 1e6,
    heap_delta_over_log: (heapAfter - heapBefore) / bytes,
    peak_rss_over_log: peakOverLog,
    stream_read_mb_s: mb / (streamMs / 1000),
    stream_ratio_to_bare_loop: bareMs / streamMs,
    ...stream,
  };
  if (sink < 0) console.log(sink); // keeps the work observable
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv.includes('--stream-memory')) {
  console.log(JSON.stringify(await measureStreamMemory()));
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchLogs();
  console.log(`log reading: ${r.log_mb.toFixed(1)} MB plain log, ${r.steps} steps`);
  console.log(`  readLog        ${r.read_mb_s.toFixed(0)} MB/s`);
  console.log(`  bare line loop ${r.bare_loop_mb_s.toFixed(0)} MB/s`);
  console.log(`  ratio          ${r.ratio_to_bare_loop.toFixed(2)}× the bare loop (goal ≥ 0.3×)`);
  console.log(`  heap growth    ${r.heap_delta_mb.toFixed(1)} MB = ${r.heap_delta_over_log.toFixed(2)}× the log`);
  console.log(`  peak RSS       ${r.peak_rss_over_log.toFixed(2)}× the log, text generation included (goal < 3×)`);
  console.log(`streaming (readLogStream, 64 KiB UTF-8 pieces, decoding included)`);
  console.log(`  same log       ${r.stream_read_mb_s.toFixed(0)} MB/s = ${r.stream_ratio_to_bare_loop.toFixed(2)}× the bare loop`);
  console.log(
    `  ${r.stream_log_mb.toFixed(0)} MB log    peak RSS +${r.stream_peak_rss_mb.toFixed(0)} MB = ${r.stream_peak_rss_over_log.toFixed(3)}× the log (goal < 3×; ${r.stream_generated_mb_s.toFixed(0)} MB/s with making the pieces)`,
  );
}
