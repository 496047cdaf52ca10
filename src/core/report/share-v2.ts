/**
 * Share links, format 2: the same redacted Report as format 1, in about half the characters.
 *
 *   `r=2.<payload>`, payload = base64url without padding of
 *   deflate-raw with SHARE_DICTIONARY as preset dictionary (share-dictionary.ts) of
 *   pack (share-pack.ts: binary, every repeat a reference, digests as bytes) of
 *   squeezeReport (share-predict.ts: fields the rest of the report predicts written as "same") of the Report.
 * Decoding undoes each layer and gives back exactly the Report that was encoded. What each layer gained on
 * the built-in example and the lab cases is in README-share.md.
 *
 * CompressionStream has no preset dictionary, hence fflate (8 kB, synchronous) for this format. Every
 * layer is part of the format: never change one; add a format 3 and keep this decoder instead.
 */
import { deflateSync, Inflate } from 'fflate';
import type { Report } from '../model.ts';
import { SHARE_DICTIONARY } from './share-dictionary.ts';
import { pack, unpack, UnpackError, type Json } from './share-pack.ts';
import { restoreReport, squeezeReport } from './share-predict.ts';

export const SHARE_LINK_V2 = 2;

/** Inflating stops here. A packed report is a fraction of its JSON: 8 MB is far past any real one. */
export const V2_MAX_INFLATED_BYTES = 8 * 1024 * 1024;
/** Unpacking stops after this many values (references can stand for an exponential tree). */
export const V2_MAX_VALUES = 2_000_000;
/** Input is fed to inflate in slices this big, so a bomb is stopped after at most ~1 MB too much output. */
const INFLATE_SLICE = 1024;

/** The bytes after `r=2.`, before base64url. */
export function encodeV2Payload(report: Report): Uint8Array {
  const packed = pack(squeezeReport(report as unknown as Json));
  return deflateSync(packed, { level: 9, mem: 12, dictionary: SHARE_DICTIONARY });
}

export type V2Failure = 'truncated' | 'corrupt' | 'too-large';
export type V2Decoded = { ok: true; value: unknown } | { ok: false; failure: V2Failure; detail: string };

/** Undoes encodeV2Payload. Never throws; the caller checks the value is a report. */
export function decodeV2Payload(bytes: Uint8Array): V2Decoded {
  const inflated = inflateBounded(bytes);
  if (!inflated.ok) return inflated;
  try {
    return { ok: true, value: restoreReport(unpack(inflated.bytes, V2_MAX_VALUES)) };
  } catch (error) {
    if (error instanceof UnpackError) return { ok: false, failure: error.reason, detail: error.message };
    return { ok: false, failure: 'corrupt', detail: error instanceof Error ? error.message : String(error) };
  }
}

type Inflated = { ok: true; bytes: Uint8Array } | { ok: false; failure: V2Failure; detail: string };

function inflateBounded(bytes: Uint8Array): Inflated {
  const parts: Uint8Array[] = [];
  let total = 0;
  let ended = false;
  const inflate = new Inflate({ dictionary: SHARE_DICTIONARY }, (chunk, final) => {
    total += chunk.length;
    if (total <= V2_MAX_INFLATED_BYTES) parts.push(chunk);
    if (final) ended = true;
  });
  try {
    for (let at = 0; at < bytes.length && total <= V2_MAX_INFLATED_BYTES; at += INFLATE_SLICE) {
      inflate.push(bytes.subarray(at, at + INFLATE_SLICE), at + INFLATE_SLICE >= bytes.length);
    }
  } catch (error) {
    // fflate says "unexpected EOF" both for a cut stream and for a damaged one that runs past its end.
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, failure: /unexpected EOF/i.test(detail) ? 'truncated' : 'corrupt', detail };
  }
  if (total > V2_MAX_INFLATED_BYTES) return { ok: false, failure: 'too-large', detail: `more than ${V2_MAX_INFLATED_BYTES} bytes` };
  if (!ended) return { ok: false, failure: 'truncated', detail: 'the compressed report does not end' };
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return { ok: true, bytes: out };
}
