/**
 * The CLI's inputs: each path given is sniffed by its content (folders are build contexts), read as text
 * or hashed as a context. Every failure becomes one problem naming the file; nothing throws.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { concatBytes } from '../core/bytes.ts';
import { readLogInput, type ReadLogInput, type TextInput } from '../core/analyze.ts';
import type { ContextSource, Sha256 } from '../core/context/index.ts';
import { indexOnThreads } from './hash-pool.ts';
import { dockerignoreOfBuild } from '../core/ingest/dockerignores.ts';
import { sniffInputDeep, SNIFF_HEAD_BYTES, type InputKind } from '../core/ingest/sniff.ts';
import { readRecordInput } from '../core/record/index.ts';
import type { ContextIndex, InputProblem } from '../core/model.ts';
import { parseBuildNumbers } from './args.ts';
import { folderSource, openTarFile } from './folder.ts';

/** What the files given on the command line turned out to be, in the order given. */
export interface SortedInputs {
  /**
   * Logs are read as they are sorted, streamed from their files (see `readLogInput`); a log that could
   * not be read is kept (its `read` says why) so the logs stay in the order given. `pick`: `file.log#2`.
   */
  logs: (ReadLogInput & { pick?: number[] })[];
  dockerfiles: TextInput[];
  dockerignores: TextInput[];
  commands: TextInput[];
  /** Saved cachewhy reports (`--json` output): rendered as they are. */
  reports: TextInput[];
  /** `docker buildx history inspect --format json` outputs, one per build in the order of the logs. */
  histories: TextInput[];
  contexts: { path: string; kind: 'folder' | 'tar' | 'tar.gz' }[];
  /** Inputs that cannot be used (or only in part): each is a warning, the others are still used. */
  problems: InputProblem[];
}

/**
 * Text inputs other than logs (Dockerfiles, command files, reports) larger than this are refused rather
 * than read into memory whole. Logs, from files or standard input, have no limit: they are streamed.
 */
const MAX_TEXT_BYTES = 512 * 1024 * 1024;

const WHAT_IS_ACCEPTED =
  'cachewhy reads build logs, build records (.dockerbuild exports, `docker buildx history inspect --format json`), Dockerfiles, .dockerignore files, build-command files, saved cachewhy reports, and build contexts (.tar, .tar.gz or a folder).';

/** `-` stands for standard input (`docker build … 2>&1 | cachewhy a.log -`); it is read once. */
export const STDIN = '-';

export async function sortInputs(args: string[], readStdin: StdinSource = readProcessStdin): Promise<SortedInputs> {
  const sorted: SortedInputs = { logs: [], dockerfiles: [], dockerignores: [], commands: [], reports: [], histories: [], contexts: [], problems: [] };
  const located = await Promise.all(args.map((arg): Promise<Located> => (arg === STDIN ? Promise.resolve({ path: arg }) : locate(arg))));
  const paths = located.map((l) => l.path);
  let stdinUsed = false;
  for (const { path, pick, problem } of located) {
    if (problem) {
      sorted.problems.push(problem);
      continue;
    }
    if (path === STDIN) {
      if (stdinUsed) {
        sorted.problems.push({ input: 'standard input', message: 'is given twice ("-"); it can be read only once' });
        continue;
      }
      stdinUsed = true;
      await sortStdin(sorted, readStdin);
      continue;
    }
    await sortFile(sorted, path, displayName(path, paths), pick);
  }
  return sorted;
}

interface Located {
  path: string;
  pick?: number[];
  /** The argument is neither a file nor a file with a pick (`a.log#x`, `a.log#0`). */
  problem?: InputProblem;
}

/**
 * `a.log#2` / `a.log#1,3` picks builds of `a.log` — unless a file is really named `a.log#2`, then the
 * argument is a path like any other.
 */
async function locate(arg: string): Promise<Located> {
  const at = arg.lastIndexOf('#');
  if (at <= 0 || (await exists(arg)) || !(await exists(arg.slice(0, at)))) return { path: arg };
  const path = arg.slice(0, at);
  const suffix = arg.slice(at + 1);
  const pick = parseBuildNumbers(suffix);
  if (pick !== null) return { path, pick };
  const name = basename(path);
  return {
    path,
    problem: {
      input: arg,
      message: `#${suffix} does not pick builds: there is no file ${basename(arg)}`,
      hint: `Pick with numbers from 1: ${name}#2, ${name}#1,3`,
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** One file given on the command line, by what its content is; `pick` only means something for a log. */
async function sortFile(sorted: SortedInputs, path: string, name: string, pick: number[] | undefined): Promise<void> {
  const problem = (message: string, hint?: string): void => {
    // The path as given: stderr stays on this machine, and the full path says which file best.
    sorted.problems.push(hint ? { input: path, message, hint } : { input: path, message });
  };
  let kind: InputKind | 'folder';
  try {
    kind = await sniffPath(path);
  } catch (error) {
    problem(`cannot be read: ${systemReason(error)}`, 'Check the path and its permissions.');
    return;
  }
  if (pick && kind !== 'log' && kind !== 'unknown') problem(`#${pick.join(',')} picks builds of a log, but this is not a build log; it is used whole`);
  switch (kind) {
    case 'folder':
    case 'context-tar':
    case 'context-tar-gz':
      sorted.contexts.push({ path, kind: kind === 'folder' ? 'folder' : kind === 'context-tar' ? 'tar' : 'tar.gz' });
      return;
    case 'unknown':
      problem('is not something cachewhy recognises (not a build log, Dockerfile, .dockerignore, command file, report or context archive)', WHAT_IS_ACCEPTED);
      return;
    case 'build-record': {
      // A `.dockerbuild` stands where a log would: it is one build, in the order given.
      const handle = await open(path, 'r').catch((error: unknown) => {
        problem(`cannot be read: ${systemReason(error)}`);
        return null;
      });
      if (handle === null) return;
      sorted.logs.push(await readRecordInput(name, handle.createReadStream()));
      return;
    }
    case 'log': {
      // Streamed: only the log's head and what the report keeps are held. A file that fails midway
      // comes back as a log whose `read` names the problem.
      const handle = await open(path, 'r').catch((error: unknown) => {
        problem(`cannot be read: ${systemReason(error)}`);
        return null;
      });
      if (handle === null) return;
      const log = await readLogInput(name, handle.createReadStream());
      sorted.logs.push(pick ? { ...log, pick } : log);
      return;
    }
    default: {
      const text = await readText(path).catch((error: unknown) => {
        problem(`cannot be read: ${systemReason(error)}`);
        return null;
      });
      if (text === null) return;
      const input = { name, text };
      if (kind === 'dockerfile') sorted.dockerfiles.push(input);
      else if (kind === 'dockerignore') sorted.dockerignores.push(input);
      else if (kind === 'commands') sorted.commands.push(input);
      else if (kind === 'history-json') sorted.histories.push(input);
      else sorted.reports.push(input);
    }
  }
}

/**
 * Standard input as the CLI is given it: all its bytes (tests), or a stream (the process's stdin), which a
 * log is read from as it comes.
 */
export type StdinSource = () => Promise<Uint8Array> | AsyncIterable<Uint8Array>;

/** Standard input is text (a log, a Dockerfile, commands): a context has to be a file or a folder. */
async function sortStdin(sorted: SortedInputs, readStdin: StdinSource): Promise<void> {
  const input = 'standard input';
  // The head is read first to tell what it is; a log is then streamed on from there, anything else is
  // read whole (up to MAX_TEXT_BYTES).
  const head: Uint8Array[] = [];
  let rest: AsyncIterator<Uint8Array> | null = null;
  try {
    const source = readStdin();
    if (source instanceof Promise) head.push(await source);
    else {
      rest = source[Symbol.asyncIterator]();
      for (let size = 0; size < SNIFF_HEAD_BYTES;) {
        const next = await rest.next();
        if (next.done) {
          rest = null;
          break;
        }
        head.push(next.value);
        size += next.value.byteLength;
      }
    }
  } catch (error) {
    sorted.problems.push({ input, message: `cannot be read: ${systemReason(error)}` });
    return;
  }
  const start = head.length === 1 ? (head[0] as Uint8Array) : concatBytes(head);
  const kind = await sniffInputDeep('stdin', start.subarray(0, SNIFF_HEAD_BYTES));
  if (kind === 'log') {
    sorted.logs.push(await readLogInput('stdin', chained(head, rest)));
    return;
  }
  let bytes = start;
  if (rest !== null) {
    try {
      bytes = await readAllOf(head, rest);
    } catch (error) {
      sorted.problems.push({ input, message: `cannot be read: ${systemReason(error)}` });
      return;
    }
  }
  if (kind === 'build-record') {
    sorted.logs.push(await readRecordInput('stdin', bytes));
    return;
  }
  const text = { name: 'stdin', text: new TextDecoder().decode(bytes) };
  if (kind === 'dockerfile') sorted.dockerfiles.push(text);
  else if (kind === 'commands') sorted.commands.push(text);
  else if (kind === 'report-json') sorted.reports.push(text);
  else if (kind === 'history-json') sorted.histories.push(text);
  else if (kind === 'dockerignore') sorted.dockerignores.push(text);
  else if (kind === 'context-tar' || kind === 'context-tar-gz') {
    sorted.problems.push({
      input,
      message: 'holds a context archive; give it as a file path instead',
      hint: 'Contexts are hashed as a stream from a file: cachewhy … context.tar',
    });
  } else sorted.problems.push({ input, message: bytes.length === 0 ? 'is empty' : 'is not something cachewhy recognises', hint: WHAT_IS_ACCEPTED });
}

/** The pieces already read, then the rest of the stream. */
async function* chained(head: Uint8Array[], rest: AsyncIterator<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  yield* head;
  if (rest === null) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

async function readAllOf(head: Uint8Array[], rest: AsyncIterator<Uint8Array>): Promise<Uint8Array> {
  const chunks = head.slice();
  let total = chunks.reduce((n, c) => n + c.byteLength, 0);
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    total += next.value.byteLength;
    if (total > MAX_TEXT_BYTES) throw new Error('more than cachewhy reads as text');
    chunks.push(next.value);
  }
  return concatBytes(chunks);
}

function readProcessStdin(): AsyncIterable<Uint8Array> {
  return process.stdin as AsyncIterable<Uint8Array>;
}

async function sniffPath(path: string): Promise<InputKind | 'folder'> {
  const info = await stat(path);
  if (info.isDirectory()) return 'folder';
  if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' });
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(Math.min(SNIFF_HEAD_BYTES, info.size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return await sniffInputDeep(basename(path), head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

async function readText(path: string): Promise<string> {
  const info = await stat(path);
  if (info.size > MAX_TEXT_BYTES)
    throw Object.assign(new Error(`it is ${Math.round(info.size / 1024 / 1024)} MB, more than cachewhy reads as text`), { code: 'ETOOBIG' });
  return readFile(path, 'utf8');
}

/**
 * Hashes every context in order. Contexts are one per build; `.dockerignore` files given on the command
 * line apply one per context (or one for all); otherwise each context's own `.dockerignore` is used.
 */
export async function indexContexts(
  contexts: SortedInputs['contexts'],
  dockerignores: TextInput[],
  loadHasher: () => Promise<Sha256>,
): Promise<{ indexes: (ContextIndex | null)[]; problems: InputProblem[]; notes: InputProblem[] }> {
  const indexes: (ContextIndex | null)[] = [];
  const problems: InputProblem[] = [];
  const notes: InputProblem[] = [];
  if (contexts.length === 0) return { indexes, problems, notes };
  let hasher: Sha256;
  try {
    hasher = await loadHasher();
  } catch (error) {
    problems.push({
      input: 'SHA-256 (WebAssembly)',
      message: `could not be loaded: ${systemReason(error)}`,
      hint: 'Reinstall with `npm ci`; contexts need it to be hashed.',
    });
    return { indexes: contexts.map(() => null), problems, notes };
  }
  for (const [i, context] of contexts.entries()) {
    const ignore = dockerignoreOfBuild(dockerignores, i);
    try {
      const open = (): Promise<ContextSource> => (context.kind === 'folder' ? folderSource(context.path) : openTarFile(context.path));
      const result = await indexOnThreads(open, {
        name: displayName(
          context.path,
          contexts.map((c) => c.path),
        ),
        hasher,
        ...(ignore ? { dockerignore: ignore.text } : {}),
      });
      if (result.ok) {
        indexes.push(result.value);
        // Read, with remarks (an odd entry, a credential file): worth saying, not worth failing for.
        if (result.problems) notes.push(...result.problems);
      } else {
        indexes.push(null);
        problems.push(result.problem);
      }
    } catch (error) {
      indexes.push(null);
      problems.push({ input: context.path, message: `cannot be read: ${systemReason(error)}` });
    }
  }
  return { indexes, problems, notes };
}

/**
 * The name a report shows for a file: its base name (a report or link must not reveal the user's
 * directory layout), or its last two path segments when two inputs share a base name.
 */
export function displayName(path: string, all: readonly string[]): string {
  const name = basename(path);
  const clash = all.some((other) => other !== path && basename(other) === name);
  if (!clash) return name;
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts.slice(-2).join('/');
}

/** `ENOENT: no such file or directory, open 'x'` → `no such file or directory`: the path is said elsewhere. */
export function systemReason(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String(error.code);
    const reasons: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'it is a directory',
      ENOTFILE: 'it is not a regular file',
      EMFILE: 'too many open files',
    };
    if (reasons[code]) return reasons[code];
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^[A-Z]+: /, '').replace(/, (open|stat|lstat|scandir|read) '.*'$/, '');
}
