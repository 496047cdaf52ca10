/**
 * Issue #6 item 3: a huge context tar (≈2 GB by default) is hashed with bounded memory. This file is the
 * CLI half: it indexes a tar exactly as the CLI does (`openTarFile` → `indexOnThreads`: the WASM hasher on a pool of worker_threads)
 * in a CHILD process, so the figure is that process's own peak RSS (`VmHWM`, see `peakRssMb`), not the bench's.
 * The browser half lives in browser/host/chromium-bench.ts (case e). run.ts writes the tar once for both.
 *
 *   node --import tsx tests/bench/huge-context.ts <tar>   prints one JSON line: { ms, entries, rss_before_mb, peak_rss_mb }
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CliMemory {
  ms: number;
  entries: number;
  rss_before_mb: number;
  peak_rss_mb: number;
}

/** Runs this file as a child process on `tar` and returns what it measured. */
export function measureCliMemory(tar: string): Promise<CliMemory> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), tar], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(line) as CliMemory);
      } catch (e) {
        reject(new Error(`the CLI memory probe failed (${String(e)}): ${line.slice(0, 300)}`));
      }
    });
  });
}

async function probe(tar: string): Promise<void> {
  const { openTarFile } = await import('../../src/cli/folder.ts');
  const { loadHasher } = await import('../../src/cli/hasher.ts');
  // The CLI's own path: a pool of worker_threads (their memory is this process's too).
  const { indexOnThreads } = await import('../../src/cli/hash-pool.ts');
  const hasher = await loadHasher();
  const before = process.memoryUsage.rss() / 2 ** 20;
  const t = performance.now();
  const result = await indexOnThreads(() => openTarFile(tar), { name: tar, hasher });
  const ms = performance.now() - t;
  if (!result.ok) throw new Error(result.problem.message);
  const out: CliMemory = { ms, entries: result.value.entries.length, rss_before_mb: before, peak_rss_mb: peakRssMb() };
  console.log(JSON.stringify(out));
}

/**
 * This process's peak RSS. Not `resourceUsage().maxRSS`: Linux carries the parent's high-water mark over
 * fork and exec into the child's ru_maxrss, so a child of the bench (whose own RSS reaches ~300 MB after
 * the Node cases) reported 247–292 MB where the same run alone peaks at ~185. `VmHWM` belongs to the
 * child's own address space (its threads included).
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: fall back to the rusage figure
  }
  return process.resourceUsage().maxRSS / 1024;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await probe(process.argv[2]!);
