/** Test helpers for the context code: hashers, a tiny tar writer, chunked sources, fixture access. */
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import initSha256 from '@rust-wasm/sha256';
import type { Sha256 } from '../../../src/core/context/hasher.ts';
import { indexContext, type ContextSource } from '../../../src/core/context/index.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { BuildPlan, ContextIndex } from '../../../src/core/model.ts';
import { concatBytes } from '../../../src/core/bytes.ts';

export const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

/** node:crypto behind the `Sha256` interface: the independent reference for cross-checks. */
export const nodeSha256: Sha256 = {
  digest: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  digestMany: (buffers) => buffers.map((b) => new Uint8Array(createHash('sha256').update(b).digest())),
  create() {
    const h = createHash('sha256');
    return { update: (d) => void h.update(d), finish: () => new Uint8Array(h.digest()) };
  },
};

/** The project's hasher: our Rust SHA-256 compiled to WASM. */
export const wasmSha256: Promise<Sha256> = initSha256();

export function fileStream(path: string): ContextSource {
  return { kind: 'stream', stream: createReadStream(path) as AsyncIterable<Uint8Array> };
}

export async function indexTar(path: string, hasher?: Sha256, extra: { dockerignore?: string | null } = {}): Promise<ContextIndex> {
  const result = await indexContext(fileStream(path), { name: path, hasher: hasher ?? (await wasmSha256), ...extra });
  if (!result.ok) throw new Error(`${path}: ${result.problem.message}`);
  return result.value;
}

export function planOf(dir: string, file = 'Dockerfile'): BuildPlan {
  return readDockerfile(readFileSync(`${dir}/${file}`, 'utf8'), file);
}

/** Feed `bytes` as chunks of the given sizes, repeating the last size. */
export async function* chunked(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, sizes[Math.min(i++, sizes.length - 1)]!);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

// --- a tiny tar writer ---------------------------------------------------------------------------

export interface TarSpec {
  name: string;
  /** tar typeflag: '0' file, '1' hardlink, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo. */
  flag?: string;
  mode?: number;
  data?: string | Uint8Array;
  linkname?: string;
  /** Put the name into a pax `x` record (and these extra records too). */
  pax?: Record<string, string>;
  /** Write the name (and linkname) as GNU `L`/`K` records. */
  gnuLong?: boolean;
  /** Split the name into ustar prefix + name. */
  ustarSplit?: boolean;
  /** Write the size field in base-256. */
  base256?: boolean;
  devmajor?: number;
  devminor?: number;
  uid?: number;
  mtime?: number;
}

const enc = new TextEncoder();

function putString(block: Uint8Array, at: number, length: number, text: string): void {
  const bytes = enc.encode(text);
  if (bytes.length > length) throw new Error(`field too long: ${text}`);
  block.set(bytes, at);
}

/** The longest start of `text` whose UTF-8 fits in `max` bytes (a GNU long name's stub in the header). */
function fitBytes(text: string, max: number): string {
  let out = text.slice(0, max);
  while (enc.encode(out).length > max) out = out.slice(0, -1);
  return out;
}

function putOctal(block: Uint8Array, at: number, length: number, value: number): void {
  putString(block, at, length, value.toString(8).padStart(length - 1, '0'));
}

function header(fields: {
  name: string;
  flag: string;
  mode: number;
  size: number;
  linkname?: string;
  prefix?: string;
  base256?: boolean;
  devmajor?: number;
  devminor?: number;
  uid?: number;
  mtime?: number;
  gnu?: boolean;
}): Uint8Array {
  const block = new Uint8Array(512);
  putString(block, 0, 100, fields.name);
  putOctal(block, 100, 8, fields.mode);
  putOctal(block, 108, 8, fields.uid ?? 0);
  putOctal(block, 116, 8, 0);
  if (fields.base256) {
    block[124] = 0x80;
    let v = fields.size;
    for (let i = 135; i > 124; i--) {
      block[i] = v % 256;
      v = Math.floor(v / 256);
    }
  } else putOctal(block, 124, 12, fields.size);
  putOctal(block, 136, 12, fields.mtime ?? 1704067200);
  block[156] = fields.flag.charCodeAt(0);
  putString(block, 157, 100, fields.linkname ?? '');
  if (fields.gnu) putString(block, 257, 8, 'ustar  ');
  else {
    putString(block, 257, 6, 'ustar');
    putString(block, 263, 2, '00');
  }
  putOctal(block, 329, 8, fields.devmajor ?? 0);
  putOctal(block, 337, 8, fields.devminor ?? 0);
  if (fields.prefix) putString(block, 345, 155, fields.prefix);
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  putString(block, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return [data, new Uint8Array(pad)];
}

function paxRecords(records: Record<string, string>): Uint8Array {
  let text = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    const bodyLength = enc.encode(body).length;
    // The length counts its own digits: 98 + 2 digits = 100 needs 3 digits, so recount once.
    let len = bodyLength + String(bodyLength).length;
    if (String(len).length > String(bodyLength).length) len = bodyLength + String(len).length;
    text += `${len}${body}`;
  }
  return enc.encode(text);
}

export function writeTar(specs: TarSpec[], opts: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const spec of specs) {
    const data = typeof spec.data === 'string' ? enc.encode(spec.data) : (spec.data ?? new Uint8Array(0));
    const flag = spec.flag ?? '0';
    if (flag === 'g') {
      const rec = paxRecords(spec.pax ?? {});
      parts.push(header({ name: 'pax_global_header', flag: 'g', mode: 0o644, size: rec.length }), ...padded(rec));
      continue;
    }
    const mode = spec.mode ?? (flag === '5' ? 0o755 : flag === '2' ? 0o777 : 0o644);
    let name = spec.name;
    let linkname = spec.linkname;
    let prefix: string | undefined;
    if (spec.pax) {
      const records = { ...spec.pax };
      const rec = paxRecords(records);
      parts.push(header({ name: 'PaxHeaders/x', flag: 'x', mode: 0o644, size: rec.length }), ...padded(rec));
      if (records.path) name = 'pax-placeholder';
      if (records.linkpath) linkname = 'pax-link-placeholder';
    }
    if (spec.gnuLong) {
      const n = enc.encode(name + '\0');
      parts.push(header({ name: '././@LongLink', flag: 'L', mode: 0, size: n.length, gnu: true }), ...padded(n));
      if (linkname) {
        const l = enc.encode(linkname + '\0');
        parts.push(header({ name: '././@LongLink', flag: 'K', mode: 0, size: l.length, gnu: true }), ...padded(l));
        linkname = fitBytes(linkname, 99);
      }
      name = fitBytes(name, 99);
    }
    if (spec.ustarSplit) {
      const cut = name.lastIndexOf('/', name.length - 2);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    const size = flag === '0' ? data.length : 0;
    parts.push(
      header({
        name,
        flag,
        mode,
        size,
        linkname,
        prefix,
        base256: spec.base256,
        devmajor: spec.devmajor,
        devminor: spec.devminor,
        uid: spec.uid,
        mtime: spec.mtime,
        gnu: spec.gnuLong,
      }),
    );
    if (size > 0) parts.push(...padded(data));
  }
  if (opts.end !== false) parts.push(new Uint8Array(1024));
  return concatBytes(parts);
}

export function streamOf(bytes: Uint8Array, sizes: number[] = [65536]): ContextSource {
  return { kind: 'stream', stream: chunked(bytes, sizes) };
}
