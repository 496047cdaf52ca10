/**
 * Finding secrets inside free text (log lines, commands, evidence, Dockerfile lines) and replacing them.
 *
 * The patterns follow the families buildx's `sanitizeCommand` and the usual secret scanners look for:
 * cloud keys, forge tokens, private keys, credentials in URLs and `name=value` pairs whose name says
 * "secret" (SECRET_NAME, the one rule in context/credentials.ts). We prefer redacting too much over
 * leaking: a redacted word costs a reader a little context, a leaked token costs the user a credential
 * rotation.
 */

import { SECRET_NAME } from '../context/credentials.ts';

/** What replaces a secret value. Never matched as a secret itself, so redaction is idempotent. */
export const REDACTED = '<redacted>';

/**
 * What replaces one known value (a build arg's): `<redacted A>`, `<redacted B>`… one letter per distinct
 * value, so "V changed (<redacted A> → <redacted B>)" still says that the two values differ, and the same
 * value reads the same wherever it is quoted. Equality is all it tells: the report says as much in words.
 */
export type MarkerOf = (value: string) => string;

export const plainMarker: MarkerOf = () => REDACTED;

/** A marker `<redacted>` or `<redacted A>` anywhere in a text. */
const MARKER = /<redacted(?: [A-Z]{1,3})?>/;
const MARKER_ALONE = new RegExp(`^${MARKER.source}$`);

/** Whether a value is already a redaction marker (so redacting twice changes nothing). */
export function isRedactedValue(value: string): boolean {
  return MARKER_ALONE.test(value);
}

/** The n-th letter name: A…Z, AA…ZZ, AAA… (more distinct values than that are not worth telling apart). */
function markerLetters(n: number): string {
  let out = '';
  for (let i = n; i >= 0; i = Math.floor(i / 26) - 1) out = String.fromCharCode(65 + (i % 26)) + out;
  return out.length > 3 ? '' : out;
}

/**
 * Lettered markers: the values given are lettered first, in their order (first seen, first letter); a value
 * met later (a secret-named ENV of an LLB diff) gets the next letter when it is first asked for.
 */
export function valueMarkers(values: Iterable<string>): MarkerOf {
  const markers = new Map<string, string>();
  const markerOf = (value: string): string => {
    if (isRedactedValue(value)) return value;
    let marker = markers.get(value);
    if (marker === undefined) {
      const letters = markerLetters(markers.size);
      marker = letters ? `<redacted ${letters}>` : REDACTED;
      markers.set(value, marker);
    }
    return marker;
  };
  for (const value of values) markerOf(value);
  return markerOf;
}

/** One family of secrets: a name people recognise and how to find and replace it. */
interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** The replacement for one match; groups let a rule keep the key name and drop only the value. */
  replace: (match: string, ...groups: string[]) => string;
}

const keepPrefix =
  (prefixGroups: number) =>
  (_match: string, ...groups: string[]): string =>
    groups.slice(0, prefixGroups).join('') + REDACTED;

// Which names announce a secret is one rule, shared with the warning about secret build args.
export { isSecretName } from '../context/credentials.ts';

const RULES: SecretRule[] = [
  {
    // A whole PEM block on one line (or joined lines); a lone BEGIN line is handled by redactLines().
    kind: 'private key',
    pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
    // The replacement must not look like a BEGIN line again, or a second pass would blank what follows.
    replace: () => `${REDACTED} (private key)`,
  },
  { kind: 'AWS access key', pattern: /\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b/g, replace: () => REDACTED },
  {
    kind: 'AWS secret key',
    pattern: /(aws_secret_access_key|secret_access_key|aws_secret_key)(["']?\s*[=:]\s*["']?)([A-Za-z0-9/+=]{40})/gi,
    replace: keepPrefix(2),
  },
  { kind: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{20,255}\b/g, replace: () => REDACTED },
  { kind: 'GitHub token', pattern: /\bgithub_pat_[A-Za-z0-9_]{20,255}\b/g, replace: () => REDACTED },
  { kind: 'GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g, replace: () => REDACTED },
  { kind: 'npm token', pattern: /(_authToken\s*=\s*)([^\s"']+)/g, replace: keepPrefix(1) },
  { kind: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/g, replace: () => REDACTED },
  { kind: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, replace: () => REDACTED },
  {
    kind: 'URL credentials',
    // After the token rules, so a token in a URL is named as a token. `<redacted>` may already stand
    // in the password part; the user part never holds it, which keeps this idempotent.
    // scheme://user:pass@host → scheme://<redacted>@host. The user part alone may be a token too.
    pattern: /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/@:<>"']+(?::[^\s/@"']*)?)@/g,
    replace: (_m, scheme) => `${scheme}${REDACTED}@`,
  },
  {
    kind: 'JWT',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
    replace: () => REDACTED,
  },
  {
    kind: 'Authorization header',
    pattern: /\b((?:Bearer|Basic|token)\s+)([A-Za-z0-9._~+/=-]{16,})/g,
    replace: keepPrefix(1),
  },
  {
    // password=…, TOKEN: …, "secret": "…" — keep the name, drop the value.
    kind: 'secret value',
    pattern: new RegExp(String.raw`\b(${SECRET_NAME})(["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&)]+)`, 'gi'),
    replace: (match, name, sep, value) => {
      if (value === undefined || MARKER.test(value) || value.length === 0) return match;
      // `--mount=type=secret,id=x` and `key: value` prose where the value is clearly not a secret
      // (a path or a flag) stay readable; everything else goes.
      if (/^["']?(?:true|false|null|none|yes|no)["']?$/i.test(value)) return match;
      // "look like a secret: build args are…" is prose, not a pair: after a colon, a plain lowercase word
      // is text. After `=` nothing is spared (`password=changeme` is a password).
      if (!sep.includes('=') && /^[a-z]+$/.test(value)) return match;
      // cachewhy's own file-change lines: `secret.env: now-included` names a change, not a value.
      if (!sep.includes('=') && /^now-(?:included|excluded)$/.test(value)) return match;
      return `${name}${sep}${REDACTED}`;
    },
  },
];

/**
 * A 40-character base64 word with mixed case and digits is what an AWS secret access key looks like even
 * without its name next to it. Hex (git SHAs, digests) is left alone: it has no upper/lower mix.
 */
const AWS_SECRET_SHAPE = /(^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g;

function looksLikeAwsSecret(word: string): boolean {
  if (!/[a-z]/.test(word) || !/[A-Z]/.test(word) || !/[0-9]/.test(word)) return false;
  const slashes = word.split('/').length - 1;
  // Paths have many slashes and empty segments; a random key has few.
  return slashes <= 3 && !word.includes('//') && !word.startsWith('/');
}

export interface ScrubResult {
  text: string;
  /** Kinds of secrets removed (one entry per kind, no values). */
  kinds: string[];
}

/** Replaces every secret found in one string. Pure; idempotent. */
export function scrubSecrets(text: string): ScrubResult {
  const kinds = new Set<string>();
  let out = text;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    out = out.replace(rule.pattern, (...args: unknown[]) => {
      const match = args[0] as string;
      const groups = args.slice(1, -2).map((g) => (typeof g === 'string' ? g : ''));
      const replaced = rule.replace(match, ...groups);
      if (replaced !== match) kinds.add(rule.kind);
      return replaced;
    });
  }
  out = out.replace(AWS_SECRET_SHAPE, (match, lead: string, word: string) => {
    if (!looksLikeAwsSecret(word)) return match;
    kinds.add('AWS secret key');
    return lead + REDACTED;
  });
  return { text: out, kinds: [...kinds] };
}

/**
 * `--build-arg NAME=VALUE` (and `--build-arg=NAME=VALUE`, quoted or not) → `--build-arg NAME=<redacted>`.
 * Every value goes, not only secret-looking ones: build args are where people pass credentials.
 */
export function scrubBuildArgFlags(text: string, markerOf: MarkerOf = plainMarker): ScrubResult {
  let found = false;
  const out = text.replace(
    /(--build-arg(?:=|\s+)["']?)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|<redacted(?: [A-Z]{1,3})?>|[^\s"']*)(["']?)/g,
    (match, flag: string, name: string, value: string, close: string) => {
      const bare = value.replace(/^(["'])(.*)\1$/, '$2');
      if (isRedactedValue(bare) || value === '') return match;
      found = true;
      return `${flag}${name}=${markerOf(bare)}${close}`;
    },
  );
  return { text: out, kinds: found ? ['build-arg value'] : [] };
}

/** A build arg as redaction knows it: its name and every value it had in any build. */
export interface KnownArg {
  name: string;
  values: string[];
}

/**
 * Replaces the known values of build args as whole words. A value of 4+ characters goes everywhere;
 * a shorter one (`V=1`) only after its arg's name in the same text ("the build arg V changed (1 → 2)"),
 * because replacing every "1" would destroy the report and protect nothing.
 */
export function scrubKnownValues(text: string, args: readonly KnownArg[], markerOf: MarkerOf = plainMarker): ScrubResult {
  let out = text;
  let found = false;
  const replaceFrom = (value: string, from: number): void => {
    const pattern = new RegExp(`(^|[^A-Za-z0-9])${escapeRegExp(value)}(?![A-Za-z0-9])`, 'g');
    const tail = out.slice(from).replace(pattern, (_m, lead: string) => {
      found = true;
      return lead + markerOf(value);
    });
    out = out.slice(0, from) + tail;
  };
  for (const arg of args) {
    for (const value of [...arg.values].sort((a, b) => b.length - a.length)) {
      if (value === '' || isRedactedValue(value) || !out.includes(value)) continue;
      if (value.length >= MIN_KNOWN_VALUE_LENGTH) {
        replaceFrom(value, 0);
        continue;
      }
      const name = new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(arg.name)}(?![A-Za-z0-9_])`).exec(out);
      if (name) replaceFrom(value, name.index + name[0].length);
    }
  }
  return { text: out, kinds: found ? ['build-arg value'] : [] };
}

export const MIN_KNOWN_VALUE_LENGTH = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
