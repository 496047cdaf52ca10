/**
 * Samples the resident memory of the Chromium processes that belong to one user-data-dir, from
 * /proc/<pid>/status (Linux only). A process belongs to the run when its command line names the
 * user-data-dir or it descends from one that does (renderers are spawned by the zygote, whose
 * command line may not repeat the flag).
 */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcMem {
  pid: number;
  /** `--type=` of the Chromium process (`renderer`, `gpu-process`, …), `browser` for the main one. */
  type: string;
  rssMb: number;
  hwmMb: number;
}

export interface RssPeak {
  /** The renderer hosting the bench page and its worker (or, if unknown, the one with the highest VmRSS). */
  rendererPid: number | null;
  /** Its highest sampled VmRSS. */
  rendererPeakMb: number;
  /** Highest VmHWM of the tracked renderer(s) (kernel-tracked peak since start: catches spikes between samples). */
  rendererHwmMb: number;
  /** Highest sum of VmRSS over all processes of the run at one sample (counts shared pages more than once). */
  totalPeakMb: number;
  samples: number;
  /** Highest renderer VmRSS seen while each label (set with `mark`) was current. */
  byLabel: Record<string, number>;
}

const MB = 1024 * 1024;

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function statusField(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? (Number(m[1]) * 1024) / MB : 0;
}

/** Pids of the run: those whose cmdline has the user-data-dir, plus all their descendants. */
export async function chromiumPids(userDataDir: string): Promise<Map<number, string>> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).map(Number);
  const parent = new Map<number, number>();
  const type = new Map<number, string>();
  const roots = new Set<number>();
  await Promise.all(
    pids.map(async (pid) => {
      const [stat, cmd] = await Promise.all([readText(`/proc/${pid}/stat`), readText(`/proc/${pid}/cmdline`)]);
      if (!stat || cmd === null) return;
      // Field 4 (ppid) comes after "(comm)", which may itself contain spaces or parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(pid, ppid);
      // Chromium rewrites the title of zygote-forked children (setproctitle), which turns their
      // NUL-separated argv into one space-separated string: split on both.
      const args = cmd.split(/[\0 ]/);
      type.set(pid, args.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser');
      if (args.some((a) => a === `--user-data-dir=${userDataDir}`)) roots.add(pid);
    }),
  );
  const mine = new Map<number, string>();
  for (const pid of parent.keys()) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (roots.has(p)) {
        mine.set(pid, type.get(pid) ?? '?');
        break;
      }
    }
  }
  return mine;
}

export async function sampleOnce(pids: Map<number, string>): Promise<ProcMem[]> {
  const out: ProcMem[] = [];
  await Promise.all(
    [...pids].map(async ([pid, type]) => {
      const status = await readText(`/proc/${pid}/status`);
      if (status) out.push({ pid, type, rssMb: statusField(status, 'VmRSS'), hwmMb: statusField(status, 'VmHWM') });
    }),
  );
  return out;
}

/** Samples every `intervalMs` until `stop()`; rescans the process tree every second. */
export function startRssSampler(
  userDataDir: string,
  rendererPid: number | null,
  intervalMs = 50,
): { stop: () => Promise<RssPeak>; mark: (label: string) => void; setRenderer: (pid: number | null) => void } {
  const peak: RssPeak = { rendererPid, rendererPeakMb: 0, rendererHwmMb: 0, totalPeakMb: 0, samples: 0, byLabel: {} };
  let label = '';
  let pids = new Map<number, string>();
  let lastScan = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      if (Date.now() - lastScan > 1000) {
        pids = await chromiumPids(userDataDir);
        lastScan = Date.now();
      }
      const mem = await sampleOnce(pids);
      let total = 0;
      for (const m of mem) {
        total += m.rssMb;
        if (m.type !== 'renderer') continue;
        // With a known renderer, only it counts; otherwise the biggest renderer is taken to be the one.
        if (rendererPid !== null && m.pid !== rendererPid) continue;
        if (label) peak.byLabel[label] = Math.max(peak.byLabel[label] ?? 0, m.rssMb);
        if (m.rssMb > peak.rendererPeakMb) {
          peak.rendererPid = m.pid;
          peak.rendererPeakMb = m.rssMb;
        }
        peak.rendererHwmMb = Math.max(peak.rendererHwmMb, m.hwmMb);
      }
      peak.totalPeakMb = Math.max(peak.totalPeakMb, total);
      peak.samples++;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    setRenderer(pid) {
      rendererPid = pid;
      pids = new Map();
      lastScan = 0;
    },
    mark(next) {
      label = next;
    },
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
