/**
 * Content keys computed once per build (issue 13): `analyze` hashes each context's COPY/ADD sources once,
 * and the context diff and the hash notes reuse those keys instead of hashing the sources again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { ContextIndex } from '../../../src/core/model.ts';

/** Calls from outside checksum.ts (a module's own inner calls are not intercepted). */
const counted = vi.hoisted(() => ({ contexts: 0, steps: 0 }));

vi.mock('../../../src/core/context/checksum.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/context/checksum.ts')>();
  return {
    ...real,
    contentKeys: (...args: Parameters<typeof real.contentKeys>) => {
      counted.contexts += 1;
      return real.contentKeys(...args);
    },
    stepContentKey: (...args: Parameters<typeof real.stepContentKey>) => {
      counted.steps += 1;
      return real.stepContentKey(...args);
    },
  };
});

const { analyze } = await import('../../../src/core/analyze.ts');
const { indexContext } = await import('../../../src/core/context/index.ts');
const { loadHasher } = await import('../../../src/cli/hasher.ts');
const { openTarFile } = await import('../../../src/cli/folder.ts');

const LAB = join(import.meta.dirname, '../../fixtures/lab');
const text = (c: string, f: string) => ({ name: f, text: readFileSync(join(LAB, c, f), 'utf8') });

async function contextOf(c: string, f: string): Promise<ContextIndex> {
  const result = await indexContext(await openTarFile(join(LAB, c, f)), { name: f, hasher: await loadHasher() });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

describe('content keys', () => {
  for (const c of ['copy-file-content', 'seed-replica']) {
    it(`are computed once per build and step (${c})`, async () => {
      const contexts = [await contextOf(c, 'context-a.tar'), await contextOf(c, 'context-b.tar')];
      counted.contexts = 0;
      counted.steps = 0;
      const { report, problems } = analyze({ logs: [text(c, 'a.log'), text(c, 'b.log')], dockerfiles: [text(c, 'Dockerfile')], contexts });
      expect(problems).toEqual([]);
      expect(report.contexts!.every((ctx) => ctx.keys.length > 0)).toBe(true);
      expect(report.diagnosis?.context_diffs?.length).toBeGreaterThan(0);
      // Each context's keys once (for the report), and the diff hashed no step's sources again.
      expect(counted.contexts).toBe(2);
      expect(counted.steps).toBe(0);
    });
  }
});
