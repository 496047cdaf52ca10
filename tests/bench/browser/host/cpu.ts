/**
 * CPU time of this run's Chromium processes around one bench case, from /proc/<pid>/stat and
 * /proc/<pid>/task/<tid>/stat (utime + stime, in clock ticks of 10 ms). It answers "who burns the CPU":
 * the worker thread itself (Chromium names it `DedicatedWorker`), the rest of the renderer, the browser
 * process (which reads the file and feeds the blob data pipe) and the other helpers. On 2 cores, time
 * spent outside the worker thread can overlap the worker's work; time inside it cannot.
 */
import { readdir, readFile } from 'node:fs/promises';

export interface CpuSplit {
  workerMs: number;
  rendererOtherMs: number;
  browserMs: number;
  otherMs: number;
}

const TICK_MS = 10;

async function ticks(path: string): Promise<{ comm: string; ticks: number } | null> {
  try {
    const stat = await readFile(path, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // After "(comm)": state is field 3, so utime (14) and stime (15) sit at indexes 11 and 12.
    return { comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

export type CpuSnapshot = Map<string, number>;

/** Ticks per bucket: `worker`, `renderer`, `browser`, `other` (renderer = all renderer threads). */
export async function cpuSnapshot(pids: Map<number, string>, rendererPid: number | null): Promise<CpuSnapshot> {
  const out: CpuSnapshot = new Map([
    ['worker', 0],
    ['renderer', 0],
    ['browser', 0],
    ['other', 0],
  ]);
  const add = (k: string, v: number) => out.set(k, (out.get(k) ?? 0) + v);
  await Promise.all(
    [...pids].map(async ([pid, type]) => {
      const p = await ticks(`/proc/${pid}/stat`);
      if (!p) return;
      if (pid === rendererPid) {
        add('renderer', p.ticks);
        const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
        for (const tid of tids) {
          const t = await ticks(`/proc/${pid}/task/${tid}/stat`);
          if (t && t.comm.startsWith('DedicatedWorker')) add('worker', t.ticks);
        }
      } else add(type === 'browser' ? 'browser' : 'other', p.ticks);
    }),
  );
  return out;
}

export function cpuDelta(before: CpuSnapshot, after: CpuSnapshot): CpuSplit {
  const d = (k: string) => ((after.get(k) ?? 0) - (before.get(k) ?? 0)) * TICK_MS;
  return { workerMs: d('worker'), rendererOtherMs: d('renderer') - d('worker'), browserMs: d('browser'), otherMs: d('other') };
}

/** The renderer that runs a dedicated worker: the bench page's (spare renderers have none). */
export async function workerRenderer(pids: Map<number, string>): Promise<number | null> {
  for (const [pid, type] of pids) {
    if (type !== 'renderer') continue;
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const tid of tids) {
      const t = await ticks(`/proc/${pid}/task/${tid}/stat`);
      if (t?.comm.startsWith('DedicatedWorker')) return pid;
    }
  }
  return null;
}
