/**
 * The share link: the whole (redacted) Report in the URL fragment, so nothing is ever uploaded.
 *
 * Format 3 (share-v3.ts, what this code writes): format 2 with the compact form's list of omissions as
 * numbers. Format 2 (share-v2.ts, decoder kept): the same report packed, predicted and deflated with a
 * preset dictionary, about half the characters of format 1.
 * Format, version 1 (never change it; this decoder stays so every link ever made still opens):
 *   `r=1.<payload>`, payload = base64url without padding of deflate-raw(UTF-8(JSON(redacted Report))).
 *   A long report goes in its compact form: the same Report schema with per-step detail left out and
 *   `link_omitted` saying what (an optional field, so every reader of version 1 still reads it).
 * The fragment (after `#`) is never sent to a server by browsers, which is why the report lives there.
 * `CompressionStream` / `DecompressionStream` exist in browsers, workers and Node 20 alike.
 */
import { concatBytes } from '../bytes.ts';
import type { InputProblem, Report } from '../model.ts';
import { REPORT_SCHEMA } from '../model.ts';
import { compactReport } from './compact.ts';
import { redactReport } from './redact.ts';
import { decodeV2Payload, SHARE_LINK_V2, type V2Decoded } from './share-v2.ts';
import { decodeV3Payload, encodeV3Payload, SHARE_LINK_V3 } from './share-v3.ts';
import { isNewerReport, readReport } from './validate.ts';

/** The envelope version this code writes. */
export const SHARE_LINK_VERSION = SHARE_LINK_V3;
/** Above this many characters chat tools (Slack, Teams, Discord) cut or refuse a link: offer a file. */
export const SHARE_LINK_SOFT_LIMIT = 8_000;
/** Chromium refuses URLs longer than 2 MiB (`kMaxURLChars`). */
export const SHARE_LINK_HARD_LIMIT = 2 * 1024 * 1024;
/** Inflating stops here: a link of a few kB must not be able to make us allocate gigabytes. */
export const SHARE_LINK_MAX_INFLATED_BYTES = 20 * 1024 * 1024;
/** Text longer than this is not a link we ever wrote (the hard limit, plus room for a pasted page URL). */
const MAX_LINK_INPUT_CHARS = SHARE_LINK_HARD_LIMIT + 64 * 1024;

export type ShareLinkErrorCode =
  'empty' | 'not-a-link' | 'newer-version' | 'bad-version' | 'bad-base64' | 'truncated' | 'corrupt' | 'too-large' | 'bad-json' | 'wrong-schema';

/** A decode failure: an InputProblem with a code the UI and tests can switch on. */
export interface ShareLinkProblem extends InputProblem {
  code: ShareLinkErrorCode;
}

export type ShareLinkResult = { ok: true; value: Report } | { ok: false; problem: ShareLinkProblem };

export interface EncodedShareLink {
  /** `r=3.<payload>`, to put after `#`. */
  fragment: string;
  /** What redaction removed before encoding. */
  redactions: string[];
  /** Characters of the fragment. */
  size: number;
  /** The report went in its compact form (see compact.ts); `link_omitted` in it says what was left out. */
  compact: boolean;
  /** What the link leaves out, in the page's words (empty when the whole report is in it). */
  omitted: string[];
}

/** Redacts, serialises, compresses and encodes a report; returns `r=3.<payload>`. */
export async function encodeShareLink(report: Report): Promise<string> {
  return (await encodeShareLinkDetailed(report)).fragment;
}

/** Room left for the page address in front of the fragment when judging a link's length. */
const ADDRESS_ALLOWANCE = 256;

/**
 * Same as encodeShareLink, with what was redacted and the size, for the UI to show. A report whose link
 * would be too long for chat tools is sent in its compact form (`compactReport`) when that is shorter.
 */
export async function encodeShareLinkDetailed(report: Report): Promise<EncodedShareLink> {
  const { report: safe, redactions } = redactReport(report);
  const full = await fragmentOf(safe);
  const whole = { fragment: full, redactions, size: full.length, compact: false, omitted: [] };
  if (full.length <= SHARE_LINK_SOFT_LIMIT - ADDRESS_ALLOWANCE) return whole;
  const short = compactReport(safe);
  const compact = await fragmentOf(short);
  return compact.length < full.length ? { fragment: compact, redactions, size: compact.length, compact: true, omitted: short.link_omitted ?? [] } : whole;
}

async function fragmentOf(report: Report): Promise<string> {
  return `r=${SHARE_LINK_VERSION}.${toBase64Url(encodeV3Payload(report))}`;
}

/** `base` + `#r=3.…`; any fragment already on `base` is replaced. */
export async function shareUrl(report: Report, base: string): Promise<string> {
  const hash = base.indexOf('#');
  const root = hash === -1 ? base : base.slice(0, hash);
  return `${root}#${await encodeShareLink(report)}`;
}

const INPUT = 'share link';

function fail(code: ShareLinkErrorCode, message: string, hint: string): ShareLinkResult {
  return { ok: false, problem: { input: INPUT, code, message, hint } };
}

const ASK_AGAIN = 'Ask the sender to copy the whole link again (some chat tools cut long links), or to send the report file.';

/**
 * Accepts a full URL, `#r=3.…`, `r=1.…` (every format ever written) or a fragment with other `&`-separated
 * parameters.
 * Never throws: every failure is a ShareLinkProblem saying what is wrong and what to do.
 */
export async function decodeShareLink(fragmentOrUrl: string): Promise<ShareLinkResult> {
  try {
    return await decode(fragmentOrUrl);
  } catch (error) {
    // Defensive: a stream implementation may throw in ways we did not foresee.
    return fail('corrupt', `The link could not be decoded (${describe(error)}).`, ASK_AGAIN);
  }
}

async function decode(input: string): Promise<ShareLinkResult> {
  const text = input.trim();
  if (text === '' || text === '#') return fail('empty', 'The share link is empty.', 'Paste the whole link, including the part after #r=.');
  if (text.length > MAX_LINK_INPUT_CHARS) {
    return fail('too-large', `The link is ${text.length} characters long, more than any link cachewhy writes.`, 'Open the report file instead.');
  }
  const param = findReportParam(text);
  if (param === null) {
    return fail('not-a-link', 'This is not a cachewhy share link: it has no "r=" report part.', 'A cachewhy link ends with #r=1. followed by the report.');
  }
  const dot = param.indexOf('.');
  const versionText = dot === -1 ? param : param.slice(0, dot);
  if (!/^\d{1,6}$/.test(versionText)) {
    return fail('bad-version', "The link's version is missing or not a number.", ASK_AGAIN);
  }
  const version = Number(versionText);
  if (version > SHARE_LINK_VERSION) {
    return fail(
      'newer-version',
      `This link was made by a newer cachewhy (link format ${version}); this one reads format ${SHARE_LINK_VERSION}.`,
      'Open it with the latest cachewhy.',
    );
  }
  if (version < 1) return fail('bad-version', `Link format ${version} does not exist.`, ASK_AGAIN);
  if (dot === -1 || dot === param.length - 1) return fail('truncated', `The link has no report after "r=${version}.".`, ASK_AGAIN);

  const bytes = fromBase64Url(param.slice(dot + 1));
  if (bytes === null) {
    return fail('bad-base64', 'The link contains characters that cannot be part of a cachewhy link.', ASK_AGAIN);
  }
  if (version === SHARE_LINK_V3) return decodePacked(decodeV3Payload(bytes));
  return version === SHARE_LINK_V2 ? decodePacked(decodeV2Payload(bytes)) : decodeV1(bytes);
}

/** Formats 2 and 3: see share-v2.ts and share-v3.ts. */
function decodePacked(decoded: V2Decoded): ShareLinkResult {
  if (decoded.ok) return checkReport(decoded.value);
  switch (decoded.failure) {
    case 'truncated':
      return fail('truncated', 'The link is cut short: the report inside it ends too early.', ASK_AGAIN);
    case 'too-large':
      return fail('too-large', 'The link unpacks to far more than any real report: it was not made by cachewhy.', 'Do not trust where this link came from.');
    case 'corrupt':
      return fail('corrupt', 'The link is damaged: the compressed report inside it cannot be unpacked.', ASK_AGAIN);
  }
}

/** Format 1: deflate-raw of the report's JSON. */
async function decodeV1(bytes: Uint8Array): Promise<ShareLinkResult> {
  const inflated = await inflate(bytes);
  if (!inflated.ok) return inflated;

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated.bytes));
  } catch {
    return fail('bad-json', 'The link decompressed, but what it holds is not a cachewhy report (not valid JSON).', ASK_AGAIN);
  }
  return checkReport(parsed);
}

/** Finds the value of `r` in a URL, a fragment or a bare `r=…`. */
function findReportParam(text: string): string | null {
  const hash = text.indexOf('#');
  const fragment = hash === -1 ? text : text.slice(hash + 1);
  for (const part of fragment.split('&')) {
    if (part.startsWith('r=')) return part.slice(2);
  }
  return null;
}

type Inflated = { ok: true; bytes: Uint8Array } | { ok: false; problem: ShareLinkProblem };

async function inflate(bytes: Uint8Array): Promise<Inflated> {
  try {
    const out = await pipeThrough(bytes, new DecompressionStream('deflate-raw'), SHARE_LINK_MAX_INFLATED_BYTES);
    if (out.overLimit) {
      const mb = Math.round(SHARE_LINK_MAX_INFLATED_BYTES / 1024 / 1024);
      return fail(
        'too-large',
        `The link unpacks to more than ${mb} MB, far more than any real report: it was not made by cachewhy.`,
        'Do not trust where this link came from.',
      ) as Inflated;
    }
    return { ok: true, bytes: out.bytes };
  } catch (error) {
    // Streams report both a cut stream and bad data as a TypeError; the message tells them apart in
    // Node ("unexpected end of file") and Chromium ("…incomplete…"/"…end of…").
    const message = describe(error);
    if (/end of (file|stream|data)|incomplete|truncat|unexpected end/i.test(message)) {
      return fail('truncated', 'The link is cut short: the report inside it ends too early.', ASK_AGAIN) as Inflated;
    }
    return fail('corrupt', 'The link is damaged: the compressed report inside it cannot be unpacked.', ASK_AGAIN) as Inflated;
  }
}

function checkReport(value: unknown): ShareLinkResult {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('wrong-schema', 'The link holds JSON, but not a cachewhy report.', ASK_AGAIN);
  }
  if (isNewerReport(value)) {
    return fail(
      'newer-version',
      `This link was made by a newer cachewhy (report ${String((value as { schema?: unknown }).schema)}); this one reads ${REPORT_SCHEMA}.`,
      'Open it with the latest cachewhy.',
    );
  }
  // Links made before the current schema hold an older report: readReport upgrades it.
  const read = readReport(value);
  if (!read.ok) return fail('wrong-schema', `The link holds JSON that is not a valid cachewhy report: ${read.problem}.`, ASK_AGAIN);
  return { ok: true, value: read.report };
}

/**
 * Pushes bytes through a transform stream and collects the output, stopping (and cancelling) once more
 * than `limit` bytes came out. Write and read run concurrently, as streams require for big data.
 */
async function pipeThrough(
  bytes: Uint8Array,
  transform: { writable: WritableStream<BufferSource>; readable: ReadableStream<Uint8Array> },
  limit: number,
): Promise<{ bytes: Uint8Array; overLimit: boolean }> {
  const writer = transform.writable.getWriter();
  const writing = (async () => {
    await writer.write(bytes as BufferSource);
    await writer.close();
  })();
  // The read side reports the error; keep the write side's rejection from going unhandled.
  writing.catch(() => {});

  const reader = transform.readable.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      await writer.abort().catch(() => {});
      return { bytes: new Uint8Array(0), overLimit: true };
    }
    chunks.push(value);
  }
  await writing;
  return { bytes: concatBytes(chunks), overLimit: false };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- base64url ---------------------------------------------------------------------------------------
// Hand-written: `btoa`/`atob` work on "binary strings" (one char per byte), which costs a copy per byte and
// accepts `+/=` silently; we want strict base64url that rejects anything a chat tool may have mangled.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function toBase64Url(bytes: Uint8Array): string {
  const parts: string[] = [];
  let line = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const n = (a << 16) | (b << 8) | c;
    const left = bytes.length - i;
    line += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    if (left > 1) line += ALPHABET[(n >> 6) & 63]!;
    if (left > 2) line += ALPHABET[n & 63]!;
    if (line.length >= 8192) {
      parts.push(line);
      line = '';
    }
  }
  parts.push(line);
  return parts.join('');
}

/** Strict: only the base64url alphabet, no padding, no length that cannot occur. Null when invalid. */
export function fromBase64Url(text: string): Uint8Array | null {
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const sextet = code < 128 ? (DECODE[code] ?? -1) : -1;
    if (sextet < 0) return null;
    value = ((value << 6) | sextet) & 0xffff; // at most 13 live bits; keep the number small
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}
