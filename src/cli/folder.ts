/**
 * Node-only inputs for the context indexer: a directory walk (real modes via lstat, symlink targets via
 * readlink) and a tar / tar.gz file as a stream. Nothing is skipped here: `.dockerignore` is applied by
 * `indexContext`, exactly as for a tar.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextSource, FolderFile } from '../core/context/index.ts';
import type { ContextEntryType } from '../core/model.ts';

/** 1 MiB reads: fewer, bigger chunks for the hasher's batches. */
const READ_CHUNK = 1024 * 1024;

function typeOf(st: import('node:fs').Stats): ContextEntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  // Regular files, and sockets, which BuildKit's client sends as regular files (§2.1).
  return 'file';
}

/** Linux `dev_t` → major/minor, as glibc's gnu_dev_major/minor. */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const big = BigInt(rdev);
  return {
    devmajor: Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn)),
    devminor: Number((big & 0xffn) | ((big >> 12n) & ~0xffn)),
  };
}

/**
 * Every entry under `root` (not `root` itself), parents before children. Hard links need no special
 * case: BuildKit gives a hard link its first path's digest, and two paths of one inode hash alike.
 */
export async function walkFolder(root: string): Promise<FolderFile[]> {
  const files: FolderFile[] = [];
  async function visit(dir: string, rel: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      const abs = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const st = await lstat(abs);
      const type = typeOf(st);
      const file: FolderFile = {
        path,
        mode: st.mode & 0o7777,
        type,
        size: type === 'file' && st.isFile() ? st.size : 0,
        read: () => (st.isFile() ? (createReadStream(abs, { highWaterMark: READ_CHUNK }) as AsyncIterable<Uint8Array>) : emptyStream()),
      };
      if (type === 'symlink') file.linkname = await readlink(abs);
      if (type === 'char' || type === 'block') Object.assign(file, deviceNumbers(st.rdev));
      files.push(file);
      if (type === 'dir') await visit(abs, path);
    }
  }
  await visit(root, '');
  return files;
}

async function* emptyStream(): AsyncGenerator<Uint8Array> {}

/** A directory as a `files` context source. */
export async function folderSource(root: string): Promise<ContextSource> {
  return { kind: 'files', files: await walkFolder(root) };
}

/** A .tar or .tar.gz file as a `stream` context source (gzip is sniffed from the bytes). */
export async function openTarFile(path: string): Promise<ContextSource> {
  const { size } = await stat(path);
  return { kind: 'stream', stream: plainBytes(createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>), size };
}

/**
 * The chunks as plain Uint8Array views of the same memory. Why: the tar reader cuts a subarray per entry,
 * and a Buffer's subarray builds a Buffer, several times slower than a Uint8Array's on small pieces.
 */
async function* plainBytes(chunks: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
}
