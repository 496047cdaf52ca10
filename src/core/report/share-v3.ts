/**
 * Share links, format 3: format 2 (share-v2.ts: squeeze, pack, deflate with the preset dictionary) of the
 * report, with each `link_omitted` entry that is one of OMISSION_WORDS written as its number in that list.
 *
 * Why a format for this: a compact link lists what it left out in the words the page shows, ~330
 * characters of prose the format-2 dictionary does not hold, which cost ~130 of the built-in example's
 * ~2,000 characters. The words are the page's, not the report's: a link only needs to say which.
 * An entry that is not in the list (words changed later) stays text, so the round trip is exact for any
 * report, and a format-2 reader that sees numbers never does: this is why it is a new envelope version.
 *
 * OMISSION_WORDS is part of the format: NEVER edit or reorder an entry; append new words at the end.
 */
import type { Report } from '../model.ts';
import { decodeV2Payload, encodeV2Payload, type V2Decoded } from './share-v2.ts';

export const SHARE_LINK_V3 = 3;

/** Number → words. Entries 0–6 are compact.ts's LINK_OMISSION_WORDS as format 3 was made. */
export const OMISSION_WORDS: readonly string[] = [
  'vertex digests, hash notes and content keys of the steps that did not miss on their own',
  'context comparisons of the COPY/ADD steps whose files did not change',
  'instructions and Dockerfile lines of the steps rebuilt only because an earlier step missed',
  'checksums of each context and content keys of the context comparisons',
  'build commands',
  'base images, cache imports, context transfers and builder of each build',
  'list of inputs',
];

const NUMBER_OF = new Map(OMISSION_WORDS.map((words, n) => [words, n]));

/** The bytes after `r=3.`, before base64url. */
export function encodeV3Payload(report: Report): Uint8Array {
  if (!report.link_omitted) return encodeV2Payload(report);
  const link_omitted = report.link_omitted.map((words) => NUMBER_OF.get(words) ?? words);
  return encodeV2Payload({ ...report, link_omitted } as unknown as Report);
}

/** Undoes encodeV3Payload. Never throws; a number with no words is left as it is (the report check refuses it). */
export function decodeV3Payload(bytes: Uint8Array): V2Decoded {
  const decoded = decodeV2Payload(bytes);
  if (!decoded.ok || !isObj(decoded.value) || !Array.isArray(decoded.value.link_omitted)) return decoded;
  const link_omitted = decoded.value.link_omitted.map((entry: unknown) => (typeof entry === 'number' ? (OMISSION_WORDS[entry] ?? entry) : entry));
  return { ok: true, value: { ...decoded.value, link_omitted } };
}

function isObj(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
