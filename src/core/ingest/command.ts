/**
 * Build command lines: `docker build …`, `docker buildx build …`, `docker image build …`,
 * `docker compose build …`, `buildctl build …`, given as a text file, one per line, as the fixtures'
 * `commands.txt` (log file, command, exit code, tab-separated), or found inside a CI log
 * (`+ docker build …`, `$ docker build …`, GitHub Actions `Run docker build …`).
 *
 * Nothing is executed or expanded: `$VAR` stays as written, since its value lives on the user's machine.
 */
import { isInlineCacheArg } from '../dockerfile/args.ts';
import type { BuildCommand } from '../model.ts';

// ---------------------------------------------------------------------------------------------
// Shell words. Hand-written because npm's shell parsers either expand variables (we must not) or
// need Node built-ins; this is a small total function: an unclosed quote simply ends at the end.
// ---------------------------------------------------------------------------------------------

export type ShellToken = { kind: 'word'; value: string } | { kind: 'op'; value: string };

const OPERATORS = ['&&', '||', ';;', ';', '|', '&', '(', ')'];

/** Splits `text` (which may span lines joined by backslash-newline). Never throws: an unclosed quote ends at the end. */
export function splitShellWords(text: string): ShellToken[] {
  const tokens: ShellToken[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) tokens.push({ kind: 'word', value: word });
    word = '';
    inWord = false;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i] ?? '';
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        i += 2; // line continuation: both characters vanish
        continue;
      }
      if (next === '\r' && text[i + 2] === '\n') {
        i += 3;
        continue;
      }
      if (next !== undefined) {
        word += next;
        inWord = true;
        i += 2;
        continue;
      }
      i++;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? n : close;
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        const d = text[i] ?? '';
        if (d === '\\' && i + 1 < n) {
          const e = text[i + 1] ?? '';
          if (e === '\n') {
            i += 2;
            continue;
          }
          if ('$`"\\'.includes(e)) {
            word += e;
            i += 2;
            continue;
          }
        }
        if (d === '$' && text[i + 1] === '(') {
          const end = matchingParen(text, i + 1);
          word += text.slice(i, end + 1);
          i = end + 1;
          continue;
        }
        word += d;
        i++;
      }
      inWord = true;
      i++; // the closing quote
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      const end = matchingParen(text, i + 1);
      word += text.slice(i, end + 1);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === '`') {
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? n - 1 : close;
      word += text.slice(i, end + 1);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      i++;
      continue;
    }
    if (c === '#' && !inWord) {
      // A comment runs to the end of the line.
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      endWord();
      tokens.push({ kind: 'op', value: op });
      i += op.length;
      continue;
    }
    word += c;
    inWord = true;
    i++;
  }
  endWord();
  return tokens;
}

/** Index of the `)` closing the `(` at `open` (nesting and quotes respected), or the last index. */
function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) return text.length - 1;
      i = close;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return text.length - 1;
}

/** The simple commands of a line: word lists separated by `&&`, `||`, `;`, `|`, `&`, with parentheses dropped. */
export function simpleCommands(tokens: readonly ShellToken[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'word') current.push(t.value);
    else if (t.value === '(' || t.value === ')') continue;
    else {
      if (current.length > 0) out.push(current);
      current = [];
    }
  }
  if (current.length > 0) out.push(current);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One command line → BuildCommand
// ---------------------------------------------------------------------------------------------

/** Words that run the next words as a command (`sudo docker build`, `time docker build`). */
const WRAPPERS = new Set(['sudo', 'time', 'env', 'exec', 'nohup', 'command', 'xargs']);
/** Shells and `script` run a command given as one quoted argument (`sh -c "docker build …"`). */
const SHELL_RUNNERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'script']);

/** `docker` options before the subcommand that take a value (`docker --context ci build`). */
const DOCKER_GLOBAL_VALUE_FLAGS = new Set(['-c', '--context', '-H', '--host', '--config', '-l', '--log-level', '--tlscacert', '--tlscert', '--tlskey']);

/** `docker build` / `buildx build` flags that take a value, so the word after them is not the context. */
const BUILD_VALUE_FLAGS = new Set([
  '--build-arg', '--no-cache-filter', '--cache-from', '--cache-to', '--platform', '--target', '-f', '--file', '-t', '--tag',
  '--progress', '--label', '--network', '--secret', '--ssh', '-o', '--output', '--iidfile', '--metadata-file', '--add-host',
  '--shm-size', '--ulimit', '--build-context', '--builder', '--cgroup-parent', '--cpu-period', '--cpu-quota', '--cpu-shares',
  '--cpuset-cpus', '--cpuset-mems', '-m', '--memory', '--memory-swap', '--isolation', '--security-opt', '--attest', '--allow',
  '--annotation', '--call', '--policy', '--sbom-scan', '--disk-quota', '--storage-opt',
  // buildctl
  '--frontend', '--local', '--opt', '--export-cache', '--import-cache', '--trace', '--ref-file', '--source-policy-file',
  // docker compose
  '--project-name', '-p', '--env-file', '--project-directory', '--profile', '--ansi',
]);

interface Invocation {
  tool: string;
  args: string[];
}

/** Parses one command line (continuations allowed); null when it runs no build. */
export function parseBuildCommand(line: string): BuildCommand | null {
  const text = line.trim();
  const invocation = findInvocation(splitShellWords(text), 0);
  if (!invocation) return null;
  return toBuildCommand(text, invocation);
}

function findInvocation(tokens: readonly ShellToken[], depth: number): Invocation | null {
  for (const words of simpleCommands(tokens)) {
    const found = invocationOf(words, depth);
    if (found) return found;
  }
  return null;
}

function invocationOf(words: readonly string[], depth: number): Invocation | null {
  let i = 0;
  // Leading assignments (`DOCKER_BUILDKIT=1`) and wrappers (`sudo`, `time`).
  while (i < words.length) {
    const w = words[i] ?? '';
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) || WRAPPERS.has(w)) i++;
    else if (w.startsWith('-') && i > 0 && WRAPPERS.has(words[i - 1] ?? '')) i++; // `sudo -E`, `env -i`
    else break;
  }
  const cmd = basename(words[i] ?? '');
  const rest = words.slice(i + 1);
  if (SHELL_RUNNERS.has(cmd) && depth < 3) {
    // `sh -c "…"`, `script -q -e -c "…" /dev/null`: the build is inside one argument.
    for (const arg of rest) {
      if (/\s/.test(arg)) {
        const inner = findInvocation(splitShellWords(arg), depth + 1);
        if (inner) return inner;
      }
    }
    return null;
  }
  if (cmd === 'docker') {
    let j = 0;
    while (j < rest.length && (rest[j] ?? '').startsWith('-')) j += DOCKER_GLOBAL_VALUE_FLAGS.has(rest[j] ?? '') ? 2 : 1;
    const sub = rest[j];
    const sub2 = rest[j + 1];
    if (sub === 'build') return { tool: 'docker build', args: rest.slice(j + 1) };
    if ((sub === 'buildx' || sub === 'builder') && (sub2 === 'build' || sub2 === 'b')) return { tool: `docker ${sub} build`, args: rest.slice(j + 2) };
    if (sub === 'image' && sub2 === 'build') return { tool: 'docker image build', args: rest.slice(j + 2) };
    if (sub === 'compose') return composeBuild(rest.slice(j + 1));
    return null;
  }
  if (cmd === 'docker-compose') return composeBuild(rest);
  if (cmd === 'buildctl' || cmd === 'buildctl-daemonless.sh') {
    const b = rest.indexOf('build');
    if (b >= 0 && rest.slice(0, b).every((w) => w.startsWith('-') || /^(unix|tcp|docker-container|kube-pod):\/\//.test(w))) {
      return { tool: 'buildctl build', args: rest.slice(b + 1) };
    }
  }
  return null;
}

/** `docker compose [options] build [flags] [services]`: options come before the subcommand. */
function composeBuild(words: readonly string[]): Invocation | null {
  let i = 0;
  while (i < words.length && (words[i] ?? '').startsWith('-')) i += BUILD_VALUE_FLAGS.has(words[i] ?? '') ? 2 : 1;
  if (words[i] !== 'build') return null;
  return { tool: 'docker compose build', args: [...words.slice(0, i), ...words.slice(i + 1)] };
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}

function emptyCommand(text: string, tool: string): BuildCommand {
  return {
    text,
    tool,
    buildArgs: {},
    noCache: false,
    noCacheFilter: [],
    pull: false,
    cacheFrom: [],
    cacheTo: [],
    platform: [],
    target: null,
    file: null,
    context: null,
    tags: [],
    progress: null,
  };
}

/** `--flag=value`, `--flag value` and `-fvalue` forms, normalised to [name, value | null]. */
function readFlags(args: readonly string[], onFlag: (name: string, value: string | null) => void, onPositional: (word: string) => void): void {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      for (const p of args.slice(i + 1)) onPositional(p);
      return;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) onFlag(a.slice(0, eq), a.slice(eq + 1));
      else if (BUILD_VALUE_FLAGS.has(a) && i + 1 < args.length) onFlag(a, args[++i] ?? '');
      else onFlag(a, null);
    } else if (a.startsWith('-') && a.length > 1) {
      const short = a.slice(0, 2);
      if (a.length > 2) onFlag(short, a.slice(2).replace(/^=/, ''));
      else if (BUILD_VALUE_FLAGS.has(short) && i + 1 < args.length) onFlag(short, args[++i] ?? '');
      else onFlag(short, null);
    } else {
      onPositional(a);
    }
  }
}

function isTrue(value: string | null): boolean {
  return value === null || !/^(false|0)$/i.test(value);
}

function splitList(value: string | null): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** `K=V` → [K, V]; `K` → [K, null] (docker then takes the value from the client's environment). */
function keyValue(value: string): [string, string | null] {
  const eq = value.indexOf('=');
  return eq < 0 ? [value, null] : [value.slice(0, eq), value.slice(eq + 1)];
}

function toBuildCommand(text: string, inv: Invocation): BuildCommand {
  const cmd = emptyCommand(text, inv.tool);
  if (inv.tool === 'buildctl build') return readBuildctl(cmd, inv.args);
  const positionals: string[] = [];
  readFlags(
    inv.args,
    (name, value) => {
      switch (name) {
        case '--build-arg': {
          if (value === null) break;
          const [k, v] = keyValue(value);
          cmd.buildArgs[k] = v;
          break;
        }
        case '--no-cache':
          cmd.noCache = isTrue(value);
          break;
        case '--no-cache-filter':
          cmd.noCacheFilter.push(...splitList(value));
          break;
        case '--pull':
          cmd.pull = isTrue(value);
          break;
        case '--cache-from':
          if (value !== null) cmd.cacheFrom.push(value);
          break;
        case '--cache-to':
          if (value !== null) cmd.cacheTo.push(value);
          break;
        case '--platform':
          cmd.platform.push(...splitList(value));
          break;
        case '--target':
          cmd.target = value;
          break;
        case '-f':
        case '--file':
          cmd.file = value;
          break;
        case '-t':
        case '--tag':
          if (value !== null) cmd.tags.push(value);
          break;
        case '--progress':
          cmd.progress = value;
          break;
      }
    },
    (word) => positionals.push(word),
  );
  // docker build: the context is the (last) positional; compose: positionals are service names.
  if (inv.tool !== 'docker compose build') cmd.context = positionals[positionals.length - 1] ?? null;
  return cmd;
}

/** buildctl spells the same options as frontend opts: `--opt build-arg:K=V`, `--opt target=x`, `--local context=.`. */
function readBuildctl(cmd: BuildCommand, args: readonly string[]): BuildCommand {
  readFlags(
    args,
    (name, value) => {
      if (value === null) {
        if (name === '--no-cache') cmd.noCache = true;
        return;
      }
      if (name === '--opt') {
        const [k, v] = keyValue(value);
        if (k.startsWith('build-arg:')) cmd.buildArgs[k.slice('build-arg:'.length)] = v;
        else if (k === 'target') cmd.target = v;
        else if (k === 'filename') cmd.file = v;
        else if (k === 'platform') cmd.platform.push(...splitList(v));
        else if (k === 'no-cache') {
          if (v === null || v === '') cmd.noCache = true;
          else cmd.noCacheFilter.push(...splitList(v));
        } else if (k === 'image-resolve-mode' && v === 'pull') cmd.pull = true;
      } else if (name === '--local') {
        const [k, v] = keyValue(value);
        if (k === 'context') cmd.context = v;
      } else if (name === '--import-cache') cmd.cacheFrom.push(value);
      else if (name === '--export-cache') cmd.cacheTo.push(value);
      else if (name === '--progress') cmd.progress = value;
      else if (name === '--output' || name === '-o') {
        const m = /(?:^|,)name=([^,]+)/.exec(value);
        if (m?.[1]) cmd.tags.push(...m[1].split(/[,;]/).filter((s) => s !== ''));
      }
    },
    () => undefined,
  );
  return cmd;
}

/** True when the build asks for an inline cache export (`--build-arg BUILDKIT_INLINE_CACHE=1` or `--cache-to type=inline`). */
export function exportsInlineCache(cmd: BuildCommand): boolean {
  const viaArg = isInlineCacheArg('BUILDKIT_INLINE_CACHE', cmd.buildArgs['BUILDKIT_INLINE_CACHE'] ?? null);
  return viaArg || cmd.cacheTo.some((c) => /(^|,)type=inline(,|$)/.test(c));
}

// ---------------------------------------------------------------------------------------------
// Commands inside CI logs and command files
// ---------------------------------------------------------------------------------------------

/** CI decorations in front of an echoed command: timestamps, shell traces, prompts, Actions' `Run`. */
const LINE_DECORATIONS: RegExp[] = [
  /^\[\d{4}-\d\d-\d\dT[^\]]*\]\s?/, // [2026-11-29T16:26:56.615Z]
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?\s/, // GitHub Actions raw log timestamp
  /^\d\d:\d\d:\d\d(?:\.\d+)?\s/, // Jenkins timestamper
  /^##\[[a-z]+\]/, // ##[group]
  /^\s*\+{1,4}\s/, // set -x trace
  /^\s*[$#>]\s/, // prompts, GitLab `$ cmd`
  /^\s*Run\s(?=\S)/, // GitHub Actions step header
  /^\s*\[Pipeline\]\s+sh\s*$/, // Jenkins step marker (nothing after)
];

/** A line that is build output, not a command (`#5 [2/4] RUN docker build …`, `Step 2/5 : …`). */
const OUTPUT_LINE = /^(#\d+\s|\s*=>\s|Step \d+(\/\d+)? :|\s*-->|ERROR:|error:|\s*>\s*\[)/;

function stripDecorations(line: string): string {
  let out = line;
  for (let pass = 0; pass < 4; pass++) {
    const before = out;
    for (const re of LINE_DECORATIONS) out = out.replace(re, '');
    if (out === before) break;
  }
  return out;
}

/**
 * Every build command in a CI log or a command file, in order. A command echoed twice in a row (Actions'
 * `Run …` header then the `+ …` trace) counts once; the same command run again after some build output
 * counts again.
 */
export function findBuildCommands(text: string): BuildCommand[] {
  const found: BuildCommand[] = [];
  let outputSinceLast = true;
  const lines = joinContinuationLines(text.split(/\r?\n/));
  for (const raw of lines) {
    const fromFile = commandsFileLine(raw);
    const candidate = fromFile ? fromFile.commandText : stripDecorations(raw);
    if (!fromFile && OUTPUT_LINE.test(raw.replace(/^\d\d:\d\d:\d\d\s|^\[[^\]]*\]\s/, ''))) {
      outputSinceLast = true;
      continue;
    }
    const cmd = /build|buildctl/.test(candidate) ? parseBuildCommand(candidate) : null;
    if (!cmd) {
      if (raw.trim() !== '' && !/^\s/.test(raw)) outputSinceLast = true;
      continue;
    }
    const previous = found[found.length - 1];
    if (!fromFile && previous && !outputSinceLast && previous.text === cmd.text) continue;
    found.push(cmd);
    outputSinceLast = false;
  }
  return found;
}

/** Joins physical lines ending in a backslash with the next (keeping the CI prefix of the first only). */
function joinContinuationLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending: string[] | null = null;
  for (const line of lines) {
    // Only the end of the newest piece decides. Testing the whole joined text with a regexp on every line
    // was quadratic: 32k continued lines (256 KB) took 20 s.
    const piece = pending === null ? line : stripDecorations(line).replace(/^\s+/, ' ');
    const continues = piece.endsWith('\\') && (piece.length === 1 || piece[piece.length - 2] !== '\\');
    if (continues) {
      (pending ??= []).push(piece.slice(0, -1));
      continue;
    }
    out.push(pending === null ? piece : [...pending, piece].join('\n'));
    pending = null;
  }
  if (pending !== null) out.push(pending.join('\n'));
  return out;
}

interface CommandsFileLine {
  log: string | null;
  commandText: string;
  exit: number | null;
}

/** `a.log<TAB>(cd ctx && docker build …)<TAB>exit=0` → its parts; null for any other line. */
function commandsFileLine(line: string): CommandsFileLine | null {
  if (!line.includes('\t') || line.startsWith('#')) return null;
  const fields = line.split('\t');
  if (fields.length < 2) return null;
  const last = fields[fields.length - 1] ?? '';
  const exit = /^exit=(-?\d+)$/.exec(last.trim());
  const commandFields = exit ? fields.slice(1, -1) : fields.slice(1);
  const log = (fields[0] ?? '').trim();
  return { log: log === '' ? null : log, commandText: commandFields.join('\t').trim(), exit: exit ? Number(exit[1]) : null };
}

/**
 * A command file: the fixtures' `commands.txt` (log file, command, `exit=N`, tab-separated; `#` lines are
 * other commands and their output), or plain command lines (then `log` and `exit` are null).
 */
export function parseCommandsFile(text: string): { log: string | null; command: BuildCommand; exit: number | null }[] {
  const out: { log: string | null; command: BuildCommand; exit: number | null }[] = [];
  for (const line of joinContinuationLines(text.split(/\r?\n/))) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const fields = commandsFileLine(line);
    if (fields) {
      const command = parseBuildCommand(fields.commandText);
      if (command) out.push({ log: fields.log, command, exit: fields.exit });
      continue;
    }
    const command = parseBuildCommand(stripDecorations(line));
    if (command) out.push({ log: null, command, exit: null });
  }
  return out;
}
