/**
 * The index keeps the text of the Dockerfile-named files of a context, so that a build whose Dockerfile
 * was not given can be read from its own context (src/core/ingest/dockerfiles.ts).
 */
import { describe, expect, it } from 'vitest';
import { indexContext } from '../../../src/core/context/index.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

async function index(specs: TarSpec[]): Promise<ContextIndex> {
  const r = await indexContext(streamOf(writeTar(specs)), { name: 'ctx', hasher: await wasmSha256 });
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

describe('Dockerfiles kept from the context', () => {
  it('keeps the root Dockerfile, service Dockerfiles and *.Dockerfile, even when .dockerignore excludes them', async () => {
    const ix = await index([
      { name: '.dockerignore', data: 'Dockerfile\n' },
      { name: 'Dockerfile', data: 'FROM a\nCOPY . .\n' },
      { name: 'api/', flag: '5' },
      { name: 'api/Dockerfile', data: 'FROM b\n' },
      { name: 'web.Dockerfile', data: 'FROM c\n' },
      { name: 'notes.txt', data: 'not a Dockerfile' },
    ]);
    expect(ix.dockerfiles).toEqual([
      { path: 'Dockerfile', text: 'FROM a\nCOPY . .\n' },
      { path: 'api/Dockerfile', text: 'FROM b\n' },
      { path: 'web.Dockerfile', text: 'FROM c\n' },
    ]);
    expect(ix.entries.find((e) => e.path === 'Dockerfile')?.excluded).toBe(true);
  });

  it('keeps nothing for a context without one, a Dockerfile over 128 KB, or a directory named Dockerfile', async () => {
    expect((await index([{ name: 'a.txt', data: 'a' }])).dockerfiles).toBeUndefined();
    expect((await index([{ name: 'Dockerfile', data: 'x'.repeat(128 * 1024 + 1) }])).dockerfiles).toBeUndefined();
    expect(
      (
        await index([
          { name: 'Dockerfile/', flag: '5' },
          { name: 'Dockerfile/x', data: 'x' },
        ])
      ).dockerfiles,
    ).toBeUndefined();
  });

  it('keeps the last of duplicate entries, as the index does, and at most 16 files', async () => {
    const dup = await index([
      { name: 'Dockerfile', data: 'FROM old\n' },
      { name: 'Dockerfile', data: 'FROM new\n' },
    ]);
    expect(dup.dockerfiles).toEqual([{ path: 'Dockerfile', text: 'FROM new\n' }]);
    const many = await index(Array.from({ length: 20 }, (_, i): TarSpec => ({ name: `s${String(i).padStart(2, '0')}.Dockerfile`, data: `FROM s${i}\n` })));
    expect(many.dockerfiles).toHaveLength(16);
  });
});
