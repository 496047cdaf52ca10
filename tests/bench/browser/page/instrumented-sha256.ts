/**
 * Wraps a `Sha256` to count calls, bytes and the time spent inside the hash, for the profiled context
 * run: pipeline time minus hash time is what tar reading, header building, directory digests and
 * bookkeeping cost. The timers add ~1 µs per call, which is why timed rounds never use this wrapper.
 */
import type { Sha256, StreamingSha256 } from '../../../../src/core/context/hasher.ts';
import type { ContextProfile } from './protocol.ts';

export type HashCounters = Pick<ContextProfile, 'hashMs' | 'hashCalls' | 'hashedBytes'>;

export function instrument(inner: Sha256): { hasher: Sha256; counters: HashCounters } {
  const counters: HashCounters = {
    hashMs: 0,
    hashedBytes: 0,
    hashCalls: { digest: 0, digestMany: 0, digestManyBuffers: 0, create: 0, update: 0, finish: 0 },
  };
  const c = counters.hashCalls;
  const hasher: Sha256 = {
    digest(data) {
      const t = performance.now();
      const out = inner.digest(data);
      counters.hashMs += performance.now() - t;
      c.digest++;
      counters.hashedBytes += data.length;
      return out;
    },
    digestMany(buffers) {
      const t = performance.now();
      const out = inner.digestMany(buffers);
      counters.hashMs += performance.now() - t;
      c.digestMany++;
      c.digestManyBuffers += buffers.length;
      for (const b of buffers) counters.hashedBytes += b.length;
      return out;
    },
    create(): StreamingSha256 {
      const t = performance.now();
      const s = inner.create();
      counters.hashMs += performance.now() - t;
      c.create++;
      return {
        update(data) {
          const t0 = performance.now();
          s.update(data);
          counters.hashMs += performance.now() - t0;
          c.update++;
          counters.hashedBytes += data.length;
        },
        finish() {
          const t0 = performance.now();
          const out = s.finish();
          counters.hashMs += performance.now() - t0;
          c.finish++;
          return out;
        },
      };
    },
  };
  return { hasher, counters };
}
