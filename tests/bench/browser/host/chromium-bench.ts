/**
 * The Chromium half of `npm run bench`: builds the bench page, writes the context tar once, drives
 * headless Chromium (own temp user-data-dir) through playwright-core, runs every case round-robin and
 * samples the renderer's memory during the end-to-end runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, serveStatic } from '../../../e2e/harness.ts';
import type { BenchCommand, ContextImpl, ContextResult, HybridProbe, Info, SmallImpl, StreamImpl, Timed } from '../page/protocol.ts';
import { chromiumPids, sampleOnce, startRssSampler, type RssPeak } from './rss.ts';
import { cpuDelta, cpuSnapshot, workerRenderer, type CpuSplit } from './cpu.ts';
import { writeTarFixture, type TarFixture, type TarFixtureSpec } from './tar-fixture.ts';
import { measureCliMemory, type CliMemory } from '../../huge-context.ts';

const ROOT = resolve(import.meta.dirname, '../../../..');
export const PAGE_OUT = join(ROOT, 'tests/artifacts/bench-page');

export interface BrowserPlan {
  rounds: number;
  warmup: number;
  streamBytes: number;
  streamChunk: number;
  smallCount: number;
  smallSize: number;
  tar: TarFixtureSpec;
  /** Files above this size are the hybrid-WebCrypto candidates. */
  hybridThreshold: number;
  /** Which of a, b, c to run (development). */
  cases: string;
  /** Comma-separated context impls to run, empty for all (development). */
  contextOnly: string;
  /** A context case that gives no answer within this is reported as hung and dropped. */
  caseTimeoutMs: number;
  /** Case e: a huge tar hashed once by ours, for memory (null: skipped). */
  huge: TarFixtureSpec | null;
}

/** One run of ours alone in a fresh page (a new renderer): the memory of our pipeline and nothing else. */
export interface FreshRun {
  tarMb: number;
  entries: number;
  ms: number;
  rendererBaselineMb: number;
  /** max(sampled VmRSS, VmHWM) of the renderer hosting the worker. */
  rendererPeakMb: number;
}

/** Case e: ours alone on c's tar and on a huge tar (each in a fresh page), and the CLI on the huge tar. */
export interface HugeResult {
  cTar: FreshRun | null;
  huge: FreshRun | null;
  hugeFiles: number;
  cli: CliMemory | null;
}

/** Times of one implementation, one entry per timed round. */
export interface Series {
  ms: number[];
  /** The timed round each entry of `ms` comes from (an implementation that hung has gaps). */
  rounds: number[];
  bytes: number;
  /** CPU split per timed round (context cases only). */
  cpu?: CpuSplit[];
}

export interface BrowserResults {
  info: Info;
  stream: Partial<Record<StreamImpl, Series>>;
  small: Partial<Record<SmallImpl, Series>>;
  context: Partial<Record<ContextImpl, Series>>;
  contextRuns: Partial<Record<ContextImpl, ContextResult>>;
  profiles: Partial<Record<ContextImpl, ContextResult>>;
  hybrid: HybridProbe | null;
  tar: Omit<TarFixture, 'fileSizes' | 'fileRanges'>;
  memory: RssPeak & { rendererBaselineMb: number };
  huge: HugeResult | null;
  problems: string[];
  skipped: string[];
}

type Log = (line: string) => void;

/** Builds the page; if a teammate's half-written module breaks the build, retries with it stubbed. */
async function buildPage(log: Log): Promise<string[]> {
  const { build } = await import('vite');
  const configFile = resolve(import.meta.dirname, '../vite.config.ts');
  const attempts = ['', 'index', 'ours,index'];
  let lastError: unknown;
  for (const stub of attempts) {
    process.env['BENCH_STUB'] = stub;
    try {
      await build({ configFile, logLevel: 'error' });
      return stub ? [`bench page built with ${stub} stubbed: ${String(lastError).split('\n')[0]}`] : [];
    } catch (e) {
      lastError = e;
      log(`  bench page build failed${stub ? ` (stub ${stub})` : ''}: ${String(e).split('\n')[0]}`);
    } finally {
      delete process.env['BENCH_STUB'];
    }
  }
  throw lastError;
}

export class HangError extends Error {}

/** One bench command; a case that makes no reply within `timeoutMs` is reported as hung. */
async function call<T>(page: Page, cmd: BenchCommand, timeoutMs = 0): Promise<T> {
  const run = page.evaluate((c) => (globalThis as unknown as { cachewhyBench: (c: unknown) => Promise<unknown> }).cachewhyBench(c), cmd) as Promise<T>;
  if (!timeoutMs) return run;
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new HangError(`${cmd.kind} ${'impl' in cmd ? cmd.impl : ''} gave no answer in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function openBenchPage(ctx: BrowserContext, url: string, errors: string[]): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
  page.on('crash', () => errors.push('the bench page CRASHED (renderer gone); later cases of this page did not run'));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().includes('favicon')) errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => 'cachewhyBench' in globalThis);
  return page;
}

/**
 * Warm-up rounds, then `rounds` timed rounds; each round times every implementation once, in a rotated
 * order so no implementation always runs right after the same neighbour.
 */
async function roundRobin<I extends string, R extends Timed & { cpu?: CpuSplit }>(
  impls: I[],
  plan: BrowserPlan,
  /** null: this implementation is out (it hung earlier); it is skipped from then on. */
  runOne: (impl: I) => Promise<R | null>,
  log: Log,
  label: string,
): Promise<{ series: Partial<Record<I, Series>>; last: Partial<Record<I, R>> }> {
  const series: Partial<Record<I, Series>> = {};
  const last: Partial<Record<I, R>> = {};
  for (let round = -plan.warmup; round < plan.rounds; round++) {
    const order = impls.map((_, i) => impls[(i + Math.max(round, 0)) % impls.length]!);
    const parts: string[] = [];
    for (const impl of order) {
      const r = await runOne(impl);
      if (!r) {
        parts.push(`${impl} –`);
        continue;
      }
      last[impl] = r;
      parts.push(`${impl} ${(r.bytes / 1e6 / (r.ms / 1000)).toFixed(0)}`);
      if (round < 0) continue;
      const s = (series[impl] ??= { ms: [], rounds: [], bytes: r.bytes });
      s.ms.push(r.ms);
      s.rounds.push(round);
      if (r.cpu) (s.cpu ??= []).push(r.cpu);
    }
    log(`  ${label} ${round < 0 ? 'warm-up' : `round ${round + 1}/${plan.rounds}`}: ${parts.join(', ')} MB/s`);
  }
  return { series, last };
}

function checkAgree(label: string, results: Partial<Record<string, Timed>>, problems: string[]): void {
  const checks = Object.entries(results).filter(([, r]) => r && r.check);
  const first = checks[0];
  for (const [impl, r] of checks) {
    if (first && r!.check !== first[1]!.check) problems.push(`${label}: ${impl} digest ${r!.check} ≠ ${first[0]} ${first[1]!.check}`);
  }
}

// Over 80 lines on purpose: cases a–e in the order they run, sharing one browser, its pages and the problems list.
export async function runChromiumBench(plan: BrowserPlan, log: Log): Promise<BrowserResults> {
  const problems: string[] = [];
  const skipped: string[] = [];
  log('building the bench page (vite build --config tests/bench/browser/vite.config.ts)');
  problems.push(...(await buildPage(log)));

  const scratch = await mkdtemp(join(tmpdir(), 'cachewhy-bench-'));
  const userDataDir = join(scratch, 'chromium-profile');
  const tarPath = join(scratch, 'context.tar');
  let t = performance.now();
  const tar = writeTarFixture(tarPath, plan.tar);
  log(
    `wrote ${tarPath}: ${(tar.tarBytes / 1e6).toFixed(1)} MB tar, ${tar.files} files (median ${tar.medianFileBytes} B, max ${tar.maxFileBytes} B, ` +
      `${(tar.bytesOver64KiB * 100).toFixed(0)}% of bytes in files > 64 KiB), ${tar.dirs} dirs, ${tar.paxHeaders} pax headers, in ${(performance.now() - t).toFixed(0)} ms`,
  );

  const { url, server } = await serveStatic(PAGE_OUT);
  const ctx = await chromium.launchPersistentContext(userDataDir, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const errors: string[] = [];
  try {
    // ---- a + b: hashing micro-benchmarks, in a first page ----
    // The persistent context opens with a blank page: close it, so its renderer does not sit in the samples.
    for (const p of ctx.pages()) await p.close();
    let page = await openBenchPage(ctx, url, errors);
    const info = await call<Info>(page, { kind: 'info' });
    if (typeof info?.userAgent !== 'string') throw new Error(`the bench worker answered 'info' with ${JSON.stringify(info)}`);
    log(`chromium: ${info.userAgent}`);
    log(`ours: ${info.ours ?? 'NOT BUILT (skipped)'}; indexContext: ${info.indexContext ?? 'NOT LANDED (skipped)'}`);

    const streamImpls: StreamImpl[] = ['ours', 'hashwasm', 'noble', 'webcrypto'].filter((i) => i !== 'ours' || info.ours) as StreamImpl[];
    if (!info.ours) skipped.push('ours (stream, small, context): @rust-wasm/sha256 not built');
    let stream: Awaited<ReturnType<typeof roundRobin<StreamImpl, Timed>>> = { series: {}, last: {} };
    if (plan.cases.includes('a')) {
      await call(page, { kind: 'setup-stream', bytes: plan.streamBytes, chunk: plan.streamChunk });
      t = performance.now();
      stream = await roundRobin(streamImpls, plan, (impl) => call<Timed>(page, { kind: 'stream', impl }), log, `a. ${plan.streamBytes >> 20} MiB stream`);
      checkAgree('stream', stream.last, problems);
      log(`  (a took ${((performance.now() - t) / 1000).toFixed(1)} s)`);
      await call(page, { kind: 'free' });
    }

    const smallImpls = (['ours', 'hashwasm', 'noble', 'webcrypto-await', 'webcrypto-all', 'ours-kernel'] as SmallImpl[]).filter((i) =>
      i === 'ours' ? info.ours : i === 'ours-kernel' ? info.oursKernel : true,
    );
    let small: Awaited<ReturnType<typeof roundRobin<SmallImpl, Timed>>> = { series: {}, last: {} };
    if (plan.cases.includes('b')) {
      await call(page, { kind: 'setup-small', count: plan.smallCount, size: plan.smallSize });
      t = performance.now();
      small = await roundRobin(smallImpls, plan, (impl) => call<Timed>(page, { kind: 'small', impl }), log, `b. ${plan.smallCount} × ${plan.smallSize} B`);
      checkAgree('small buffers', small.last, problems);
      log(`  (b took ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }
    await page.close();

    // ---- c + d: end to end, in a fresh page (a new renderer, so its memory is this case's alone) ----
    /** Opens the context page; again after a hang, since a stuck worker cannot be trusted further. */
    const openContextPage = async () => {
      const p = await openBenchPage(ctx, url, errors);
      await call<Info>(p, { kind: 'info' });
      await p.locator('#tar').setInputFiles(tarPath);
      const all = await chromiumPids(userDataDir);
      return { page: p, pids: all, workerPid: await workerRenderer(all) };
    };
    let cp = await openContextPage();
    page = cp.page;
    const before = await sampleOnce(cp.pids);
    if (cp.workerPid === null) problems.push('could not find the renderer that runs the bench worker: memory is the biggest renderer, CPU split unavailable');
    // The curve: no pool, then 1…cores hashing workers (the app's own count is `ours` itself).
    const curve: ContextImpl[] = [
      'ours-w0',
      ...Array.from({ length: Math.max(2, info.cores) }, (_, k) => `ours-w${k + 1}` as const).filter((i) => i !== `ours-w${info.workers}`),
    ];
    const contextImpls = (['ours', 'hashwasm', 'read', 'parse', 'nohash', 'ours-readahead', 'read-byob', ...curve] as ContextImpl[]).filter((i) => {
      if (!plan.cases.includes('c')) return false;
      if (plan.contextOnly && !plan.contextOnly.split(',').includes(i)) return false;
      if (i === 'read' || i === 'read-byob') return true;
      if (i === 'parse') return info.tarParser;
      if (!info.indexContext) return false;
      return !i.startsWith('ours') || info.ours !== null;
    });
    if (!info.indexContext) skipped.push('context pipelines: indexContext not landed');
    const sampler = startRssSampler(userDataDir, cp.workerPid);
    const hung = new Set<ContextImpl>();
    t = performance.now();
    let context: Awaited<ReturnType<typeof roundRobin<ContextImpl, ContextResult>>>;
    try {
      context = await roundRobin(
        contextImpls,
        plan,
        async (impl) => {
          if (hung.has(impl)) return null;
          sampler.mark(impl);
          const cpuBefore = await cpuSnapshot(cp.pids, cp.workerPid);
          let r: ContextResult;
          try {
            r = await call<ContextResult>(cp.page, { kind: 'context', impl, profile: false }, plan.caseTimeoutMs);
          } catch (e) {
            if (!(e instanceof HangError)) throw e;
            // A case that never answers (seen once with File.stream() under heavy load): name it, drop it,
            // and go on in a fresh page so the other cases still get measured.
            hung.add(impl);
            problems.push(`context ${impl} HUNG: ${e.message}; dropped from the later rounds, page reopened`);
            log(`  ${impl} hung: ${e.message}; reopening the page`);
            await cp.page.close({ runBeforeUnload: false }).catch(() => undefined);
            cp = await openContextPage();
            page = cp.page;
            sampler.setRenderer(cp.workerPid);
            return null;
          }
          return cp.workerPid === null ? r : { ...r, cpu: cpuDelta(cpuBefore, await cpuSnapshot(cp.pids, cp.workerPid)) };
        },
        log,
        'c. context',
      );
    } catch (e) {
      await sampler.stop();
      throw e;
    }
    const peak = await sampler.stop();
    const memory = { ...peak, rendererBaselineMb: before.find((m) => m.pid === peak.rendererPid)?.rssMb ?? 0 };
    log(
      `  (c took ${((performance.now() - t) / 1000).toFixed(1)} s; renderer ${memory.rendererPid} peak ${memory.rendererPeakMb.toFixed(0)} MB RSS, ${memory.rendererBaselineMb.toFixed(0)} MB before)`,
    );
    const pipelines = Object.fromEntries(
      // Every pool size must give the one-worker path's root digest (ours-w0).
      Object.entries(context.last).filter(([impl]) => impl === 'ours' || impl === 'hashwasm' || impl.startsWith('ours-')),
    ) as Partial<Record<ContextImpl, ContextResult>>;
    checkAgree('context rootDigest', pipelines, problems);
    for (const [impl, r] of Object.entries(pipelines)) if (r?.problems.length) problems.push(`context ${impl}: ${r.problems.slice(0, 3).join('; ')}`);

    // Profiled runs (instrumented hasher: slower, never timed as results).
    const profiles: Partial<Record<ContextImpl, ContextResult>> = {};
    for (const impl of contextImpls.filter((i) => i === 'ours' || i === 'hashwasm')) {
      if (!hung.has(impl)) profiles[impl] = await call<ContextResult>(page, { kind: 'context', impl, profile: true }, plan.caseTimeoutMs);
    }
    let hybrid: HybridProbe | null = null;
    if (info.ours)
      hybrid = await call<HybridProbe>(page, { kind: 'hybrid-probe', thresholdBytes: plan.hybridThreshold, ranges: tar.fileRanges }, plan.caseTimeoutMs);
    await page.close();

    // ---- e: a huge tar, once, in a fresh page: memory must not grow with the size of the tar ----
    let huge: HugeResult | null = null;
    if (plan.huge && plan.cases.includes('e') && info.indexContext && info.ours) {
      const openWith = (p: string) =>
        openBenchPage(ctx, url, errors).then(async (page) => {
          await call<Info>(page, { kind: 'info' });
          await page.locator('#tar').setInputFiles(p);
          return page;
        });
      huge = await runHuge(plan.huge, tarPath, tar.tarBytes, plan.caseTimeoutMs * 10, scratch, userDataDir, openWith, problems, log);
    }

    problems.push(...errors);
    const { fileSizes: _s, fileRanges: _r, ...tarInfo } = tar;
    return {
      info,
      stream: stream.series,
      small: small.series,
      context: context.series,
      contextRuns: context.last,
      profiles,
      hybrid,
      tar: tarInfo,
      memory,
      huge,
      problems,
      skipped,
    };
  } finally {
    await ctx.close().catch(() => undefined);
    server.close();
    // Chromium may still be flushing its profile for a moment after close: retry, never mask the real error.
    await rm(scratch, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch((e) => log(`could not remove ${scratch}: ${String(e)}`));
  }
}

/** Hashes `tarPath` once with ours in a fresh page, sampling the renderer's memory. */
async function freshRun(
  tarPath: string,
  tarBytes: number,
  timeoutMs: number,
  userDataDir: string,
  openWith: (tarPath: string) => Promise<Page>,
  problems: string[],
): Promise<FreshRun | null> {
  const page = await openWith(tarPath);
  const pids = await chromiumPids(userDataDir);
  const workerPid = await workerRenderer(pids);
  const before = await sampleOnce(pids);
  const sampler = startRssSampler(userDataDir, workerPid);
  sampler.mark('ours');
  let run: ContextResult | null = null;
  try {
    run = await call<ContextResult>(page, { kind: 'context', impl: 'ours', profile: false }, timeoutMs);
  } catch (e) {
    if (!(e instanceof HangError)) throw e;
    problems.push(`fresh-page run on ${tarPath} HUNG: ${e.message}`);
  }
  const peak = await sampler.stop();
  await page.close({ runBeforeUnload: false }).catch(() => undefined);
  if (!run) return null;
  if (run.problems.length) problems.push(`fresh-page run on ${tarPath}: ${run.problems.slice(0, 3).join('; ')}`);
  return {
    tarMb: tarBytes / 1e6,
    entries: run.entries,
    ms: run.ms,
    rendererBaselineMb: before.find((m) => m.pid === peak.rendererPid)?.rssMb ?? 0,
    rendererPeakMb: Math.max(peak.rendererPeakMb, peak.rendererHwmMb),
  };
}

/**
 * Case e: ours alone on c's tar (fresh page), then a huge tar is written and hashed the same way, then by
 * the CLI code in a child process. The fresh pages keep the figure to our pipeline: in c, the renderer
 * also carries what the other pipelines left for the GC.
 */
async function runHuge(
  spec: TarFixtureSpec,
  cTarPath: string,
  cTarBytes: number,
  timeoutMs: number,
  scratch: string,
  userDataDir: string,
  openWith: (tarPath: string) => Promise<Page>,
  problems: string[],
  log: Log,
): Promise<HugeResult> {
  const show = (label: string, r: FreshRun | null) =>
    log(
      r
        ? `  ${label}: ${(r.ms / 1000).toFixed(1)} s, renderer ${r.rendererBaselineMb.toFixed(0)} MB before, peak ${r.rendererPeakMb.toFixed(0)} MB`
        : `  ${label}: no result`,
    );
  const cTar = await freshRun(cTarPath, cTarBytes, timeoutMs, userDataDir, openWith, problems);
  show(`e. ours alone on c's ${(cTarBytes / 1e6).toFixed(0)} MB tar, fresh page`, cTar);
  const hugePath = join(scratch, 'huge.tar');
  const t = performance.now();
  const tar = writeTarFixture(hugePath, spec);
  log(`e. wrote a ${(tar.tarBytes / 1e6).toFixed(0)} MB tar with ${tar.files} files in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  try {
    const huge = await freshRun(hugePath, tar.tarBytes, timeoutMs, userDataDir, openWith, problems);
    show('   ours alone on it, fresh page', huge);
    let cli: CliMemory | null = null;
    try {
      cli = await measureCliMemory(hugePath);
      log(`   CLI: ${(cli.ms / 1000).toFixed(1)} s, RSS ${cli.rss_before_mb.toFixed(0)} MB before, peak ${cli.peak_rss_mb.toFixed(0)} MB`);
    } catch (e) {
      problems.push(String(e));
    }
    return { cTar, huge, hugeFiles: tar.files, cli };
  } finally {
    await rm(hugePath, { force: true });
  }
}
