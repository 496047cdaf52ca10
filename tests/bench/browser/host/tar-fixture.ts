/**
 * Writes the end-to-end bench's build context: a deterministic tar shaped like a real monorepo context
 * (measured on a real one before the project started: ~20,000 files, median ~3 KB, a tail up to ~1.3 MB, ~600 directories, long, spaced
 * and non-ASCII names, one symlink), in the PAX layout Go's `archive/tar` (and so `docker build`) writes:
 * a pax header only for entries whose name does not fit ustar.
 *
 * Hand-written rather than shelling out to `tar`: GNU tar's posix format adds a pax header to every
 * entry, which is not what BuildKit sees, and the bench must not depend on what `tar` is installed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface TarFixtureSpec {
  files: number;
  /** Total content bytes to aim for (file sizes are scaled to it). */
  targetBytes: number;
  dirs: number;
  seed: number;
}

export interface TarFixture {
  path: string;
  tarBytes: number;
  contentBytes: number;
  files: number;
  dirs: number;
  symlinks: number;
  paxHeaders: number;
  /** Sizes of the regular files. */
  fileSizes: number[];
  /** [offset in the tar, size] of every regular file's data (for the hybrid WebCrypto probe). */
  fileRanges: [number, number][];
  medianFileBytes: number;
  maxFileBytes: number;
  /** Share of content bytes in files > 64 KiB. */
  bytesOver64KiB: number;
}

const MAX_FILE = 1_310_720;
const BLOCK = 512;

/** xorshift32: fast, seedable, good enough to make bytes and shapes; not for anything secret. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** Log-normal sizes around 3 KB with a heavy tail, clipped at 1.3 MB, scaled so they sum to `target`. */
function fileSizes(count: number, target: number, rand: () => number): number[] {
  const raw = Array.from({ length: count }, () => Math.min(MAX_FILE, Math.round(Math.exp(Math.log(3000) + 1.5 * normal(rand)))));
  const sum = raw.reduce((a, b) => a + b, 0);
  const k = target / sum;
  const sizes = raw.map((n) => Math.min(MAX_FILE, Math.round(n * k)));
  // The tail must reach ~1.3 MB like a real context (a few bundles, images): lift the largest few to it.
  const largest = sizes
    .map((n, i) => [n, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, Math.max(1, Math.round(count / 2500)));
  for (const [, i] of largest) sizes[i] = MAX_FILE;
  return sizes;
}

function octal(buf: Uint8Array, at: number, width: number, value: number): void {
  const text = value.toString(8).padStart(width - 1, '0');
  for (let i = 0; i < width - 1; i++) buf[at + i] = text.charCodeAt(i);
  buf[at + width - 1] = 0;
}

function ascii(buf: Uint8Array, at: number, width: number, text: string): void {
  const bytes = new TextEncoder().encode(text);
  buf.set(bytes.subarray(0, width), at);
}

interface HeaderFields {
  name: string;
  mode: number;
  size: number;
  type: '0' | '5' | '2' | 'x';
  linkname?: string;
}

function header(f: HeaderFields): Uint8Array {
  const h = new Uint8Array(BLOCK);
  ascii(h, 0, 100, f.name);
  octal(h, 100, 8, f.mode);
  octal(h, 108, 8, 1000);
  octal(h, 116, 8, 1000);
  octal(h, 124, 12, f.size);
  octal(h, 136, 12, 1_764_000_000);
  h[156] = f.type.charCodeAt(0);
  ascii(h, 157, 100, f.linkname ?? '');
  ascii(h, 257, 6, 'ustar');
  ascii(h, 263, 2, '00');
  ascii(h, 265, 32, 'dev');
  ascii(h, 297, 32, 'dev');
  // Checksum: the sum of all header bytes with the checksum field read as eight spaces.
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  octal(h, 148, 7, sum);
  h[155] = 0x20;
  return h;
}

/** A pax `path=` record: "<len> path=<value>\n", where <len> counts its own digits. */
function paxPathRecord(path: string): Uint8Array {
  const body = ` path=${path}\n`;
  const bodyLen = new TextEncoder().encode(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return new TextEncoder().encode(`${len}${body}`);
}

const NAME_WORDS = ['src', 'lib', 'internal', 'pkg', 'assets', 'vendor', 'docs', 'test', 'cmd', 'web', 'api', 'util'];
const EXTS = ['.ts', '.go', '.json', '.md', '.png', '.txt', '.css', '.js', '.yaml', '.bin'];

/** Buffered sequential writer: one syscall per 8 MiB keeps generation at disk speed. */
class SyncWriter {
  private buf = new Uint8Array(8 << 20);
  private used = 0;
  written = 0;
  constructor(private fd: number) {}
  write(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) {
      const n = Math.min(data.length - off, this.buf.length - this.used);
      this.buf.set(data.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === this.buf.length) this.flush();
    }
    this.written += data.length;
  }
  pad(): void {
    const rem = this.written % BLOCK;
    if (rem) this.write(new Uint8Array(BLOCK - rem));
  }
  flush(): void {
    if (this.used) writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }
}

export function writeTarFixture(path: string, spec: TarFixtureSpec): TarFixture {
  const rand = prng(spec.seed);
  // Content comes from a 32 MiB pseudo-random pool at random offsets: distinct enough per file, and
  // generating 200 MB of fresh randomness would cost more than the browser run it feeds.
  const pool = new Uint8Array(32 << 20);
  const pool32 = new Uint32Array(pool.buffer);
  for (let i = 0; i < pool32.length; i++) pool32[i] = (rand() * 4294967296) >>> 0;

  const dirs: string[] = [];
  for (let i = 0; i < spec.dirs; i++) {
    const word = NAME_WORDS[i % NAME_WORDS.length]!;
    const parent = i < 8 || rand() < 0.15 ? '' : `${dirs[Math.floor(rand() * dirs.length)]!}/`;
    dirs.push(`${parent}${word}-${i.toString().padStart(4, '0')}`);
  }
  const sizes = fileSizes(spec.files, spec.targetBytes, rand);
  type Entry = { path: string; kind: 'file' | 'dir' | 'symlink'; size: number; mode: number; linkname?: string };
  const entries: Entry[] = dirs.map((d) => ({ path: d, kind: 'dir', size: 0, mode: 0o755 }));
  sizes.forEach((size, i) => {
    const dir = dirs[Math.floor(rand() * dirs.length)]!;
    const r = rand();
    let base = `file-${i.toString().padStart(6, '0')}${EXTS[i % EXTS.length]!}`;
    if (r < 0.06) base = `a-rather-long-generated-file-name-that-pushes-the-path-beyond-one-hundred-bytes-${i}${EXTS[i % EXTS.length]!}`;
    else if (r < 0.08) base = `name with spaces ${i}.txt`;
    else if (r < 0.09) base = `résumé-ünïcödé-${i}.md`;
    entries.push({ path: `${dir}/${base}`, kind: 'file', size, mode: rand() < 0.05 ? 0o755 : 0o644 });
  });
  entries.push({ path: 'link-to-first-dir', kind: 'symlink', size: 0, mode: 0o777, linkname: dirs[0]! });
  // Lexical order puts every directory before its children, as a directory walk would.
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const fd = openSync(path, 'w');
  const out = new SyncWriter(fd);
  let paxHeaders = 0;
  const fileRanges: [number, number][] = [];
  try {
    for (const e of entries) {
      const name = e.kind === 'dir' ? `${e.path}/` : e.path;
      const nameBytes = new TextEncoder().encode(name);
      const needsPax = nameBytes.length > 100 || nameBytes.some((b) => b > 0x7f);
      if (needsPax) {
        const rec = paxPathRecord(name);
        out.write(header({ name: `PaxHeaders/${name.slice(-80)}`.replace(/[^\x20-\x7e]/g, '_'), mode: 0o644, size: rec.length, type: 'x' }));
        out.write(rec);
        out.pad();
        paxHeaders++;
      }
      const shortName = needsPax ? name.slice(0, 99).replace(/[^\x20-\x7e]/g, '_') : name;
      const type = e.kind === 'dir' ? '5' : e.kind === 'symlink' ? '2' : '0';
      out.write(header({ name: shortName, mode: e.mode, size: e.size, type, linkname: e.linkname ?? '' }));
      if (e.kind === 'file' && e.size > 0) {
        fileRanges.push([out.written, e.size]);
        const off = Math.floor(rand() * (pool.length - e.size));
        out.write(pool.subarray(off, off + e.size));
        out.pad();
      }
    }
    out.write(new Uint8Array(BLOCK * 2));
    out.flush();
  } finally {
    closeSync(fd);
  }

  const sorted = [...sizes].sort((a, b) => a - b);
  const content = sizes.reduce((a, b) => a + b, 0);
  const over = sizes.filter((n) => n > 65536).reduce((a, b) => a + b, 0);
  return {
    path,
    tarBytes: out.written,
    contentBytes: content,
    files: sizes.length,
    dirs: dirs.length,
    symlinks: 1,
    paxHeaders,
    fileSizes: sizes,
    fileRanges,
    medianFileBytes: sorted[Math.floor(sorted.length / 2)]!,
    maxFileBytes: sorted[sorted.length - 1]!,
    bytesOver64KiB: over / content,
  };
}
