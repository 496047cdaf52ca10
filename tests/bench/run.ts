/**
 * `npm run bench`: the whole benchmark in one run — Node (log reading, Node hashing) then headless
 * Chromium (hashing micro-benchmarks and the end-to-end context pipeline in a worker) — printed as
 * tables with ratios against peers measured in the same run, PASS/MISS per goal, and as the LAST line
 * one JSON object with the Chromium figures. See tests/bench/README.md.
 *
 *   BENCH_SMALL=1   small sizes (development; ~30 s): 32 MiB stream, 2,000 buffers, ~20 MB tar, 3 rounds
 *   BENCH_ROUNDS=n  timed rounds per case (default 5; one warm-up round always runs first)
 *   BENCH_SKIP=node|browser  skip one half
 *   BENCH_CASES=abc          which Chromium cases to run (development; default all)
 *   BENCH_CONTEXT=ours,read  which context pipelines to run (development; default all)
 *   BENCH_TAR_MB=n  size of the generated context tar in MB (default 200; files scale with it), to check
 *                   that the renderer's peak memory does not grow with the tar
 *   BENCH_HUGE_MB=n target size of case e's tar (default 2300: a tar just over 2 GiB, 20,000 files; 0 skips
 *                   it), hashed once by the browser worker and once by the CLI code, for peak memory only
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runChromiumBench, type BrowserPlan, type BrowserResults } from './browser/host/chromium-bench.ts';
import { browserTables, diagnosis, fmt, goals, mbps, pairedRatio, table } from './browser/host/report.ts';

const SMALL = process.env['BENCH_SMALL'] === '1';
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? (SMALL ? 3 : 5));
const SKIP = process.env['BENCH_SKIP'] ?? '';
const CASES = process.env['BENCH_CASES'] ?? 'abce';
const HUGE_MB = Number(process.env['BENCH_HUGE_MB'] ?? 2300);
const CONTEXT_ONLY = process.env['BENCH_CONTEXT'] ?? '';
const TAR_SCALE = Number(process.env['BENCH_TAR_MB'] ?? 200) / 200;
const log = (line: string) => console.log(line);

const plan: BrowserPlan = SMALL
  ? {
      rounds: ROUNDS,
      warmup: 1,
      streamBytes: 32 << 20,
      streamChunk: 1 << 20,
      smallCount: 2000,
      smallSize: 2048,
      tar: { files: 2000, targetBytes: 20e6, dirs: 60, seed: 20261129 },
      hybridThreshold: 64 << 10,
      cases: CASES,
      contextOnly: CONTEXT_ONLY,
      caseTimeoutMs: 30_000,
      huge: process.env['BENCH_HUGE_MB'] ? hugeTar() : null,
    }
  : {
      rounds: ROUNDS,
      warmup: 1,
      streamBytes: 256 << 20,
      streamChunk: 1 << 20,
      smallCount: 20_000,
      smallSize: 2048,
      tar: { files: Math.round(20_000 * TAR_SCALE), targetBytes: 200e6 * TAR_SCALE, dirs: Math.round(583 * TAR_SCALE), seed: 20261129 },
      hybridThreshold: 64 << 10,
      cases: CASES,
      contextOnly: CONTEXT_ONLY,
      caseTimeoutMs: 60_000 * Math.max(1, TAR_SCALE),
      huge: HUGE_MB > 0 ? hugeTar() : null,
    };

/** Case e's tar: as many files as c's (so only the bytes grow), HUGE_MB of them. */
function hugeTar() {
  return { files: 20_000, targetBytes: HUGE_MB * 1e6, dirs: 583, seed: 20261130 };
}

type Json = Record<string, number | boolean | string | null>;

/** A teammate's bench module, when it exists (imported by URL so a missing file is not a type error). */
async function optionalBench(file: string, fn: string): Promise<(() => Promise<Record<string, number>>) | null> {
  const path = join(import.meta.dirname, file);
  if (!existsSync(path)) return null;
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const f = mod[fn];
  return typeof f === 'function' ? (f as () => Promise<Record<string, number>>) : null;
}

/** The teammates' benches print their own tables; this echoes what they returned, on one line. */
function recordLine(title: string, rec: Record<string, number>): string {
  return `${title} returned: ${Object.entries(rec)
    .map(([k, v]) => `${k}=${fmt(v)}`)
    .join(', ')}`;
}

/** Keys from a teammate's record carried into the final JSON: ratios and memory figures. */
function carry(rec: Record<string, number>, prefix: string, into: Json): void {
  for (const [k, v] of Object.entries(rec)) {
    if (/ratio|_vs_|mem|rss|mb_s|mbps/i.test(k)) into[k.startsWith(prefix) ? k : `${prefix}${k}`] = Number(fmt(v));
  }
}

async function nodePart(json: Json): Promise<void> {
  console.log('\n=== Node ===');
  const benchLogs = await optionalBench('log.ts', 'benchLogs');
  if (benchLogs) {
    const beforeMb = process.memoryUsage.rss() / 2 ** 20;
    const rec = await benchLogs();
    // maxRSS is the process's peak so far: read right after the log bench, before anything bigger runs.
    const peakMb = process.resourceUsage().maxRSS / 1024;
    // benchLogs() prints nothing when imported: its table is printed here.
    console.log(
      `log reading (tests/bench/log.ts)\n${table(
        ['measure', 'value'],
        Object.entries(rec).filter(([k]) => k !== 'sink_ignore'),
      )}`,
    );
    console.log(`Node process RSS: ${fmt(beforeMb)} MB before the log bench, peak ${fmt(peakMb)} MB after it`);
    const named: Record<string, string> = {
      ratio_to_bare_loop: 'log_vs_bare_loop',
      peak_rss_over_log: 'log_peak_mem_ratio',
      read_mb_s: 'log_mb_s',
      heap_delta_over_log: 'log_heap_growth_ratio',
      stream_read_mb_s: 'log_stream_mb_s',
      stream_ratio_to_bare_loop: 'log_stream_vs_bare_loop',
      stream_log_mb: 'log_stream_log_mb',
      stream_peak_rss_mb: 'log_stream_peak_rss_mb',
      stream_peak_rss_over_log: 'log_stream_peak_mem_ratio',
    };
    for (const [k, v] of Object.entries(rec)) if (named[k]) json[named[k]] = Number(fmt(v));
    json['node_log_peak_rss_mb'] = Number(fmt(peakMb));
  } else console.log('log bench: tests/bench/log.ts not present yet (skipped)');

  const benchSha = await optionalBench('sha256.ts', 'benchSha256Node');
  if (benchSha) {
    // Development runs keep the Node hashing bench short too (it always hashes the full 256 MiB).
    if (SMALL) process.env['SHA256_BENCH_ROUNDS'] ??= '1';
    const rec = await benchSha();
    console.log(recordLine('SHA-256 in Node (tests/bench/sha256.ts)', rec));
    carry(rec, 'node_', json);
  } else console.log('Node SHA-256 bench: tests/bench/sha256.ts not present yet (skipped)');

  // Heap per context-index entry (issue #4): what the index keeps and what building it needs on top.
  const benchCtxMem = await optionalBench('context-memory.ts', 'benchContextMemory');
  if (benchCtxMem) {
    if (SMALL) process.env['CONTEXT_MEMORY_FILES'] ??= '20000';
    const rec = await benchCtxMem();
    console.log(`context index heap per entry (tests/bench/context-memory.ts, Node, bytes)\n${table(['measure', 'value'], Object.entries(rec))}`);
    carry(rec, 'node_', json);
  }
}

/** The largest of figures that may be missing (null when all are). */
function maxOf(...values: (number | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number');
  return known.length > 0 ? Math.max(...known) : null;
}

/** The smaller of two ratios that may be missing (a case that was skipped or hung gives null). */
function minRatio(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** ours' MB/s against the number of hashing workers (0: no pool), the `ours` case at the app's count. */
function curveLine(r: BrowserResults): string {
  const points = Object.entries(r.context)
    .map(([impl, s]) => [impl === 'ours' ? r.info.workers : /^ours-w\d+$/.test(impl) ? Number(impl.slice(6)) : null, s] as const)
    .filter((p): p is [number, NonNullable<(typeof p)[1]>] => p[0] !== null && p[1] !== undefined)
    .sort((a, b) => a[0] - b[0]);
  const read = r.context['read-byob'];
  return `c. curve, indexContext + ours by hashing workers (MB/s, ×read):\n${points
    .map(([k, s]) => `  ${k === 0 ? 'no pool' : `${k} worker${k === 1 ? '' : 's'}`}: ${fmt(mbps(s) ?? NaN)} MB/s, ×${fmt(pairedRatio(s, read) ?? NaN)}`)
    .join('\n')}`;
}

function browserJson(r: BrowserResults, json: Json): void {
  const peak = Math.max(r.memory.rendererPeakMb, r.memory.rendererHwmMb);
  Object.assign(json, {
    sha256_stream_vs_hashwasm: pairedRatio(r.stream.ours, r.stream.hashwasm),
    sha256_small_vs_hashwasm: pairedRatio(r.small.ours, r.small.hashwasm),
    context_vs_hashwasm_pipeline: pairedRatio(r.context.ours, r.context.hashwasm),
    // The ceiling is the FASTEST way to merely read the file: the pipeline reads with a BYOB reader, so a
    // default-reader drain alone would flatter it.
    context_vs_read: minRatio(pairedRatio(r.context.ours, r.context.read), pairedRatio(r.context.ours, r.context['read-byob'])),
    context_vs_read_default_reader: pairedRatio(r.context.ours, r.context.read),
    // Our pipeline alone in a fresh renderer (case e, c's tar and the huge one): in c's round-robin the
    // renderer also holds what the other pipelines left for the GC (that figure is peak_rss_c_rounds_mb).
    peak_rss_mb: maxOf(r.huge?.cTar?.rendererPeakMb, r.huge?.huge?.rendererPeakMb),
    peak_rss_c_rounds_mb: r.context.ours || r.context.hashwasm ? peak : null,
    sha256_stream_vs_webcrypto: pairedRatio(r.stream.ours, r.stream.webcrypto),
    sha256_small_vs_webcrypto: pairedRatio(r.small.ours, r.small['webcrypto-await']),
    stream_mb_s: mbps(r.stream.ours),
    small_mb_s: mbps(r.small.ours),
    context_mb_s: mbps(r.context.ours),
    hashwasm_pipeline_mb_s: mbps(r.context.hashwasm),
    read_mb_s: mbps(r.context.read),
    peak_rss_all_chromium_mb: r.memory.totalPeakMb,
    renderer_baseline_mb: r.memory.rendererBaselineMb,
    tar_mb: r.tar.tarBytes / 1e6,
    peak_rss_c_tar_alone_mb: r.huge?.cTar?.rendererPeakMb ?? null,
    huge_tar_mb: r.huge?.huge?.tarMb ?? null,
    peak_rss_huge_tar_mb: r.huge?.huge?.rendererPeakMb ?? null,
    renderer_baseline_huge_tar_mb: r.huge?.huge?.rendererBaselineMb ?? null,
    cli_peak_rss_huge_tar_mb: r.huge?.cli?.peak_rss_mb ?? null,
    // Hashing workers of the pool `ours` and `hashwasm` ran on (the app's: hardwareConcurrency).
    workers: typeof r.info.workers === 'number' ? r.info.workers : null,
  });
  for (const [k, v] of Object.entries(json)) if (typeof v === 'number') json[k] = Number(fmt(v));
}

const started = performance.now();
const json: Json = {};
if (SMALL) console.log('BENCH_SMALL=1: small sizes, for development; the goals are judged on the full run only');
if (!SKIP.includes('node')) await nodePart(json);

let browser: BrowserResults | null = null;
if (!SKIP.includes('browser')) {
  console.log('\n=== Chromium (headless, module worker) ===');
  browser = await runChromiumBench(plan, log);
  console.log(`\n${browserTables(browser)}`);
  console.log(`\n${curveLine(browser)}`);
  browserJson(browser, json);
}

const verdicts = goals(json);
console.log(
  `\nGoals (Chromium unless marked Node; medians of ${plan.rounds} round-robin rounds after ${plan.warmup} warm-up; ratios are medians of per-round ratios)\n` +
    table(
      ['goal', 'measured', 'target', 'verdict'],
      verdicts.map((g) => [g.name, g.value, g.goal, g.pass === null ? 'n/a' : g.pass ? 'PASS' : 'MISS']),
    ),
);
if (browser) {
  const why = diagnosis(browser);
  if (why.length) console.log(`\nWhere the end-to-end time goes\n${why.map((l) => `- ${l}`).join('\n')}`);
  for (const s of browser.skipped) console.log(`skipped: ${s}`);
  for (const p of browser.problems) console.log(`PROBLEM: ${p}`);
  json['problems'] = browser.problems.length;
}
json['small_sizes'] = SMALL;
json['rounds'] = plan.rounds;
json['bench_s'] = Number(fmt((performance.now() - started) / 1000));
console.log(JSON.stringify(json));
