/**
 * The checksums, content keys and cache.db keys that a real BuildKit v0.8 stored for the fixtures'
 * contexts (tests/fixtures/checksum/vectors.json), recomputed from the context tars alone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contentKeys } from '../../../src/core/context/index.ts';
import { FIXTURES, indexTar, nodeSha256, planOf } from './helpers.ts';

interface Vector {
  case: string;
  context: 'a' | 'b';
  instruction: string;
  selector: string | string[];
  checksum: string | string[];
  contentKey: string;
  cacheDbRoot: string;
  edgeSelector: string;
  entries: { path: string; digest: string; type: string; headerDigest?: string }[];
}

const vectors: Vector[] = JSON.parse(readFileSync(FIXTURES + 'checksum/vectors.json', 'utf8'));
const caseDir = (name: string) => (name === 'copy-wildcard' ? FIXTURES + 'checksum/copy-wildcard' : FIXTURES + 'lab/' + name);

describe('BuildKit checksum vectors from a real cache.db', () => {
  it('covers every case of vectors.json', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(16);
  });

  it.each(vectors.map((v) => [`${v.case} ${v.context}: ${v.instruction}`, v] as const))('%s', async (_, v) => {
    const dir = caseDir(v.case);
    const index = await indexTar(`${dir}/context-${v.context}.tar`);
    const key = contentKeys(index, planOf(dir)).find((k) => k.instruction === v.instruction);
    expect(key, 'the COPY/ADD step is found in the Dockerfile').toBeDefined();

    const selectors = [v.selector].flat();
    const checksums = [v.checksum].flat();
    const bySelector = new Map(key!.selectors.map((s) => [s.selector, s.checksum]));
    expect([...bySelector.keys()].sort()).toEqual([...selectors].sort());
    selectors.forEach((sel, i) => expect(bySelector.get(sel), sel).toBe(checksums[i]));

    expect(key!.content_key).toBe(v.contentKey);
    expect(key!.cache_db_key).toBe(v.cacheDbRoot);
    expect(key!.edge_selector).toBe(v.edgeSelector);

    for (const expected of v.entries) {
      const entry = index.entries.find((e) => e.path === expected.path);
      expect(entry, expected.path).toBeDefined();
      expect(entry!.type).toBe(expected.type);
      if (expected.type === 'dir') {
        expect(entry!.dirDigest, expected.path).toBe(expected.digest);
        expect(entry!.digest, `${expected.path} header`).toBe(expected.headerDigest);
      } else {
        expect(entry!.digest, expected.path).toBe(expected.digest);
      }
    }
  });

  it('gives the same index with the WASM hasher as with node:crypto', async () => {
    for (const dir of [caseDir('add-dir-new-file'), caseDir('copy-wildcard'), caseDir('dockerignore-change')]) {
      for (const side of ['a', 'b']) {
        const wasm = await indexTar(`${dir}/context-${side}.tar`);
        const node = await indexTar(`${dir}/context-${side}.tar`, nodeSha256);
        expect(wasm).toEqual(node);
      }
    }
  });
});
