/**
 * A `.dockerbuild` is gzip like a `context.tar.gz`: the two are told apart by what the tar holds, an OCI
 * layout (`oci-layout`, `index.json`, `blobs/sha256/<hex>` whose JSON names BuildKit's media types). Only
 * the head is looked at: the part of the tar the gzipped head gives.
 */
import { TarParser } from '../context/tar.ts';

const MAX_HEAD_TAR = 1024 * 1024;
const BLOB = /^blobs\/sha256\/[a-f0-9]{64}$/;
const OCI_LAYOUT_BLOB_TEXT = /application\/vnd\.(?:buildkit\.(?:historyrecord|status|otlp)|oci\.image\.(?:index|manifest))/;

/** True when the gzipped bytes' tar is an OCI layout holding build records (as far as the head shows). */
export async function isRecordArchiveHead(gzipHead: Uint8Array): Promise<boolean> {
  const tar = await gunzipPrefix(gzipHead);
  let layoutFiles = 0;
  let blobs = 0;
  let other = 0;
  let mentionsBuildKit = false;
  let inBlob = false;
  const parser = new TarParser({
    entry(entry) {
      inBlob = false;
      if (entry.type === 'dir') return;
      if (entry.path === 'oci-layout' || entry.path === 'index.json') layoutFiles++;
      else if (BLOB.test(entry.path)) {
        blobs++;
        inBlob = true;
      } else other++;
    },
    data(bytes) {
      if (inBlob && !mentionsBuildKit && bytes[0] === 0x7b) mentionsBuildKit = OCI_LAYOUT_BLOB_TEXT.test(new TextDecoder().decode(bytes.subarray(0, 4096)));
    },
    end() {
      inBlob = false;
    },
  });
  parser.push(tar);
  if (other > 0) return false;
  return layoutFiles === 2 || (blobs > 0 && mentionsBuildKit);
}

/** As much of the tar as the gzip head decompresses to (a cut gzip stream errors at its end: expected). */
async function gunzipPrefix(gzipHead: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([gzipHead as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_HEAD_TAR) {
      const next = await reader.read();
      if (next.done) break;
      parts.push(next.value);
      size += next.value.length;
    }
  } catch {
    // the head ends mid-stream
  } finally {
    reader.cancel().catch(() => undefined);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
