/**
 * A `.dockerbuild` file as bytes: a gzipped tar of an OCI image layout (`oci-layout`, `index.json`,
 * `blobs/sha256/<hex>`). Read whole: records are tens of kilobytes (the trace is the biggest part), and
 * every blob is looked up by digest from the manifests, in no particular order.
 *
 * The tar and gzip readers are the context reader's (`context/stream.ts`, `context/tar.ts`).
 */
import { concatBytes } from '../bytes.ts';
import { openArchive, type ByteSource } from '../context/stream.ts';
import { TarParser } from '../context/tar.ts';

/** A record export bigger than this is not something BuildKit writes; refusing it keeps memory bounded. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export interface OciLayout {
  /** `index.json`, parsed. */
  index: OciIndex;
  /** Blob bytes by digest (`sha256:<hex>`). */
  blobs: Map<string, Uint8Array>;
}

export interface OciDescriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
}

export interface OciIndex {
  mediaType?: string;
  manifests?: OciDescriptor[];
}

export interface OciManifest {
  mediaType?: string;
  config?: OciDescriptor;
  layers?: OciDescriptor[];
}

export type OciRead = { ok: true; layout: OciLayout } | { ok: false; reason: string };

/** Unpacks the archive; `reason` says in words why it is not an OCI layout. */
export async function readOciArchive(source: ByteSource | Uint8Array): Promise<OciRead> {
  const files = new Map<string, Uint8Array>();
  let current: { path: string; parts: Uint8Array[] } | null = null;
  let total = 0;
  let tooBig = false;
  const parser = new TarParser({
    entry(entry) {
      current = entry.type === 'file' ? { path: entry.path, parts: [] } : null;
    },
    data(bytes) {
      if (!current) return;
      total += bytes.length;
      if (total > MAX_RECORD_BYTES) tooBig = true;
      else current.parts.push(bytes.slice()); // the parser's view is valid only during the call
    },
    end() {
      if (current) files.set(current.path, concatBytes(current.parts));
      current = null;
    },
  });
  try {
    const archive = await openArchive(source instanceof Uint8Array ? once(source) : source);
    for await (const chunk of archive.chunks) {
      const problem = parser.push(chunk);
      if (problem) return { ok: false, reason: problem.message };
      if (tooBig) return { ok: false, reason: `it holds more than ${MAX_RECORD_BYTES / 1024 / 1024} MB` };
    }
    const problem = parser.finish();
    if (problem) return { ok: false, reason: problem.message };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const indexBytes = files.get('index.json');
  if (!files.has('oci-layout') || !indexBytes) return { ok: false, reason: 'it is an archive but not an OCI layout (no oci-layout and index.json)' };
  const index = parseJson(indexBytes) as OciIndex | null;
  if (!index || typeof index !== 'object') return { ok: false, reason: 'its index.json is not JSON' };
  const blobs = new Map<string, Uint8Array>();
  for (const [path, bytes] of files) {
    const m = /^blobs\/([a-z0-9]+)\/([a-f0-9]+)$/.exec(path);
    if (m) blobs.set(`${m[1]}:${m[2]}`, bytes);
  }
  return { ok: true, layout: { index, blobs } };
}

/**
 * Every manifest the layout holds, nested indexes followed (a bake or compose export keeps one record
 * per target under a nested index annotated `vnd.buildkit.history.reference`).
 */
export function manifestsOf(layout: OciLayout): OciManifest[] {
  const out: OciManifest[] = [];
  const seen = new Set<string>();
  const visit = (descriptors: OciDescriptor[] | undefined, depth: number): void => {
    for (const d of descriptors ?? []) {
      if (!d.digest || seen.has(d.digest) || depth > 4) continue;
      seen.add(d.digest);
      const json = blobJson(layout, d.digest) as (OciManifest & OciIndex) | null;
      if (!json || typeof json !== 'object') continue;
      if (Array.isArray(json.manifests)) visit(json.manifests, depth + 1);
      else if (json.config) out.push(json);
    }
  };
  visit(layout.index.manifests, 0);
  return out;
}

export function blobJson(layout: OciLayout, digest: string | undefined): unknown {
  const bytes = digest ? layout.blobs.get(digest) : undefined;
  return bytes ? parseJson(bytes) : null;
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
