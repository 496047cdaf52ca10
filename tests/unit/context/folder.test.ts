/**
 * The Node folder walk against real archives of the same tree: fixture tars extracted with GNU tar,
 * and a tricky tree archived by GNU tar in gnu, posix (pax) and ustar formats and by Python's tarfile.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { folderSource, openTarFile, walkFolder } from '../../../src/cli/folder.ts';
import { contentKeys, indexContext } from '../../../src/core/context/index.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { FIXTURES, planOf, wasmSha256 } from './helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'ctx-folder-walk-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function indexed(source: Parameters<typeof indexContext>[0], name: string): Promise<ContextIndex> {
  const r = await indexContext(source, { name, hasher: await wasmSha256 });
  if (!r.ok) throw new Error(`${name}: ${r.problem.message}`);
  return r.value;
}

/** Path → digest of everything sent (hard links and their files hash alike). */
const digests = (ix: ContextIndex) => Object.fromEntries(ix.entries.filter((e) => !e.excluded).map((e) => [e.path, e.dirDigest ?? e.digest]));

describe('a folder hashes like the tar of it', () => {
  it.each(['lab/mode-only', 'lab/add-dir-new-file', 'lab/dockerignore-change', 'lab/seed-replica', 'checksum/copy-wildcard'])('%s', async (name) => {
    for (const side of ['a', 'b']) {
      const tar = `${FIXTURES}${name}/context-${side}.tar`;
      const dir = join(scratch, name.replace('/', '_') + side);
      mkdirSync(dir, { recursive: true });
      execFileSync('tar', ['-xpf', tar, '-C', dir]);
      const fromTar = await indexed(await openTarFile(tar), tar);
      const fromFolder = await indexed(await folderSource(dir), dir);
      expect(fromFolder.kind).toBe('folder');
      expect(fromFolder.modesKnown).toBe(true);
      expect(fromFolder.rootDigest).toBe(fromTar.rootDigest);
      const plan = planOf(FIXTURES + name);
      expect(contentKeys(fromFolder, plan)).toEqual(contentKeys(fromTar, plan));
    }
  });
});

describe('archives written by real tools', () => {
  const tree = join(scratch, 'tree');
  const longDir = 'deep-' + 'd'.repeat(90);
  mkdirSync(join(tree, longDir, 'sub dir=with equals'), { recursive: true });
  mkdirSync(join(tree, 'empty'));
  mkdirSync(join(tree, 'private'), { mode: 0o700 });
  chmodSync(join(tree, 'private'), 0o700);
  writeFileSync(join(tree, 'Dockerfile'), 'FROM scratch\nCOPY . .\n');
  writeFileSync(join(tree, longDir, 'sub dir=with equals', 'f'.repeat(120) + '.txt'), 'long name\n');
  writeFileSync(join(tree, 'naïve café.txt'), 'unicode\n');
  writeFileSync(join(tree, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(tree, 'run.sh'), 0o4755);
  writeFileSync(
    join(tree, 'big.bin'),
    new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 253),
  );
  linkSync(join(tree, 'run.sh'), join(tree, 'hardlink.sh'));
  symlinkSync('run.sh', join(tree, 'link'));
  symlinkSync('/etc/passwd', join(tree, 'absolute-link'));
  symlinkSync('nowhere', join(tree, 'dangling'));
  execFileSync('mkfifo', [join(tree, 'pipe')]);

  const tarWith = (format: string, extra: string[] = []) => {
    const out = join(scratch, `tree-${format}.tar`);
    execFileSync('tar', [`--format=${format}`, ...extra, '-cf', out, '-C', tree, '.']);
    return out;
  };

  it('reads GNU, pax and Python tarfile archives to the same digests as the folder walk', async () => {
    const folder = digests(await indexed(await folderSource(tree), 'tree'));
    expect(Object.keys(folder)).toContain(`${longDir}/sub dir=with equals/${'f'.repeat(120)}.txt`);
    expect(Object.keys(folder)).toContain('naïve café.txt');
    const python = join(scratch, 'tree-python.tar');
    execFileSync('python3', [
      '-c',
      `import tarfile,sys\nwith tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t: t.add(sys.argv[2], arcname=".")`,
      python,
      tree,
    ]);
    for (const file of [tarWith('gnu'), tarWith('posix'), python]) {
      const ix = await indexed(await openTarFile(file), file);
      expect(digests(ix), file).toEqual(folder);
    }
  });

  it('reads a .tar.gz made by GNU tar', async () => {
    const gz = join(scratch, 'tree.tar.gz');
    execFileSync('tar', ['-czf', gz, '-C', tree, '.']);
    const ix = await indexed(await openTarFile(gz), gz);
    expect(ix.kind).toBe('tar.gz');
    expect(digests(ix)).toEqual(digests(await indexed(await folderSource(tree), 'tree')));
  });

  it('walks with real modes, symlink targets and entry types', async () => {
    const files = await walkFolder(tree);
    const by = (p: string) => files.find((f) => f.path === p)!;
    expect(by('run.sh')).toMatchObject({ type: 'file', mode: 0o4755 });
    expect(by('private')).toMatchObject({ type: 'dir', mode: 0o700 });
    expect(by('link')).toMatchObject({ type: 'symlink', linkname: 'run.sh' });
    expect(by('pipe')).toMatchObject({ type: 'fifo', size: 0 });
  });
});

describe('a browser folder without modes', () => {
  it('hashes files as 0644 and says that modes cannot be seen', async () => {
    const enc = new TextEncoder();
    const file = (path: string, text: string) => ({
      path,
      mode: null,
      type: 'file' as const,
      size: text.length,
      read: () => new Blob([enc.encode(text)]).stream(),
    });
    const r = await indexContext(
      { kind: 'files', files: [{ path: 'd', mode: null, type: 'dir', size: 0, read: () => new Blob().stream() }, file('d/a.txt', 'a'), file('b.txt', 'b')] },
      { name: 'picked', hasher: await wasmSha256 },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.modesKnown).toBe(false);
    expect(r.value.entries.map((e) => [e.path, e.mode])).toEqual([
      ['b.txt', 0o644],
      ['d', 0o755],
      ['d/a.txt', 0o644],
    ]);
    expect(r.problems?.some((p) => /do not expose file modes/.test(p.message))).toBe(true);
  });
});
