/**
 * What is this input? Decided by CONTENT — people name files `build.txt`, `log`, `Dockerfile.prod`,
 * `ctx.tgz`, or paste without a name at all. The name is used only to break a tie between two readings
 * that the content allows (an empty file, a pattern list that could also be a one-word note).
 *
 * Reads only the head of the input (64 KiB is plenty), so the app can sniff a 2 GB tar without reading it.
 */
import { sniffLogFormat } from '../log/index.ts';
import { isRecordArchiveHead } from '../record/sniff.ts';

export type InputKind =
  | 'log'
  | 'dockerfile'
  | 'dockerignore'
  | 'context-tar'
  | 'context-tar-gz'
  | 'commands'
  | 'report-json'
  /** A `.dockerbuild` export (gzipped OCI layout of build records): only `sniffInputDeep` tells it from a context. */
  | 'build-record'
  /** `docker buildx history inspect --format json` output. */
  | 'history-json'
  | 'unknown';

/** How many leading bytes sniffInput looks at; callers may pass more, it ignores the rest. */
export const SNIFF_HEAD_BYTES = 64 * 1024;

export function sniffInput(name: string, head: Uint8Array): InputKind {
  const bytes = head.subarray(0, SNIFF_HEAD_BYTES);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'context-tar-gz';
  if (isTarHeader(bytes)) return 'context-tar';
  if (looksBinary(bytes)) return 'unknown';

  const text = decodeHead(bytes);
  if (text.trim() === '') return /dockerignore/i.test(baseName(name)) ? 'dockerignore' : 'unknown';
  if (isReportJson(text)) return 'report-json';
  if (isHistoryJson(text)) return 'history-json';
  // A CI log quotes its `+ docker build …` command, so the log test comes before the commands test.
  if (isLog(text)) return 'log';
  if (isDockerfile(text)) return 'dockerfile';
  if (isCommands(text)) return 'commands';
  if (isDockerignore(text, name)) return 'dockerignore';
  return 'unknown';
}

/**
 * `sniffInput`, and for gzip a look inside: a `.dockerbuild` and a `context.tar.gz` share the gzip
 * magic, and only the tar in it tells them apart (asynchronous: browsers gunzip with a stream).
 */
export async function sniffInputDeep(name: string, head: Uint8Array): Promise<InputKind> {
  const kind = sniffInput(name, head);
  if (kind === 'context-tar-gz' && (await isRecordArchiveHead(head.subarray(0, SNIFF_HEAD_BYTES)))) return 'build-record';
  return kind;
}

// --- binary formats ----------------------------------------------------------------------------------

/**
 * POSIX/GNU tar: `ustar` at offset 257. Old v7 tars have no magic; their header checksum (the byte sum of
 * the 512-byte header with the checksum field read as spaces, stored as octal at 148) still identifies them.
 */
export function isTarHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  if (ascii(bytes, 257, 5) === 'ustar') return true;
  const stored = parseOctal(bytes.subarray(148, 156));
  if (stored === null || bytes[0] === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (bytes[i] ?? 0);
  return sum === stored;
}

function parseOctal(field: Uint8Array): number | null {
  const text = ascii(field, 0, field.length)
    .replace(/[\0 ]+$/, '')
    .trim();
  return /^[0-7]{1,8}$/.test(text) ? parseInt(text, 8) : null;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let out = '';
  for (let i = at; i < at + length && i < bytes.length; i++) out += String.fromCharCode(bytes[i] ?? 0);
  return out;
}

/**
 * NUL bytes, or many control characters that are not whitespace or ESC (tty logs are full of ESC
 * sequences), mean a binary file. Invalid UTF-8 alone does not: logs carry Latin-1 file names.
 */
function looksBinary(bytes: Uint8Array): boolean {
  let control = 0;
  for (const byte of bytes) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x1b && byte !== 0x0c) control++;
  }
  return bytes.length > 0 && control / bytes.length > 0.02;
}

function decodeHead(bytes: Uint8Array): string {
  const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
  return text.replace(/^\uFEFF/, '');
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

// --- text formats ------------------------------------------------------------------------------------

/** `history inspect --format json`: an object (or an array of them, bake) with `Ref` and the step counts. */
function isHistoryJson(text: string): boolean {
  return /^\s*[[{]/.test(text) && /"Ref"\s*:/.test(text) && /"(?:NumTotalSteps|NumCompletedSteps|Materials)"\s*:/.test(text);
}

function isReportJson(text: string): boolean {
  return /^\s*\{/.test(text) && /"schema"\s*:\s*"cachewhy\.report\/v\d+"/.test(text);
}

/**
 * The log reader's own sniffer decides, so "taken for a log" always means "the log reader can read it";
 * text that only quotes a few log lines (a forum post, a truth file) is not a log.
 */
function isLog(text: string): boolean {
  // A JSON document (truth files, cache dumps, reports of other tools) often quotes log lines in its
  // strings; it is a log only when it is a rawjson stream of SolveStatus objects.
  if (looksLikeJsonDocument(text)) return RAWJSON_KEYS.test(text);
  return sniffLogFormat(text) !== null;
}

/** `{…` or `[{…`/`["…`/`[1…` — not `[+] Building` nor `[2026-11-29T…] #1 …` (CI timestamp prefix). */
function looksLikeJsonDocument(text: string): boolean {
  return /^\s*(?:\{|\[\s*(?:[{"\]]|-?\d+\s*[,\]]))/.test(text);
}

/** `--progress=rawjson` prints SolveStatus objects: `{"vertexes": [...], "statuses": [...], "logs": [...]}`. */
const RAWJSON_KEYS = /"(?:vertexes|statuses|logs)"\s*:\s*\[/;

const INSTRUCTIONS = [
  'FROM',
  'RUN',
  'CMD',
  'LABEL',
  'MAINTAINER',
  'EXPOSE',
  'ENV',
  'ADD',
  'COPY',
  'ENTRYPOINT',
  'VOLUME',
  'USER',
  'WORKDIR',
  'ARG',
  'ONBUILD',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
];
const INSTRUCTION_LINE = new RegExp(`^\\s*(${INSTRUCTIONS.join('|')})(\\s|$)`, 'i');

/** The first instruction of a Dockerfile must be FROM or ARG (after parser directives and comments). */
function isDockerfile(text: string): boolean {
  const lines = text.split(/\r?\n/);
  if (/^#\s*syntax\s*=\s*\S+/i.test(lines[0] ?? '')) return true;
  const first = lines.find((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  return first !== undefined && /^\s*(FROM|ARG)\s+\S/i.test(first);
}

/** `docker build …`, `docker buildx build …`, `docker compose build`, `buildctl build`, with shell dressing. */
const BUILD_COMMAND =
  /^\s*(?:[$+>]\s+)?(?:\(?\s*cd\s+\S+\s*&&\s*)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(?:sudo\s+)?(?:\S*\/)?(?:docker(?:\s+buildx)?\s+build|docker\s+image\s+build|docker[- ]compose\s+build|buildctl\s+build)\b/;
/** The lab's commands.txt: `log file <TAB> command <TAB> exit=N`. */
const COMMANDS_TXT_LINE = /^[^\t]+\t[^\t]*\b(?:docker|buildctl)\b[^\t]*\bbuild\b[^\t]*\texit=\d+\s*$/;

function isCommands(text: string): boolean {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.some((line) => COMMANDS_TXT_LINE.test(line))) return true;
  const first = lines.find((line) => !line.trimStart().startsWith('#'));
  return first !== undefined && BUILD_COMMAND.test(first);
}

/** A pattern the way .dockerignore writes them: a path or glob, maybe negated with `!`. */
const IGNORE_PATTERN = /^!?[A-Za-z0-9_.\-/*?[\]{}~@+^$\\]+$/;

/**
 * Only comments and path patterns, no instruction keyword. A bare word is also a valid pattern, so a
 * file of bare words needs a glob character, a path or the name to be taken for a .dockerignore.
 */
function isDockerignore(text: string, name: string): boolean {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const named = /dockerignore/i.test(baseName(name));
  if (patterns.length === 0) return true; // only comments
  if (patterns.some((line) => INSTRUCTION_LINE.test(line) && /\s/.test(line))) return false;
  if (!patterns.every((line) => IGNORE_PATTERN.test(line))) return false;
  return named || patterns.some((line) => /[*?/!]|^\.|\.[A-Za-z0-9]+$/.test(line));
}
