/**
 * When a context hash has made no progress for a while. The worker reports progress whenever bytes
 * arrive, so a long silence before the end of the file means the browser stopped handing it over.
 */

/** How long without progress before the page says the read has stalled. */
export const STALL_MS = 15_000;

/** What a running hash keeps (the `running` HashState of session/types.ts has this shape). */
export interface HashTiming {
  startedAt: number;
  /** Progress reports of the last seconds (`at` from `performance.now()`). */
  sample: { at: number; bytes: number }[];
  progress: { bytesDone: number; bytesTotal: number | null };
}

/** Milliseconds since the last progress, or 0 when the read is complete (finishing may take a while). */
export function stalledFor(job: HashTiming, now: number): number {
  const { bytesDone, bytesTotal } = job.progress;
  if (bytesTotal !== null && bytesDone >= bytesTotal) return 0;
  const last = job.sample[job.sample.length - 1]?.at ?? job.startedAt;
  return Math.max(0, now - last);
}
