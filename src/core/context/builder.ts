/**
 * Turns a stream of entries (from the tar reader or a folder walk) into a ContextIndex: per-entry
 * BuildKit digests while the bytes stream past, then `.dockerignore`, hardlinks and directory digests
 * once the stream has ended.
 *
 * Speed: each entry's header and content go to an `EntryHashing` (entry-hashing.ts): here, small files
 * batched four at a time and big ones streamed, or a pool of hashing workers (pool.ts). File bytes are
 * never kept beyond a batch or packet, so memory stays flat whatever the context size.
 */
import { concatBytes } from '../bytes.ts';
import type { ContextEntry, ContextIndex, InputProblem } from '../model.ts';
import { CHECKSUM_ERA, computeDirectoryDigests, keptXattrs, NO_XATTRS, tarsumHeader, tarsumHeaderText } from './checksum.ts';
import { credentialKind, isNpmrc, NpmrcAuthScanner } from './credentials.ts';
import { digestText } from './digest.ts';
import { createMatcher, parseDockerignore } from './dockerignore.ts';
import { LocalHashing, type EntryHashing } from './entry-hashing.ts';
import type { Sha256 } from './hasher.ts';
import type { TarEntry, TarSink } from './tar.ts';

const MAX_DOCKERIGNORE = 1024 * 1024;
/** Dockerfile-named files kept as text (the Dockerfile reader refuses more than 128 KB anyway). */
const MAX_DOCKERFILES = 16;
const MAX_DOCKERFILE_BYTES = 128 * 1024;
const DOCKERFILE_NAME = /(?:^|\/)(?:Dockerfile|[^/]+\.Dockerfile|Dockerfile\.[^/]+)$/i;

export interface BuildOptions {
  source: string;
  kind: ContextIndex['kind'];
  modesKnown: boolean;
  /** undefined: read `.dockerignore` from the context; null: none; text: these patterns. */
  dockerignore?: string | null;
}

export class ContextBuilder implements TarSink {
  readonly problems: InputProblem[] = [];
  entries = 0;
  lastPath = '';
  private readonly hasher: Sha256;
  /** Where entry contents are hashed; `settle()` it before `finish`. */
  readonly hashing: EntryHashing;
  /** Every entry by path while the stream lasts; emptied by `finish` (the index must not pin it). */
  private byPath = new Map<string, ContextEntry>();
  private current: ContextEntry | null = null;
  /** Whether the current entry's message is open in `hashing` (not for hardlinks and the root). */
  private hashingOpen = false;
  private currentBytes = 0;
  private npmrc: NpmrcAuthScanner | null = null;
  private readonly npmrcWithAuth = new Set<string>();
  private dockerignoreParts: Uint8Array[] | null = null;
  private dockerignoreText: string | null = null;
  /** The bytes of the Dockerfile-named file being read, and the texts of those read so far by path. */
  private dockerfileParts: Uint8Array[] | null = null;
  private readonly dockerfiles = new Map<string, string>();
  private readonly input: string;

  constructor(hasher: Sha256, input: string, hashing?: EntryHashing) {
    this.hasher = hasher;
    this.hashing = hashing ?? new LocalHashing(hasher);
    this.input = input;
  }

  warn(message: string): void {
    this.problems.push({ input: this.input, message });
  }

  entry(tar: TarEntry): void {
    this.entries++;
    this.lastPath = tar.path;
    if (tar.path === '') {
      // The root's own header never counts: BuildKit fakes it as sha256("") (§6).
      this.current = null;
      return;
    }
    const entry: ContextEntry = {
      path: tar.path,
      type: tar.type,
      mode: tar.mode,
      size: tar.type === 'file' ? tar.size : 0,
      linkname: tar.type === 'symlink' || tar.type === 'hardlink' ? tar.linkname : '',
      xattrs: keptXattrs(tar.xattrs),
      digest: '',
      excluded: false,
    };
    // A later entry with a kept Dockerfile's path replaces it (if it is a file, `end` keeps its text).
    this.dockerfiles.delete(entry.path);
    this.byPath.set(entry.path, entry); // a later entry with the same path replaces the earlier one
    this.current = entry;
    this.currentBytes = 0;
    if (entry.type === 'hardlink') return; // takes its target's digest at the end (§2.2 Hardlinks)
    const header = tarsumHeaderText({
      type: entry.type,
      mode: entry.mode,
      size: entry.size,
      linkname: entry.linkname,
      devmajor: tar.devmajor,
      devminor: tar.devminor,
      xattrs: entry.xattrs,
    });
    this.hashing.begin(header, entry.size);
    this.hashingOpen = true;
    if (entry.type === 'file') {
      if (isNpmrc(entry.path)) this.npmrc = new NpmrcAuthScanner();
      if (entry.path === '.dockerignore') this.dockerignoreParts = [];
      else if (DOCKERFILE_NAME.test(entry.path) && entry.size <= MAX_DOCKERFILE_BYTES) {
        if (this.dockerfiles.size < MAX_DOCKERFILES || this.dockerfiles.has(entry.path)) this.dockerfileParts = [];
      }
    }
  }

  data(bytes: Uint8Array): void {
    if (!this.current) return;
    this.currentBytes += bytes.length;
    if (this.hashingOpen) this.hashing.data(bytes);
    this.npmrc?.feed(bytes);
    if (this.dockerignoreParts && this.currentBytes <= MAX_DOCKERIGNORE) this.dockerignoreParts.push(new Uint8Array(bytes)); // a copy, even of a Node Buffer
    if (this.dockerfileParts && this.currentBytes <= MAX_DOCKERFILE_BYTES) this.dockerfileParts.push(new Uint8Array(bytes));
  }

  end(): void {
    const entry = this.current;
    if (!entry) return;
    if (entry.type === 'file' && this.currentBytes !== entry.size) {
      this.problems.push({
        input: this.input,
        message: `${entry.path} had ${this.currentBytes} bytes instead of the ${entry.size} announced: it changed while it was read, so its digest is not reliable.`,
        hint: 'Index the context again while nothing writes to it.',
      });
    }
    if (this.hashingOpen) {
      this.hashing.end(entry);
      this.hashingOpen = false;
    }
    if (this.npmrc) {
      if (this.npmrc.found) this.npmrcWithAuth.add(entry.path);
      else this.npmrcWithAuth.delete(entry.path);
      this.npmrc = null;
    }
    if (this.dockerignoreParts) {
      this.dockerignoreText = new TextDecoder().decode(concatBytes(this.dockerignoreParts));
      this.dockerignoreParts = null;
    }
    if (this.dockerfileParts) {
      // A later entry with the same path replaces the earlier one, as it does in the index.
      this.dockerfiles.set(entry.path, new TextDecoder().decode(concatBytes(this.dockerfileParts)));
      this.dockerfileParts = null;
    }
    this.current = null;
  }

  /** Hands the hashing's buffers back (wasm memory is never freed, only reused); safe to call twice. */
  dispose(): void {
    this.hashing.dispose();
    this.hashingOpen = false;
  }

  /** Every entry's digest is in: the stream has ended and `hashing.settle()` has resolved. */
  async settle(): Promise<void> {
    await this.hashing.settle();
  }

  /**
   * The stream has ended and `settle()` has resolved: apply `.dockerignore`, resolve hardlinks, compute
   * directory digests.
   */
  finish(opts: BuildOptions): ContextIndex {
    // In-thread hashing settles at once (this flushes its last batch); a pool has settled already.
    void this.hashing.settle();
    this.dispose();
    const problems = this.problems;
    this.addMissingParents();
    const patterns = this.applyDockerignore(opts);
    const entries = [...this.byPath.values()];
    this.resolveHardlinks(entries, opts.source);
    // The path map is done with: from here on only `entries` is needed, and the builder may outlive
    // this call (its owner keeps it until the index has been handed over).
    this.byPath = new Map();

    const sent = entries.filter((e) => !e.excluded);
    const rootDigest = computeDirectoryDigests(sent, this.hasher);
    if (!opts.modesKnown) {
      problems.push({
        input: opts.source,
        message:
          'Browsers do not expose file modes or symlinks: files were hashed as 0644 and folders as 0755, and a symlink as the file it points to, so a mode change (chmod) or a symlink change cannot be seen from a folder.',
        hint: 'To compare modes, give the context as a tar (tar -cf ctx.tar -C <dir> .).',
      });
    }
    const { credentials, stats } = this.summarise(sent, entries.length - sent.length);
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const index: ContextIndex = {
      source: opts.source,
      kind: opts.kind,
      modesKnown: opts.modesKnown,
      entries,
      dockerignore: patterns,
      rootDigest,
      credentials,
      stats,
      checksumEra: CHECKSUM_ERA,
      problems,
    };
    if (this.dockerfiles.size > 0) {
      index.dockerfiles = [...this.dockerfiles].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, text]) => ({ path, text }));
      this.dockerfiles.clear();
    }
    return index;
  }

  /** Marks every entry the `.dockerignore` in force excludes; returns its patterns. */
  private applyDockerignore(opts: BuildOptions): string[] {
    const ignoreText = opts.dockerignore === undefined ? this.dockerignoreText : opts.dockerignore;
    const patterns = ignoreText ? parseDockerignore(ignoreText) : [];
    // The same patterns (comments, blank lines and line endings aside) are no difference.
    const ownPatterns = typeof opts.dockerignore === 'string' && this.dockerignoreText !== null ? parseDockerignore(this.dockerignoreText) : null;
    if (ownPatterns && ownPatterns.join('\n') !== patterns.join('\n')) {
      // One .dockerignore given for two contexts hides a change between their own ones: say so.
      this.problems.push({
        input: opts.source,
        message: `${opts.source} has its own .dockerignore, which differs from the .dockerignore given; the given one was applied, so a change in the context's own is not seen.`,
        hint: "Leave the separate .dockerignore out to use each context's own (a Dockerfile.dockerignore next to the Dockerfile is the one reason to give it).",
      });
    }
    const { matcher, errors } = createMatcher(patterns);
    for (const error of errors) {
      this.problems.push({ input: '.dockerignore', message: `${error.message}: BuildKit refuses this .dockerignore.`, hint: 'Fix or remove the pattern.' });
    }
    for (const entry of this.byPath.values()) entry.excluded = matcher.excludes(entry.path, entry.type === 'dir');
    return patterns;
  }

  /** A hardlink takes its target's digest and size; one whose target is missing gets its own header's digest. */
  private resolveHardlinks(entries: ContextEntry[], source: string): void {
    for (const entry of entries) {
      if (entry.type !== 'hardlink') continue;
      const target = this.byPath.get(entry.linkname);
      if (target && target.type !== 'hardlink' && target.digest) {
        // A hardlink shares its target's inode: same content and mode, so the same digest.
        entry.digest = target.digest;
        entry.size = target.size;
      } else {
        entry.digest = digestText(this.hasher.digest(tarsumHeader(entry)));
        this.problems.push({
          input: source,
          message: `${entry.path} is a hard link to ${entry.linkname}, which is not in the archive; its digest is a guess.`,
        });
      }
    }
  }

  /** Counts of what is sent, and the secret-looking files among it (sorted). */
  private summarise(sent: ContextEntry[], excluded: number): { credentials: string[]; stats: ContextIndex['stats'] } {
    const credentials: string[] = [];
    const stats = { files: 0, dirs: 0, bytes: 0, excluded };
    for (const e of sent) {
      if (e.type === 'dir') stats.dirs++;
      if (e.type !== 'file' && e.type !== 'hardlink') continue;
      stats.files++;
      if (e.type === 'file') stats.bytes += e.size;
      const kind = credentialKind(e.path);
      if (kind === 'always' || (kind === 'npmrc' && this.npmrcWithAuth.has(e.path))) credentials.push(e.path);
    }
    credentials.sort();
    this.npmrcWithAuth.clear();
    return { credentials, stats };
  }

  /**
   * The client always sends every parent directory; an archive may omit them (`tar -cf x.tar a/b.txt`).
   * Such directories are assumed 0755 and the user is told.
   */
  private addMissingParents(): void {
    const missing = new Set<string>();
    for (const path of this.byPath.keys()) {
      for (let slash = path.indexOf('/'); slash > 0; slash = path.indexOf('/', slash + 1)) {
        const parent = path.slice(0, slash);
        if (!this.byPath.has(parent)) missing.add(parent);
      }
    }
    if (missing.size === 0) return;
    // Every assumed directory has the same header, so they share one digest string.
    const digest = digestText(this.hasher.digest(tarsumHeader({ type: 'dir', mode: 0o755, size: 0, linkname: '', xattrs: NO_XATTRS })));
    for (const path of missing) {
      this.byPath.set(path, { path, type: 'dir', mode: 0o755, size: 0, linkname: '', xattrs: NO_XATTRS, digest, excluded: false });
    }
    this.problems.push({
      input: this.input,
      message: `${missing.size} director${missing.size === 1 ? 'y is' : 'ies are'} not in the archive (e.g. ${[...missing][0]}); assumed mode 0755.`,
      hint: 'Create the archive from the context folder itself (tar -cf ctx.tar -C <dir> .) so directory modes are kept.',
    });
  }
}
