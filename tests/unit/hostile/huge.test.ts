/**
 * Huge input, memory measured. A context tar synthesised as a stream (no file, no buffer: a 256 MB one in
 * the normal suite, 2 GB with CACHEWHY_FUZZ_RUNS) is hashed through the CLI's hasher with peak RSS
 * sampled; a generated 50 MB log (300 MB in the long run) is read and its peak memory over the text's
 * own size is stated.
 */
import { describe, expect, it } from 'vitest';
import { loadHasher } from '../../../src/cli/hasher.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { readLog } from '../../../src/core/log/index.ts';
import { LONG } from './fuzz.ts';
import { synthTarStream } from './tar-synth.ts';

const MB = 1024 * 1024;

/** Samples RSS every 20 ms while `fn` runs; returns its value, the peak RSS growth and the time. */
async function measure<T>(fn: () => Promise<T> | T): Promise<{ value: T; peakMb: number; seconds: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const start = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakMb: (peak - base) / MB, seconds: (performance.now() - start) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

describe('huge input, bounded memory', () => {
  const total = LONG ? 2048 * MB : 256 * MB;
  it(`a ${total / MB} MB context tar, streamed, is hashed with peak RSS under 256 MB above the start`, async () => {
    const hasher = await loadHasher();
    // Files of 64 MB, 1 MB and 4 KB so every hashing path (streaming, packed batch) runs.
    const sizes = [64 * MB, MB, 4096];
    const entries: number[] = [];
    for (let left = total, i = 0; left > 0; i++) {
      const size = Math.min(left, sizes[i % sizes.length]!);
      entries.push(size);
      left -= size;
    }
    const {
      value: result,
      peakMb,
      seconds,
    } = await measure(() =>
      indexContext(
        { kind: 'stream', stream: synthTarStream(entries.length, (i) => ({ name: `blob/${i}.bin`, size: entries[i]! })) },
        { name: 'huge.tar', hasher },
      ),
    );
    console.info(`${total / MB} MB streamed context: ${seconds.toFixed(1)} s, ${(total / MB / seconds).toFixed(0)} MB/s, peak RSS +${peakMb.toFixed(0)} MB`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.stats.bytes).toBe(total);
    expect(peakMb).toBeLessThan(256);
  }, 600_000);

  const logMb = LONG ? 300 : 50;
  it(`a ${logMb} MB plain log reads within a bounded multiple of its own size`, async () => {
    const step = (n: number) =>
      `#${n} [stage-0 ${(n % 30) + 1}/30] RUN make target-${n}\n#${n} 0.101 compiling module ${n} with some output that a real build prints\n#${n} 0.202 another line of output, ${'x'.repeat(40)}\n#${n} DONE 0.3s\n`;
    const parts: string[] = [];
    let size = 0;
    for (let n = 1; size < logMb * MB; n++) {
      const s = step(n);
      parts.push(s);
      size += s.length;
    }
    let text: string | null = parts.join('');
    parts.length = 0;
    const { value: result, peakMb, seconds } = await measure(() => readLog(text!, 'huge.log'));
    const textMb = text.length / MB;
    text = null;
    console.info(
      `${textMb.toFixed(0)} MB log: ${seconds.toFixed(1)} s, peak RSS +${peakMb.toFixed(0)} MB over the text itself (${(peakMb / textMb).toFixed(1)}× its size)`,
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.steps.length).toBeGreaterThanOrEqual(30);
    // readLog of a text already in memory: the bound is what it adds on top of it (streamed logs are
    // checked in log-stream.test.ts and measured by npm run bench).
    expect(peakMb).toBeLessThan(textMb * 8);
  }, 600_000);
});
