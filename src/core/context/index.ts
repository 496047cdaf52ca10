/**
 * The build context, hashed the way BuildKit hashes it: `indexContext` reads a tar, a tar.gz or a folder
 * into a ContextIndex; `contentKeys` gives each COPY/ADD step's content key; `diffContexts` names the
 * files and fields that changed a step's key between two builds.
 */
import type { ContextEntryType, ContextIndex, InputProblem, Result } from '../model.ts';
import { ContextBuilder } from './builder.ts';
import { NO_XATTRS } from './checksum.ts';
import type { Sha256 } from './hasher.ts';
import { nextTask, PoolFailedError, PooledHashing, type HashPool } from './pool.ts';
import { CancelledError, chunksOf, GzipError, openArchive, UnsupportedFormatError, type ByteSource } from './stream.ts';
import { normalizeArchivePath, TarParser, type TarProblem } from './tar.ts';

export { contentKeys, CHECKSUM_ERA } from './checksum.ts';
export { diffContexts } from './diff.ts';
export { parseDockerignore } from './dockerignore.ts';
export type { Sha256, Sha256Batch, StreamingSha256 } from './hasher.ts';
export type { ByteSource } from './stream.ts';
export { HashPool, PoolFailedError, type HashEndpoint } from './pool.ts';

/** One entry of a folder (a browser directory pick or drop, or a Node directory walk). */
export interface FolderFile {
  /** Path relative to the folder, `/`-separated. */
  path: string;
  /** Permission bits (`mode & 0o7777`); null when unknown (browsers): 0644 files, 0755 dirs are assumed. */
  mode: number | null;
  type: ContextEntryType;
  /** Symlink target. */
  linkname?: string;
  size: number;
  /** Device numbers of char/block devices. */
  devmajor?: number;
  devminor?: number;
  /** The file's bytes (called once, files only). */
  read(): ByteSource;
}

export type ContextSource = { kind: 'stream'; stream: ByteSource; size?: number } | { kind: 'files'; files: FolderFile[] };

export interface IndexProgress {
  /** Bytes read from the source so far (compressed bytes for a .tar.gz). */
  bytes: number;
  totalBytes: number | null;
  entries: number;
  /** The entry being read. */
  path: string;
}

export interface IndexOptions {
  /** File or folder name, for messages and `ContextIndex.source`. */
  name: string;
  hasher: Sha256;
  /**
   * Entry contents are hashed by these workers instead of this thread (the hasher still does directory
   * and metadata digests). A pool that fails makes `indexContext` throw `PoolFailedError`;
   * `indexContextParallel` then hashes again in this thread.
   */
  pool?: HashPool | null;
  /** undefined: read `.dockerignore` from the context root; null: apply none; a text: apply it. */
  dockerignore?: string | null;
  /** The Dockerfile's path inside the context, when it is there (only used for notes). */
  dockerfilePath?: string | null;
  signal?: AbortSignal;
  /** Called at least every 100 ms while reading, and once at the end. */
  onProgress?: (progress: IndexProgress) => void;
}

/** Progress is throttled by time, so a fast stream of tiny entries does not flood the UI. */
const PROGRESS_INTERVAL_MS = 50;
/** The most bytes handed to the tar reader between two checks of the AbortSignal. */
const PIECE = 1024 * 1024;

/** What the reading loops share: bytes read so far, throttled progress, yielding and backpressure. */
class ReadPacer {
  bytes = 0;
  private lastReport = 0;
  private lastYield = Date.now();
  private readonly builder: ContextBuilder;
  private readonly totalBytes: number | null;
  private readonly onProgress: IndexOptions['onProgress'];

  constructor(builder: ContextBuilder, totalBytes: number | null, onProgress: IndexOptions['onProgress']) {
    this.builder = builder;
    this.totalBytes = totalBytes;
    this.onProgress = onProgress;
  }

  report(force = false): void {
    if (!this.onProgress) return;
    const now = Date.now();
    if (!force && now - this.lastReport < PROGRESS_INTERVAL_MS) return;
    this.lastReport = now;
    this.onProgress({ bytes: this.bytes, totalBytes: this.totalBytes, entries: this.builder.entries, path: this.builder.lastPath });
  }

  /**
   * Let the event loop run (a worker's `cancel` message, timers) at least every 50 ms of hashing, and
   * wait while the hashing workers have as much as they may (backpressure).
   */
  async pace(): Promise<void> {
    const room = this.builder.hashing.ready();
    if (room) {
      await room;
      this.lastYield = Date.now();
      return;
    }
    if (Date.now() - this.lastYield < PROGRESS_INTERVAL_MS) return;
    await nextTask();
    this.lastYield = Date.now();
  }
}

/** A tar or tar.gz stream through the tar reader into the builder; a problem when the archive is bad. */
async function readArchive(
  stream: ByteSource,
  builder: ContextBuilder,
  pacer: ReadPacer,
  signal: AbortSignal | undefined,
): Promise<{ kind: ContextIndex['kind']; problem: TarProblem | null }> {
  const archive = await openArchive(stream, signal);
  const parser = new TarParser(builder);
  let tarBytes = 0;
  for await (const chunk of archive.chunks) {
    // A source may hand over one huge chunk (Node's Blob.stream() gives the whole Blob at once):
    // work through it in pieces so progress and cancellation still happen in between.
    for (let at = 0; at < chunk.length; at += PIECE) {
      if (signal?.aborted) throw new CancelledError();
      const piece = chunk.subarray(at, at + PIECE);
      const problem = parser.push(piece);
      tarBytes += piece.length;
      pacer.bytes = archive.kind === 'tar' ? tarBytes : archive.sourceBytes();
      if (problem) {
        await archive.chunks.return(undefined);
        return { kind: archive.kind, problem };
      }
      pacer.report();
      await pacer.pace();
    }
  }
  return { kind: archive.kind, problem: parser.finish() };
}

/** A folder's files into the builder, each read in turn (unknown modes: 0644 files, 0755 dirs, 0777 symlinks). */
async function readFolder(files: FolderFile[], builder: ContextBuilder, pacer: ReadPacer, signal: AbortSignal | undefined): Promise<void> {
  for (const file of files) {
    if (signal?.aborted) throw new CancelledError();
    const mode = file.mode ?? (file.type === 'dir' ? 0o755 : file.type === 'symlink' ? 0o777 : 0o644);
    builder.entry({
      path: normalizeArchivePath(file.path),
      type: file.type,
      mode: mode & 0o7777,
      size: file.type === 'file' ? file.size : 0,
      linkname: file.linkname ?? '',
      devmajor: file.devmajor ?? 0,
      devminor: file.devminor ?? 0,
      xattrs: NO_XATTRS,
    });
    if (file.type === 'file') {
      for await (const chunk of chunksOf(file.read(), signal)) {
        builder.data(chunk);
        pacer.bytes += chunk.length;
        pacer.report();
        await pacer.pace();
      }
    }
    builder.end();
    pacer.report();
    await pacer.pace();
  }
}

function failed(opts: IndexOptions, message: string, hint?: string): Result<ContextIndex> {
  return { ok: false, problem: hint ? { input: opts.name, message, hint } : { input: opts.name, message } };
}

/** What went wrong while reading, as the problem a user can act on; a failed pool is rethrown (the caller falls back). */
function readFailure(error: unknown, opts: IndexOptions): Result<ContextIndex> {
  if (error instanceof CancelledError || opts.signal?.aborted) return failed(opts, 'Reading the context was cancelled.');
  if (error instanceof PoolFailedError) throw error;
  if (error instanceof GzipError) {
    return failed(
      opts,
      'The gzip stream ended early or is damaged, so the archive inside cannot be read completely.',
      'The .tar.gz was probably cut during download or copy; compress the context again.',
    );
  }
  if (error instanceof UnsupportedFormatError) {
    return failed(
      opts,
      `This is a ${error.format} file, not a tar archive: only .tar and .tar.gz contexts can be read.`,
      error.format === 'zip' || error.format === '7z'
        ? 'Create a tar of the context folder instead (tar -czf ctx.tar.gz -C <dir> .), or give the folder itself.'
        : `Decompress it first (it should then be a .tar), or give the context as .tar.gz or as a folder.`,
    );
  }
  return failed(opts, `The context could not be read: ${error instanceof Error ? error.message : String(error)}`);
}

export async function indexContext(source: ContextSource, opts: IndexOptions): Promise<Result<ContextIndex>> {
  // With a pool, this thread hashes too whenever the workers are saturated (work sharing, pool.ts).
  const builder = new ContextBuilder(opts.hasher, opts.name, opts.pool ? new PooledHashing(opts.pool, opts.hasher) : undefined);
  const totalBytes = source.kind === 'stream' ? (source.size ?? null) : source.files.reduce((n, f) => n + (f.type === 'file' ? f.size : 0), 0);
  const pacer = new ReadPacer(builder, totalBytes, opts.onProgress);
  try {
    let kind: ContextIndex['kind'] = 'folder';
    let modesKnown = true;
    if (source.kind === 'stream') {
      const read = await readArchive(source.stream, builder, pacer, opts.signal);
      if (read.problem) return failed(opts, read.problem.message, read.problem.hint);
      kind = read.kind;
    } else {
      modesKnown = source.files.every((f) => f.mode !== null);
      await readFolder(source.files, builder, pacer, opts.signal);
    }
    await builder.settle();
    const index = builder.finish({ source: opts.name, kind, modesKnown, dockerignore: opts.dockerignore });
    noteDockerfile(index, opts.dockerfilePath);
    pacer.report(true);
    const problems: InputProblem[] = index.problems;
    return problems.length > 0 ? { ok: true, value: index, problems } : { ok: true, value: index };
  } catch (error) {
    return readFailure(error, opts);
  } finally {
    // Cancelled, failed or done: the batch's (wasm) memory goes back for the next index.
    builder.dispose();
  }
}

function noteDockerfile(index: ContextIndex, dockerfilePath: string | null | undefined): void {
  if (!dockerfilePath) return;
  const path = normalizeArchivePath(dockerfilePath);
  const entry = index.entries.find((e) => e.path === path);
  if (entry?.excluded) {
    index.problems.push({
      input: index.source,
      message: `.dockerignore excludes the Dockerfile (${path}): BuildKit still reads it, but it is not part of the context, so COPY . . does not see it change.`,
    });
  }
}

/**
 * `indexContext` on a pool of hashing workers; should the pool fail (a worker that does not start, dies
 * or does not answer), the context is opened again and hashed in this thread, so a job never waits on a
 * lost worker. Gives the same index either way.
 */
export async function indexContextParallel(
  open: () => ContextSource | Promise<ContextSource>,
  opts: IndexOptions,
  onPoolFailure?: (error: PoolFailedError) => void,
): Promise<Result<ContextIndex>> {
  if (opts.pool && !opts.pool.failed) {
    try {
      return await indexContext(await open(), opts);
    } catch (error) {
      if (!(error instanceof PoolFailedError)) throw error;
      onPoolFailure?.(error);
    }
  }
  return indexContext(await open(), { ...opts, pool: null });
}
