import { describe, expect, it } from 'vitest';
import { STALL_MS, stalledFor } from '../../../src/ui/input/stall.ts';

describe('stalledFor: a context read that stopped delivering bytes', () => {
  const job = { startedAt: 1000, sample: [] as { at: number; bytes: number }[], progress: { bytesDone: 0, bytesTotal: 10_000_000 as number | null } };

  it('counts from the start while no progress has come yet', () => {
    expect(stalledFor(job, 1000 + STALL_MS + 1)).toBeGreaterThan(STALL_MS);
  });

  it('counts from the last progress report', () => {
    const moving = { ...job, sample: [{ at: 20_000, bytes: 5_000_000 }], progress: { ...job.progress, bytesDone: 5_000_000 } };
    expect(stalledFor(moving, 21_000)).toBe(1000);
    expect(stalledFor(moving, 20_000 + STALL_MS + 500)).toBeGreaterThan(STALL_MS);
  });

  it('is 0 once every byte is read: directory digests at the end may take a while without progress', () => {
    expect(stalledFor({ ...job, progress: { ...job.progress, bytesDone: 10_000_000 } }, 1e9)).toBe(0);
  });

  it('a folder (unknown total) is judged by its reports alone', () => {
    expect(stalledFor({ ...job, progress: { ...job.progress, bytesTotal: null }, sample: [{ at: 5000, bytes: 1 }] }, 5000 + STALL_MS + 1)).toBeGreaterThan(
      STALL_MS,
    );
  });
});
