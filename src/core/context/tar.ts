/**
 * A streaming tar reader: push chunks of any size, get entry headers and their data as zero-copy
 * subarrays of the pushed chunks. Only 512-byte headers and pax/GNU long-name records are copied.
 *
 * Hand-written on purpose (the npm tar readers were tried before the project started): tar-stream needs Node's `events` in
 * a browser bundle and crashes without it; nanotar reads whole buffers only and gets names wrong (drops
 * the ustar prefix, cuts pax paths at the first space). This parser reads ustar (with `prefix`), pax
 * `x`/`g` records (`path`, `linkpath`, `size`, `SCHILY.xattr.*`), GNU `L`/`K` long names, base-256
 * numbers, and verifies each header checksum.
 */
import { concatBytes } from '../bytes.ts';
import type { ContextEntryType } from '../model.ts';

export interface TarEntry {
  /** Normalised path inside the archive (see `normalizeArchivePath`); '' is the archive root. */
  path: string;
  type: ContextEntryType;
  /** Permission bits plus setuid/setgid/sticky. */
  mode: number;
  /** Bytes of data that follow (0 for every type but `file`). */
  size: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  /** `SCHILY.xattr.<name>` pax records, unfiltered. */
  xattrs: Record<string, string>;
}

export interface TarSink {
  entry(entry: TarEntry): void;
  /** A view into the pushed chunk: valid only during the call; copy what must be kept. */
  data(bytes: Uint8Array): void;
  /** Called after the entry's last data (also for entries without data). */
  end(): void;
  /** Something skipped or odd but not fatal (unknown entry type, …). */
  warn?(message: string): void;
}

export interface TarProblem {
  message: string;
  hint: string;
}

const BLOCK = 512;
/** Pax and GNU long-name records are buffered; anything bigger than this is not a sane header. */
const MAX_META_RECORD = 16 * 1024 * 1024;

const decoder = new TextDecoder('utf-8');

/** A leading `/`, `//`, or a `.`/`..` component. */
const NEEDS_NORMALIZING = /^\/|\/\/|(^|\/)\.\.?(\/|$)/;

/**
 * Paths are names inside the archive only: leading `./` and `/` are dropped, `.` and `..` are resolved
 * lexically without ever climbing above the root, and the filesystem is never touched.
 */
export function normalizeArchivePath(raw: string): string {
  // Fast path: nothing to resolve but a trailing slash (the usual case).
  if (!NEEDS_NORMALIZING.test(raw)) return raw.endsWith('/') ? raw.slice(0, -1) : raw;
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function readString(block: Uint8Array, start: number, length: number): string {
  if (block[start] === 0) return ''; // the usual linkname and prefix: skip the decoder call
  let end = start;
  const limit = start + length;
  let ascii = true;
  for (let b = block[end]!; end < limit && b !== 0; b = block[++end]!) if (b >= 0x80) ascii = false;
  // An ASCII name (nearly all) is made by V8 itself rather than by TextDecoder: in the app, a tar of
  // 110,000 small files then peaks the renderer at ~415 MB instead of ~441 MB (three runs each). Every
  // entry keeps its path, and in Chromium a TextDecoder result is a string owned by Blink, not by V8.
  if (ascii) return String.fromCharCode.apply(null, block.subarray(start, end) as unknown as number[]);
  return decoder.decode(block.subarray(start, end));
}

/** Octal ASCII (space/NUL padded), or GNU base-256 when the high bit of the first byte is set. */
function readNumber(block: Uint8Array, start: number, length: number): number | null {
  const first = block[start]!;
  if (first & 0x80) {
    const negative = (first & 0x40) !== 0;
    let value = first & 0x3f;
    if (negative) value = value - 0x40; // two's complement over the 6 remaining bits
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  let value = 0;
  let seen = false;
  for (let i = start; i < start + length; i++) {
    const c = block[i]!;
    if (c === 0x20 || c === 0) {
      if (seen) break;
      continue;
    }
    if (c < 0x30 || c > 0x37) return null;
    value = value * 8 + (c - 0x30);
    seen = true;
  }
  return value;
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = readNumber(block, 148, 8);
  if (stored === null) return false;
  // The checksum field itself counts as eight spaces. One pass for the usual unsigned sum (it runs for
  // every header); the signed sum of some old tars is tried only when that one does not match.
  let unsigned = 8 * 0x20;
  for (let i = 0; i < 148; i++) unsigned += block[i]!;
  for (let i = 156; i < BLOCK; i++) unsigned += block[i]!;
  if (stored === unsigned) return true;
  let high = 0; // bytes over 127, each of which a signed sum counts 256 lower
  for (let i = 0; i < BLOCK; i++) if ((i < 148 || i >= 156) && block[i]! > 127) high++;
  return stored === unsigned - 256 * high;
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Parse pax records `"<len> <key>=<value>\n"`; the length counts the whole record. */
function parsePax(bytes: Uint8Array): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < bytes.length) {
    let space = at;
    while (space < bytes.length && bytes[space] !== 0x20) space++;
    const length = Number(decoder.decode(bytes.subarray(at, space)));
    if (!Number.isInteger(length) || length <= 0 || at + length > bytes.length) break;
    const record = bytes.subarray(space + 1, at + length - 1); // drop the trailing "\n"
    const eq = record.indexOf(0x3d);
    if (eq > 0) records[decoder.decode(record.subarray(0, eq))] = decoder.decode(record.subarray(eq + 1));
    at += length;
  }
  return records;
}

const NO_RECORDS: Record<string, string> = Object.freeze({});

const ENTRY_TYPES: Record<string, ContextEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

type Meta = { kind: 'pax-local' | 'pax-global' | 'gnu-name' | 'gnu-link' | 'skip'; parts: Uint8Array[]; size: number };

export class TarParser {
  private readonly sink: TarSink;
  /** Bytes of a header block gathered across chunk boundaries. */
  private readonly header = new Uint8Array(BLOCK);
  private headerFill = 0;
  /** Data bytes still due for the current entry or meta record, then padding to skip. */
  private dataLeft = 0;
  private paddingLeft = 0;
  private pendingPadding = 0;
  private meta: Meta | null = null;
  private inEntry = false;
  private ended = false;
  private blocksSeen = 0;
  private paxLocal: Record<string, string> = {};
  private paxGlobal: Record<string, string> = {};
  /** Most archives have no pax records at all: then entries skip merging empty records. */
  private paxSeen = false;
  private gnuName: string | null = null;
  private gnuLink: string | null = null;
  private failed: TarProblem | null = null;

  constructor(sink: TarSink) {
    this.sink = sink;
  }

  /** Feed the next chunk. Returns a problem once the archive is known to be bad (then stop feeding). */
  push(chunk: Uint8Array): TarProblem | null {
    let at = 0;
    while (at < chunk.length && !this.failed && !this.ended) {
      if (this.dataLeft > 0) {
        const take = Math.min(this.dataLeft, chunk.length - at);
        this.onData(chunk.subarray(at, at + take));
        this.dataLeft -= take;
        at += take;
        if (this.dataLeft === 0) this.finishData();
      } else if (this.paddingLeft > 0) {
        const skip = Math.min(this.paddingLeft, chunk.length - at);
        this.paddingLeft -= skip;
        at += skip;
      } else if (this.headerFill === 0 && chunk.length - at >= BLOCK) {
        this.onHeader(chunk.subarray(at, at + BLOCK)); // whole header inside the chunk: no copy
        at += BLOCK;
      } else {
        const take = Math.min(BLOCK - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(this.header);
        }
      }
    }
    return this.failed;
  }

  /** The input ended. Returns a problem when it ended inside an entry. */
  finish(): TarProblem | null {
    if (this.failed) return this.failed;
    if (this.ended) return null;
    if (this.blocksSeen === 0) {
      // Less than one block: too short to be any tar.
      if (this.headerFill > 0) return notATar();
      return { message: 'The archive is empty.', hint: 'Give the tar of the build context (tar -cf ctx.tar -C <dir> .).' };
    }
    if (this.dataLeft > 0 || this.headerFill > 0 || this.meta || this.paddingLeft > 0) {
      return {
        message: 'The tar archive is truncated: it ends in the middle of an entry.',
        hint: 'The file was probably cut during download or copy; create the archive again.',
      };
    }
    // No end-of-archive blocks after a complete entry: GNU tar accepts this too.
    return null;
  }

  private fail(problem: TarProblem): void {
    this.failed = problem;
  }

  private onHeader(block: Uint8Array): void {
    if (isZeroBlock(block)) {
      // The first zero block ends the archive; whatever follows is padding. (A tar of nothing is
      // only zero blocks: a valid, empty archive.)
      this.ended = true;
      return;
    }
    if (!checksumMatches(block)) {
      this.fail(
        this.blocksSeen === 0
          ? notATar()
          : {
              message: 'The tar archive is damaged: a header checksum does not match.',
              hint: 'Create the archive again; if it was gzip-compressed, check that it downloaded completely.',
            },
      );
      return;
    }
    this.blocksSeen++;
    const flag = String.fromCharCode(block[156]!);
    const size = readNumber(block, 124, 12);
    if (size === null || size < 0) {
      this.fail({ message: 'The tar archive is damaged: an entry size is not a number.', hint: 'Create the archive again.' });
      return;
    }
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META_RECORD) {
        this.fail({ message: `A tar extended header of ${size} bytes is too large to be real.`, hint: 'The archive is probably damaged.' });
        return;
      }
      const kind = flag === 'x' ? 'pax-local' : flag === 'g' ? 'pax-global' : flag === 'L' ? 'gnu-name' : 'gnu-link';
      this.meta = { kind, parts: [], size };
      this.startData(size);
      return;
    }
    this.emitEntry(block, flag, size);
  }

  private emitEntry(block: Uint8Array, flag: string, headerSize: number): void {
    const pax = this.paxSeen ? { ...this.paxGlobal, ...this.paxLocal } : NO_RECORDS;
    // Only POSIX ustar ("ustar\0") has `prefix` at 345; GNU ("ustar  ") keeps atime/ctime there.
    const posix = block[257] === 0x75 && block[258] === 0x73 && block[259] === 0x74 && block[260] === 0x61 && block[261] === 0x72 && block[262] === 0;
    const prefix = posix ? readString(block, 345, 155) : '';
    let name = readString(block, 0, 100);
    if (prefix) name = prefix + '/' + name;
    if (this.gnuName !== null) name = this.gnuName;
    if (pax.path !== undefined) name = pax.path;
    let linkname = readString(block, 157, 100);
    if (this.gnuLink !== null) linkname = this.gnuLink;
    if (pax.linkpath !== undefined) linkname = pax.linkpath;
    let dataSize = headerSize;
    if (pax.size !== undefined && /^\d+$/.test(pax.size)) dataSize = Number(pax.size);
    this.paxLocal = {};
    this.gnuName = null;
    this.gnuLink = null;

    const type = ENTRY_TYPES[flag];
    const xattrs: Record<string, string> = {};
    if (pax !== NO_RECORDS) {
      for (const key of Object.keys(pax)) {
        if (key.startsWith('SCHILY.xattr.')) xattrs[key.slice('SCHILY.xattr.'.length)] = pax[key]!;
      }
    }
    if (!type) {
      this.sink.warn?.(`tar entry "${name}" has type '${flag}', which a build context cannot contain; it was skipped.`);
      this.meta = { kind: 'skip', parts: [], size: dataSize };
      this.startData(dataSize);
      return;
    }
    // Like Go's archive/tar: only regular files carry data; other types are header-only.
    if (type !== 'file') dataSize = 0;
    const rawMode = readNumber(block, 100, 8) ?? 0;
    const entry: TarEntry = {
      path: normalizeArchivePath(name),
      type,
      mode: rawMode & 0o7777,
      size: dataSize,
      linkname: type === 'hardlink' ? normalizeArchivePath(linkname) : linkname,
      devmajor: type === 'char' || type === 'block' ? (readNumber(block, 329, 8) ?? 0) : 0,
      devminor: type === 'char' || type === 'block' ? (readNumber(block, 337, 8) ?? 0) : 0,
      xattrs,
    };
    this.sink.entry(entry);
    this.inEntry = true;
    this.startData(dataSize);
  }

  private startData(size: number): void {
    this.dataLeft = size;
    this.pendingPadding = padding(size);
    if (size === 0) this.finishData();
  }

  private onData(bytes: Uint8Array): void {
    if (!this.meta) this.sink.data(bytes);
    else if (this.meta.kind !== 'skip') this.meta.parts.push(new Uint8Array(bytes)); // a copy even for a Node Buffer, whose slice() is a view
  }

  /** The data (or meta record) of the current header is complete: skip padding, apply the record. */
  private finishData(): void {
    this.paddingLeft = this.pendingPadding;
    const meta = this.meta;
    this.meta = null;
    if (meta) {
      if (meta.kind !== 'skip') this.applyMeta(meta.kind, concatBytes(meta.parts));
    } else if (this.inEntry) {
      this.inEntry = false;
      this.sink.end();
    }
  }

  private applyMeta(kind: Meta['kind'], bytes: Uint8Array): void {
    if (kind === 'pax-local') Object.assign(this.paxLocal, parsePax(bytes));
    else if (kind === 'pax-global') Object.assign(this.paxGlobal, parsePax(bytes));
    if (kind === 'pax-local' || kind === 'pax-global') this.paxSeen = true;
    else {
      const text = readString(bytes, 0, bytes.length);
      if (kind === 'gnu-name') this.gnuName = text;
      else this.gnuLink = text;
    }
  }
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function notATar(): TarProblem {
  return {
    message: 'This is not a tar archive (its first block is not a valid tar header).',
    hint: 'Give the build context as .tar or .tar.gz (tar -czf ctx.tar.gz -C <dir> .) or as a folder.',
  };
}
