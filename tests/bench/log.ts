/**
 * Log-reading throughput and memory on a generated ~50 MB `--progress=plain` log.
 *
 * Prints MB/s of `readLog` and of a bare line-splitting loop over the same text, measured round-robin
 * in the same run (medians), their ratio, and memory against the log size. Goals (issue #2): at least
 * 0.3× the bare loop, peak memory under 3× the log size.
 *
 *   node --import tsx tests/bench/log.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pathToFileURL } from 'node:url';
import { readLog } from '../../src/core/log/index.ts';

const TARGET_BYTES = 50 * 1024 * 1024;
const ROUNDS = 5;

/**
 * A single long build: many steps, each with thousands of output lines, download statuses and a result.
 * Written straight into one buffer and decoded once, so making the text costs about one extra copy of
 * it (the peak-RSS figure below includes that).
 */
export function generatePlainLog(targetBytes = TARGET_BYTES): string {
  const buf = Buffer.allocUnsafe(targetBytes + (1 << 20));
  let size = 0;
  const put = (line: string): void => {
    size += buf.write(line, size, 'latin1');
    buf[size++] = 10;
  };
  for (const line of [
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
  ])
    put(line);
  const steps = 400;
  const perStep = Math.floor((targetBytes - 4096) / steps);
  for (let s = 1; s <= steps; s++) {
    const n = s + 3;
    const stepEnd = size + perStep;
    put(`#${n} [builder ${s}/${steps}] RUN npm run build --workspace=packages/pkg-${s}`);
    for (let i = 0; size < stepEnd; i++) {
      const t = (i * 0.013).toFixed(i < 700 ? 3 : 2);
      put(
        i % 97 === 0
          ? `#${n} sha256:${'0123456789abcdef'.repeat(4)} ${(i / 10).toFixed(2)}MB / 222.55MB ${t}s`
          : `#${n} ${t} src/components/widget-${i % 313}/index.tsx(${i % 120},${i % 40}): compiled ${i} modules in ${i % 997} ms`,
      );
    }
    put(`#${n} DONE ${(s * 0.7).toFixed(1)}s`);
    put('');
  }
  put('#999 exporting to image');
  put('#999 exporting layers 3.2s done');
  put(`#999 writing image sha256:${'ab'.repeat(32)} done`);
  put('#999 DONE 3.3s');
  return buf.toString('latin1', 0, size);
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

export interface LogBench extends Record<string, number> {
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

  const readTimes: number[] = [];
  const bareTimes: number[] = [];
  let sink = 0;
  for (let r = 0; r < ROUNDS; r++) {
    let t0 = performance.now();
    sink += bareLineLoop(text);
    bareTimes.push(performance.now() - t0);
    t0 = performance.now();
    const res = readLog(text, 'generated.log');
    readTimes.push(performance.now() - t0);
    if (res.ok) sink += res.value.steps.length;
  }
  const readMs = median(readTimes);
  const bareMs = median(bareTimes);
  const result: LogBench = {
    log_mb: mb,
    steps,
    read_mb_s: mb / (readMs / 1000),
    bare_loop_mb_s: mb / (bareMs / 1000),
    ratio_to_bare_loop: bareMs / readMs,
    heap_delta_mb: (heapAfter - heapBefore) / 1e6,
    heap_delta_over_log: (heapAfter - heapBefore) / bytes,
    peak_rss_over_log: peakOverLog,
  };
  if (sink < 0) console.log(sink); // keeps the work observable
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchLogs();
  console.log(`log reading: ${r.log_mb.toFixed(1)} MB plain log, ${r.steps} steps`);
  console.log(`  readLog        ${r.read_mb_s.toFixed(0)} MB/s`);
  console.log(`  bare line loop ${r.bare_loop_mb_s.toFixed(0)} MB/s`);
  console.log(`  ratio          ${r.ratio_to_bare_loop.toFixed(2)}× the bare loop (goal ≥ 0.3×)`);
  console.log(`  heap growth    ${r.heap_delta_mb.toFixed(1)} MB = ${r.heap_delta_over_log.toFixed(2)}× the log`);
  console.log(`  peak RSS       ${r.peak_rss_over_log.toFixed(2)}× the log, text generation included (goal < 3×)`);
}
