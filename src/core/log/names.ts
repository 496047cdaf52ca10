/**
 * What a BuildKit vertex name says: a Dockerfile step (`[stage-0  2/34] RUN …`, `[web builder 2/3] …`,
 * `[linux/amd64 3/5] …`) or an internal vertex (`[internal] load build context`, `exporting to image`).
 * Shared by the plain, tty and rawjson readers, which all print the same names.
 */
import type { VertexKind } from '../model.ts';

export interface StepName {
  stage: string | null;
  service: string | null;
  platform: string | null;
  index: number;
  total: number | null;
  /** The bracketed label exactly as printed. */
  label: string;
  instruction: string;
}

const PLATFORM_RE = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9.]+)?$/;
const MAX_NUMBER_DIGITS = 6;

/**
 * Parses a step name: `[` words? index`/`total `]` space instruction, the label padded (`[ 3/22]`,
 * `[stage-0  2/34]`). `composeMode` says the log prints a service name before the stage, which is the
 * only way to tell `[web 2/3]` (service web, no stage) from `[builder 2/3]` (stage builder).
 *
 * Parsed by hand: a regex like `\[([^\]]*?)\s*(\d+)\/(\d+)\]` backtracks quadratically on a long run of
 * digits, and vertex names are user input.
 */
export function parseStepName(name: string, composeMode: boolean): StepName | null {
  if (name.charCodeAt(0) !== 91 /* [ */) return null;
  const close = name.indexOf(']');
  if (close === -1 || name.charCodeAt(close + 1) !== 32) return null;
  const inner = name.slice(1, close);
  const slash = inner.lastIndexOf('/');
  if (slash === -1) return null;
  const totalText = inner.slice(slash + 1);
  if (totalText.length === 0 || totalText.length > MAX_NUMBER_DIGITS || !allDigits(totalText)) return null;
  let start = slash;
  while (start > 0 && isDigit(inner.charCodeAt(start - 1))) start--;
  const indexText = inner.slice(start, slash);
  if (indexText.length === 0 || indexText.length > MAX_NUMBER_DIGITS) return null;
  if (start > 0 && inner.charCodeAt(start - 1) !== 32) return null;
  const words = inner
    .slice(0, start)
    .split(' ')
    .filter((w) => w !== '');
  let platform: string | null = null;
  if (words.length > 0 && PLATFORM_RE.test(words[0] as string)) platform = words.shift() as string;
  let service: string | null = null;
  let stage: string | null = null;
  if (words.length >= 2 || (composeMode && words.length === 1)) service = words.shift() as string;
  if (words.length >= 1) stage = words.join(' ');
  return {
    stage,
    service,
    platform,
    index: Number(indexText),
    total: Number(totalText),
    label: name.slice(0, close + 1),
    instruction: name.slice(close + 2).trim(),
  };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * `[web internal] load …` is how compose and bake show internal vertices: the service stands in the
 * brackets, after the platform of a multi-platform build (`[linux/arm64 web internal]`).
 */
const SERVICE_INTERNAL_RE = /^\[(?:[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9.]+)? )?([^\]\s]+) (internal|auth)\] /;
/** `[web] exporting to image`: bake and compose put the target alone in brackets before export vertices. */
const SERVICE_ONLY_RE = /^\[([^\]\s/]+)\] (?=exporting |pushing |sending tarball|resolving provenance|naming )/;

/** The service name of a compose/bake internal vertex, or null. */
export function composeServiceOf(name: string): string | null {
  const m = SERVICE_INTERNAL_RE.exec(name);
  // `[linux/arm64 internal]`: a platform, not a service.
  return m && !PLATFORM_RE.test(m[1] as string) ? (m[1] as string) : null;
}

/** The vertex name without a compose service inside the brackets: `[web internal] x` → `[internal] x`. */
export function withoutService(name: string): string {
  const m = SERVICE_INTERNAL_RE.exec(name);
  if (m) return `[${m[2]}] ${name.slice(m[0].length)}`;
  const only = SERVICE_ONLY_RE.exec(name);
  return only ? name.slice(only[0].length) : name;
}

export function classifyVertex(rawName: string): VertexKind {
  const name = withoutService(rawName);
  if (name.startsWith('[internal] load build definition')) return 'load-definition';
  if (name.startsWith('[internal] load .dockerignore')) return 'load-dockerignore';
  if (name.startsWith('[internal] load build context')) return 'load-context';
  if (name.startsWith('[internal] load metadata for ')) return 'load-metadata';
  if (name.startsWith('[auth] ')) return 'auth';
  if (name.startsWith('resolve image config for ') || name.startsWith('docker-image://')) return 'resolve-frontend';
  if (name.startsWith('importing cache manifest from ')) return 'cache-import';
  if (name.startsWith('exporting cache')) return 'cache-export';
  if (name.startsWith('exporting ') || name.startsWith('pushing ') || name.startsWith('sending tarball')) return 'export';
  if (name.startsWith('[internal] ')) return 'internal';
  return 'other';
}

/** `FROM docker.io/lab/base:1@sha256:…` (optionally ` AS x`) → the reference and its digest. */
export function splitImageRef(ref: string): { ref: string; digest: string | null } {
  const words = ref.trim().split(/\s+/);
  // FROM --platform=… image AS name
  const image = words.find((w) => !w.startsWith('--')) ?? '';
  const at = image.indexOf('@sha256:');
  return at === -1 ? { ref: image, digest: null } : { ref: image.slice(0, at), digest: image.slice(at + 1) };
}

/** BuildKit with `PROGRESS_NO_TRUNC=0` cuts names to 72 characters and appends `...`. */
export function looksCutAt72(name: string): boolean {
  return name.length === 75 && name.endsWith('...');
}
