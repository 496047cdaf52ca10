/**
 * Build command lines, as people write them: `docker build …`, `docker buildx build|bake …`,
 * `docker compose build …`, `podman build`, `buildah bud`, `buildctl build …`, also behind `sudo`, `time`,
 * `env X=1`, `sh -c "…"`, `script -c "…"`, in `&&` chains, piped to `tee`, in Makefile recipes
 * (`@docker build -t $(IMAGE) .`) and continued over lines with `\`. They come as a text file, one per
 * line, as the fixtures' `commands.txt` (log file, command, exit code, tab-separated), or echoed inside a
 * CI log (`+ docker build …`, `$ docker build …`, GitHub Actions `Run docker build …`, `[command]…`).
 *
 * Nothing is executed or expanded: `$VAR` and `$(IMAGE)` stay as written, since their values live on the
 * user's machine. Nothing here throws: a line that cannot be read yields no command.
 */
import { isInlineCacheArg } from '../dockerfile/args.ts';
import { cleanLine } from '../log/lines.ts';
import type { BuildCommand } from '../model.ts';

// ---------------------------------------------------------------------------------------------
// Shell words. Hand-written because npm's shell parsers either expand variables (we must not) or
// need Node built-ins; this is a small total function: an unclosed quote simply ends at the end.
// ---------------------------------------------------------------------------------------------

export type ShellToken = { kind: 'word'; value: string } | { kind: 'op'; value: string } | { kind: 'redirect'; value: string };

/** A token and where it sits in its text, so each command of a `&&` chain can keep its own text. */
type PlacedToken = ShellToken & { start: number; end: number };

const OPERATORS = ['&&', '||', ';;', ';', '|', '&', '(', ')'];
/** `>`, `>>`, `2>&1`, `&>`, `<`, `<<EOF`, `>|`, at a word's start or after its fd digits. */
const REDIRECT = /^(?:&>>?|[<>]&(?:\d+|-)?|>>|>\||<<<|<<-?|<>|>|<)/;

/** Splits `text` (which may span lines joined by backslash-newline). Never throws: an unclosed quote ends at the end. */
export function splitShellWords(text: string): ShellToken[] {
  return new ShellScanner(text).tokens().map((t): ShellToken => ({ kind: t.kind, value: t.value }));
}

class ShellScanner {
  readonly #text: string;
  readonly #out: PlacedToken[] = [];
  #i = 0;
  #word = '';
  /** Where the word under way began; -1 when no word is under way (an empty `''` is a word). */
  #wordStart = -1;

  constructor(text: string) {
    this.#text = text;
  }

  tokens(): PlacedToken[] {
    while (this.#i < this.#text.length) this.#step();
    this.#endWord();
    return this.#out;
  }

  #step(): void {
    const t = this.#text;
    const i = this.#i;
    const c = t[i] ?? '';
    if (c === '\\') return this.#backslash();
    if (c === "'") {
      const close = t.indexOf("'", i + 1);
      const end = close < 0 ? t.length : close;
      return this.#add(t.slice(i + 1, end), end + 1 - i);
    }
    if (c === '"') return this.#doubleQuoted();
    if (c === '$' && t[i + 1] === '(') return this.#add(t.slice(i, matchingParen(t, i + 1) + 1));
    if (c === '`') {
      const close = t.indexOf('`', i + 1);
      return this.#add(t.slice(i, (close < 0 ? t.length - 1 : close) + 1));
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      this.#endWord();
      this.#i++;
      return;
    }
    if (c === '#' && this.#wordStart < 0) {
      // A comment runs to the end of the line.
      const nl = t.indexOf('\n', i);
      this.#i = nl < 0 ? t.length : nl;
      return;
    }
    if (this.#redirect() || this.#operator()) return;
    this.#add(c);
  }

  /** Appends `value` to the word under way (starting one) and moves past `consumed` characters. */
  #add(value: string, consumed = value.length): void {
    if (this.#wordStart < 0) this.#wordStart = this.#i;
    this.#word += value;
    this.#i += consumed;
  }

  #endWord(): void {
    if (this.#wordStart >= 0) this.#out.push({ kind: 'word', value: this.#word, start: this.#wordStart, end: Math.min(this.#i, this.#text.length) });
    this.#word = '';
    this.#wordStart = -1;
  }

  #backslash(): void {
    const t = this.#text;
    const next = t[this.#i + 1];
    if (next === '\n')
      this.#i += 2; // line continuation: both characters vanish
    else if (next === '\r' && t[this.#i + 2] === '\n') this.#i += 3;
    else if (next !== undefined) this.#add(next, 2);
    else this.#i++;
  }

  /** `"…"`: only `\$`, `` \` ``, `\"`, `\\` and backslash-newline are escapes; `$(…)` is kept whole. */
  #doubleQuoted(): void {
    const t = this.#text;
    let i = this.#i + 1;
    let value = '';
    while (i < t.length && t[i] !== '"') {
      const d = t[i] ?? '';
      const e = t[i + 1] ?? '';
      if (d === '\\' && e === '\n') i += 2;
      else if (d === '\\' && e !== '' && '$`"\\'.includes(e)) {
        value += e;
        i += 2;
      } else if (d === '$' && e === '(') {
        const end = matchingParen(t, i + 1);
        value += t.slice(i, end + 1);
        i = end + 1;
      } else {
        value += d;
        i++;
      }
    }
    this.#add(value, i + 1 - this.#i);
  }

  /** A redirect (`2>&1`, `> build.log`) is no argument: `tee`, logs and fds must not become the context. */
  #redirect(): boolean {
    const t = this.#text;
    const c = t[this.#i];
    if (c !== '>' && c !== '<' && !(c === '&' && t[this.#i + 1] === '>')) return false;
    const fd = this.#wordStart >= 0;
    if (fd && !/^\d+$/.test(this.#word)) return false; // `a>b` inside a word stays in the word
    const m = REDIRECT.exec(t.slice(this.#i, this.#i + 8));
    if (!m) return false;
    const start = fd ? this.#wordStart : this.#i;
    this.#word = '';
    this.#wordStart = -1;
    this.#i += m[0].length;
    this.#out.push({ kind: 'redirect', value: m[0], start, end: this.#i });
    return true;
  }

  #operator(): boolean {
    const op = OPERATORS.find((o) => this.#text.startsWith(o, this.#i));
    if (!op) return false;
    this.#endWord();
    this.#out.push({ kind: 'op', value: op, start: this.#i, end: this.#i + op.length });
    this.#i += op.length;
    return true;
  }
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

interface SimpleCommand {
  words: string[];
  /** From its first word's start to its last word's end, in the text it was read from. */
  start: number;
  end: number;
}

/** The simple commands of a line: split at `&&`, `||`, `;`, `|`, `&`; parentheses and redirects dropped. */
function commandsOf(tokens: readonly PlacedToken[]): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let current: SimpleCommand | null = null;
  let redirectTarget = false;
  for (const t of tokens) {
    if (t.kind === 'word') {
      if (redirectTarget)
        redirectTarget = false; // the file a redirect names (`> build.log`)
      else if (current) {
        current.words.push(t.value);
        current.end = t.end;
      } else current = { words: [t.value], start: t.start, end: t.end };
    } else if (t.kind === 'redirect') {
      redirectTarget = !/&(?:\d+|-)$/.test(t.value); // `2>&1` names no file
    } else if (t.value !== '(' && t.value !== ')') {
      if (current) out.push(current);
      current = null;
      redirectTarget = false;
    }
  }
  if (current) out.push(current);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which words run a build
// ---------------------------------------------------------------------------------------------

const flagSet = (flags: string): ReadonlySet<string> => new Set(flags.split(' ').filter((f) => f !== ''));

/** Commands that run the words after them as a command: their options that take a value, and operands (`timeout 30m`). */
const WRAPPERS = new Map<string, { valueFlags: ReadonlySet<string>; operands: number }>([
  [
    'sudo',
    {
      valueFlags: flagSet('-u --user -g --group -C --close-from -D --chdir -h --host -p --prompt -r --role -t --type -U --other-user -T --command-timeout'),
      operands: 0,
    },
  ],
  ['doas', { valueFlags: flagSet('-u -C'), operands: 0 }],
  ['env', { valueFlags: flagSet('-u --unset -C --chdir'), operands: 0 }],
  ['time', { valueFlags: flagSet('-f --format -o --output'), operands: 0 }],
  ['nice', { valueFlags: flagSet('-n --adjustment'), operands: 0 }],
  ['ionice', { valueFlags: flagSet('-c --class -n --classdata'), operands: 0 }],
  ['nohup', { valueFlags: flagSet(''), operands: 0 }],
  ['exec', { valueFlags: flagSet('-a'), operands: 0 }],
  ['command', { valueFlags: flagSet(''), operands: 0 }],
  ['unbuffer', { valueFlags: flagSet(''), operands: 0 }],
  ['stdbuf', { valueFlags: flagSet('-i -o -e'), operands: 0 }],
  ['timeout', { valueFlags: flagSet('-s --signal -k --kill-after'), operands: 1 }],
  ['xargs', { valueFlags: flagSet('-I -n -P -L -d -E -s -a'), operands: 0 }],
]);
/** Shell words that may start a command line before the command itself (`if docker build …; then`). */
const SHELL_KEYWORDS = new Set(['!', '{', 'if', 'then', 'else', 'elif', 'do', 'while', 'until']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
/** Shells, `su`, `script` and `eval` run a command given as one argument (`sh -c "docker build …"`). */
const SHELL_RUNNERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ash', 'ksh', 'su', 'script', 'eval']);
/** BSD `script` options that take a value (`script -q -t 0 /dev/null docker build …`). */
const SCRIPT_VALUE_FLAGS = flagSet('-F -t -T');
/** How deep `sh -c "bash -c '…'"` is followed. */
const MAX_DEPTH = 3;

/** Options of docker, podman, buildah and nerdctl before the subcommand that take a value (`docker --context ci build`). */
const ENGINE_VALUE_FLAGS = flagSet(
  '-c --context -H --host --config -l --log-level --tlscacert --tlscert --tlskey ' +
    '--url --connection --identity --root --runroot --storage-driver --storage-opt --cgroup-manager --events-backend --runtime --tmpdir --module ' +
    '--registries-conf --registries-conf-dir --userns-uid-map --userns-gid-map --default-mounts-file ' +
    '-n --namespace -a --address --snapshotter --data-root --hosts-dir --cni-path --cni-netconfpath',
);
/** `docker buildx --builder ci build`. */
const BUILDX_VALUE_FLAGS = flagSet('--builder');
/** `docker compose [options] build`: the options before the subcommand that take a value. */
const COMPOSE_VALUE_FLAGS = flagSet(
  '-f --file -p --project-name --env-file --project-directory --profile --ansi --progress --parallel -c --context -H --host --log-level',
);

/** Flags of `docker build`, `buildx build|bake`, `compose build`, `podman build`, `buildah bud`, `buildctl` that take a value. */
const BUILD_VALUE_FLAGS = flagSet(
  '--build-arg --no-cache-filter --cache-from --cache-to --platform --target -f --file -t --tag --progress --label --network --secret --ssh ' +
    '-o --output --iidfile --metadata-file --add-host --shm-size --ulimit --build-context --builder --cgroup-parent --cpu-period --cpu-quota ' +
    '--cpu-shares --cpuset-cpus --cpuset-mems -m --memory --memory-swap --isolation --security-opt --attest --allow --annotation --call ' +
    '--policy --sbom-scan --disk-quota --storage-opt --provenance --sbom ' +
    // buildx bake
    '--set --list ' +
    // podman and buildah
    '--authfile --cert-dir --creds --decryption-key --format --jobs --logfile --manifest --os --arch --variant --runtime --sign-by ' +
    '--signature-policy --timestamp --userns -v --volume --build-arg-file --env --cap-add --cap-drop --device --dns --dns-option ' +
    '--dns-search --ipc --pid --uts --cpp-flag --from --hooks-dir --ignorefile --retry --retry-delay --unsetenv --unsetlabel --cache-ttl ' +
    // buildctl
    '--frontend --local --opt --export-cache --import-cache --trace --ref-file --source-policy-file ' +
    // docker compose
    '--project-name -p --env-file --project-directory --profile --ansi',
);

/** How the words after the subcommand are read. */
type InvocationKind = 'build' | 'bake' | 'compose' | 'buildctl';

interface Invocation {
  kind: InvocationKind;
  tool: string;
  /** The words after the subcommand. */
  args: string[];
  /** Compose's options before `build` (`docker compose --progress plain build`). */
  globals?: string[];
  /** This command's own text, for a line that runs several builds. */
  text: string;
}

type Found = Omit<Invocation, 'text'>;

/** Parses one command line (continuations allowed); null when it runs no build. The first build when it runs several. */
export function parseBuildCommand(line: string): BuildCommand | null {
  return parseBuildCommands(line)[0] ?? null;
}

/**
 * Every build one command line runs (`docker build -t a . && docker build -t b .` gives two). With one build
 * its `text` is the whole line (`cd app && docker build …` says where it ran); with several, each its own.
 */
export function parseBuildCommands(line: string): BuildCommand[] {
  const text = line.trim();
  try {
    const found = findInvocations(text, 0);
    return found.map((inv) => toBuildCommand(found.length === 1 ? text : inv.text, inv));
  } catch {
    // The readers are meant to be total; should one not be, this line yields nothing rather than failing the run.
    return [];
  }
}

function findInvocations(source: string, depth: number): Invocation[] {
  return commandsOf(new ShellScanner(source).tokens()).flatMap((c) => invocationsOf(c.words, source.slice(c.start, c.end), depth));
}

function invocationsOf(given: readonly string[], text: string, depth: number): Invocation[] {
  // Make recipe prefixes: `@` (do not echo), `-` (ignore errors), `+` (run under -n).
  const words = given.map((w, i) => (i === 0 ? w.replace(/^[@+-]+(?=[A-Za-z_$/.])/, '') : w));
  const at = commandStart(words);
  const name = commandName(words[at] ?? '');
  const rest = words.slice(at + 1);
  if (SHELL_RUNNERS.has(name)) return depth < MAX_DEPTH ? shellRunnerInvocations(name, rest, text, depth + 1) : [];
  const found = engineInvocation(name, rest);
  return found ? [{ ...found, text }] : [];
}

/** Index of the word naming the command, after `VAR=1`, `sudo -E`, `time`, `env X=1`, `nice -n 10`, `if`. */
function commandStart(words: readonly string[]): number {
  let i = 0;
  while (i < words.length) {
    const w = words[i] ?? '';
    const wrapper = WRAPPERS.get(basename(w));
    if (ASSIGNMENT.test(w) || SHELL_KEYWORDS.has(w)) i++;
    else if (wrapper) i = skipOptions(words, i + 1, wrapper.valueFlags) + wrapper.operands;
    else break;
  }
  return i;
}

/** Index of the first word after the options at `start` (`--flag=value` is one word, a flag in `valueFlags` two). */
function skipOptions(words: readonly string[], start: number, valueFlags: ReadonlySet<string>): number {
  let i = start;
  while (i < words.length) {
    const w = words[i] ?? '';
    if (!w.startsWith('-') || w === '-') break;
    i += valueFlags.has(w) ? 2 : 1;
    if (w === '--') break;
  }
  return i;
}

/** `docker`, `/usr/bin/docker`, `docker.exe`, or a variable naming the engine (`$(DOCKER)`, `${CONTAINER_TOOL}`). */
function commandName(word: string): string {
  const variable = /^\$[({]?([A-Za-z_][A-Za-z0-9_]*)(?::?[-=][^)}]*)?[)}]?$/.exec(word);
  if (variable) return engineOfVariable(variable[1] ?? '');
  return basename(word).replace(/\.exe$/i, '');
}

/** Makefiles name the engine in a variable (`DOCKER ?= docker`, kubebuilder's `CONTAINER_TOOL ?= docker`). */
function engineOfVariable(name: string): string {
  if (/COMPOSE/i.test(name)) return 'docker-compose';
  if (/PODMAN/i.test(name)) return 'podman';
  if (/BUILDAH/i.test(name)) return 'buildah';
  if (/DOCKER|^(?:CONTAINER_(?:TOOL|ENGINE|RUNTIME|CLI|CMD|BIN)|ENGINE|OCI_BIN)$/i.test(name)) return 'docker';
  return '';
}

function basename(word: string): string {
  return word.slice(Math.max(word.lastIndexOf('/'), word.lastIndexOf('\\')) + 1);
}

function shellRunnerInvocations(name: string, args: readonly string[], text: string, depth: number): Invocation[] {
  if (name === 'eval') return findInvocations(args.join(' '), depth);
  if (name === 'script' && !args.some((a) => /^-[a-zA-Z]*c$|^--command(?:=|$)/.test(a))) {
    // BSD/macOS `script -q /dev/null docker build …`: the words after the file name are the command.
    return invocationsOf(args.slice(skipOptions(args, 0, SCRIPT_VALUE_FLAGS) + 1), text, depth);
  }
  // `sh -c "…"`, `bash -lc '…'`, `su -c "…" ci`, `script -q -e -c "…" /dev/null`: the build is inside one argument.
  return args.flatMap((a) => (/\s/.test(a) ? findInvocations(a.replace(/^--command=/, ''), depth) : []));
}

function engineInvocation(name: string, words: readonly string[]): Found | null {
  switch (name) {
    case 'docker':
    case 'podman':
    case 'nerdctl':
      return engineSubcommand(name, words);
    case 'podman-remote':
      return engineSubcommand('podman', words);
    case 'docker-compose':
      return composeInvocation('docker compose build', words);
    case 'podman-compose':
      return composeInvocation('podman compose build', words);
    case 'buildah':
      return buildahInvocation(words);
    case 'buildctl':
    case 'buildctl-daemonless.sh':
      return buildctlInvocation(words);
    default:
      return null;
  }
}

/** `docker [options] build|image build|buildx build|buildx bake|builder build|compose build …`, same for podman and nerdctl. */
function engineSubcommand(engine: string, words: readonly string[]): Found | null {
  const at = skipOptions(words, 0, ENGINE_VALUE_FLAGS);
  const sub = words[at];
  const after = words.slice(at + 1);
  if (sub === 'build') return { kind: 'build', tool: `${engine} build`, args: after };
  if (sub === 'image' && after[0] === 'build') return { kind: 'build', tool: `${engine} image build`, args: after.slice(1) };
  if (sub === 'buildx' || sub === 'builder') return buildxInvocation(`${engine} ${sub}`, after);
  if (sub === 'compose') return composeInvocation(`${engine} compose build`, after);
  return null;
}

function buildxInvocation(prefix: string, words: readonly string[]): Found | null {
  const at = skipOptions(words, 0, BUILDX_VALUE_FLAGS);
  const action = words[at];
  const args = words.slice(at + 1);
  if (action === 'build' || action === 'b') return { kind: 'build', tool: `${prefix} build`, args };
  if (!prefix.endsWith('buildx') || (action !== 'bake' && action !== 'f')) return null;
  // `--print` and `--list` show the bake definition and build nothing.
  if (args.some((a) => a === '--print' || a === '--list' || a.startsWith('--list='))) return null;
  return { kind: 'bake', tool: `${prefix} bake`, args };
}

/** `docker compose [options] build [flags] [services]`: the options come before the subcommand. */
function composeInvocation(tool: string, words: readonly string[]): Found | null {
  const at = skipOptions(words, 0, COMPOSE_VALUE_FLAGS);
  if (words[at] !== 'build') return null;
  return { kind: 'compose', tool, args: words.slice(at + 1), globals: words.slice(0, at) };
}

/** `buildah [options] bud|build-using-dockerfile|build …`: docker build's flags. */
function buildahInvocation(words: readonly string[]): Found | null {
  const at = skipOptions(words, 0, ENGINE_VALUE_FLAGS);
  const sub = words[at];
  const args = words.slice(at + 1);
  if (sub === 'bud' || sub === 'build-using-dockerfile') return { kind: 'build', tool: 'buildah bud', args };
  if (sub === 'build') return { kind: 'build', tool: 'buildah build', args };
  return null;
}

/** `buildctl [--addr unix://…] build …`. */
function buildctlInvocation(words: readonly string[]): Found | null {
  const b = words.indexOf('build');
  if (b < 0) return null;
  const before = words.slice(0, b);
  if (!before.every((w) => w.startsWith('-') || /^(unix|tcp|docker-container|kube-pod):\/\//.test(w))) return null;
  return { kind: 'buildctl', tool: 'buildctl build', args: words.slice(b + 1) };
}

// ---------------------------------------------------------------------------------------------
// Flags → BuildCommand
// ---------------------------------------------------------------------------------------------

function emptyCommand(text: string, tool: string): BuildCommand {
  return {
    text,
    tool,
    build_args: {},
    no_cache: false,
    no_cache_filter: [],
    pull: false,
    cache_from: [],
    cache_to: [],
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

/** `--pull`, `--pull=always|true|newer` pull; podman's `--pull=missing|never|false` do not. */
function pulls(value: string | null): boolean {
  return value === null || !/^(false|0|never|missing|ifmissing)$/i.test(value);
}

function splitList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `K=V` → [K, V]; `K` → [K, null] (docker then takes the value from the client's environment). */
function keyValue(value: string): [string, string | null] {
  const eq = value.indexOf('=');
  return eq < 0 ? [value, null] : [value.slice(0, eq), value.slice(eq + 1)];
}

function toBuildCommand(text: string, inv: Invocation): BuildCommand {
  const cmd = emptyCommand(text, inv.tool);
  switch (inv.kind) {
    case 'buildctl':
      return readBuildctl(cmd, inv.args);
    case 'bake':
      return readBake(cmd, inv.args);
    case 'compose':
      return readCompose(cmd, inv.globals ?? [], inv.args);
    case 'build':
      cmd.context = readBuildFlags(cmd, inv.args).at(-1) ?? null;
      return cmd;
  }
}

/** Reads docker build's flags (also podman's and buildah's, which spell them the same) into `cmd`; returns the positionals. */
function readBuildFlags(cmd: BuildCommand, args: readonly string[]): string[] {
  const positionals: string[] = [];
  readFlags(
    args,
    (name, value) => applyBuildFlag(cmd, name, value),
    (word) => positionals.push(word),
  );
  return positionals;
}

function applyBuildFlag(cmd: BuildCommand, name: string, value: string | null): void {
  switch (name) {
    case '--build-arg': {
      if (value === null) break;
      const [k, v] = keyValue(value);
      cmd.build_args[k] = v;
      break;
    }
    case '--no-cache':
      cmd.no_cache = isTrue(value);
      break;
    case '--no-cache-filter':
      cmd.no_cache_filter.push(...splitList(value));
      break;
    case '--pull':
      cmd.pull = pulls(value);
      break;
    case '--pull-always': // buildah
      cmd.pull = isTrue(value);
      break;
    case '--cache-from':
      if (value !== null) cmd.cache_from.push(value);
      break;
    case '--cache-to':
      if (value !== null) cmd.cache_to.push(value);
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
}

/**
 * `docker compose build [flags] [services]`. The compose file (`-f`, before `build`) is not a Dockerfile, so
 * `file` stays null; the services go to `targets`, not `target`, which names a Dockerfile stage.
 */
function readCompose(cmd: BuildCommand, globals: readonly string[], args: readonly string[]): BuildCommand {
  readFlags(
    globals,
    (name, value) => {
      if (name === '--progress') cmd.progress = value;
    },
    () => undefined,
  );
  const services = readBuildFlags(cmd, args);
  if (services.length > 0) cmd.targets = services;
  return cmd;
}

/**
 * `docker buildx bake [flags] [targets]`. Its `-f` names a bake (HCL, JSON or compose) file, not a
 * Dockerfile, so `file` only comes from `--set *.dockerfile=…`; the bake targets go to `targets`.
 */
function readBake(cmd: BuildCommand, args: readonly string[]): BuildCommand {
  const targets: string[] = [];
  readFlags(
    args,
    (name, value) => {
      if (name === '--set' && value !== null) applyBakeSet(cmd, value);
      else if (name === '--no-cache') cmd.no_cache = isTrue(value);
      else if (name === '--pull') cmd.pull = pulls(value);
      else if (name === '--progress') cmd.progress = value;
    },
    (word) => targets.push(word),
  );
  if (targets.length > 0) cmd.targets = targets;
  return cmd;
}

/** `--set <target pattern>.<key>[.<name>]=value` (or `+=`): `*.args.V=1`, `app.platform=linux/arm64`. */
const BAKE_SET = /^[^.=]+\.([a-z-]+)(?:\.([^=+]+))?\+?=([\s\S]*)$/;

/** Every `--set` counts, whatever its target pattern: a bake usually builds one target, and which one matched is not ours to judge. */
function applyBakeSet(cmd: BuildCommand, assignment: string): void {
  const m = BAKE_SET.exec(assignment);
  if (!m) return;
  const [, key, name, value = ''] = m;
  if (key === 'args') {
    if (name) cmd.build_args[name] = value;
  } else if (key === 'no-cache') cmd.no_cache = isTrue(value);
  else if (key === 'no-cache-filter') cmd.no_cache_filter.push(...splitList(value));
  else if (key === 'pull') cmd.pull = pulls(value);
  else if (key === 'platform') cmd.platform.push(...splitList(value));
  else if (key === 'cache-from') cmd.cache_from.push(value);
  else if (key === 'cache-to') cmd.cache_to.push(value);
  else if (key === 'tags') cmd.tags.push(value);
  else if (key === 'target') cmd.target = value;
  else if (key === 'dockerfile') cmd.file = value;
  else if (key === 'context') cmd.context = value;
}

/** buildctl spells the same options as frontend opts: `--opt build-arg:K=V`, `--opt target=x`, `--local context=.`. */
function readBuildctl(cmd: BuildCommand, args: readonly string[]): BuildCommand {
  readFlags(
    args,
    (name, value) => {
      if (value === null) {
        if (name === '--no-cache') cmd.no_cache = true;
        return;
      }
      if (name === '--opt') applyBuildctlOpt(cmd, value);
      else if (name === '--local') {
        const [k, v] = keyValue(value);
        if (k === 'context') cmd.context = v;
      } else if (name === '--import-cache') cmd.cache_from.push(value);
      else if (name === '--export-cache') cmd.cache_to.push(value);
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

function applyBuildctlOpt(cmd: BuildCommand, opt: string): void {
  const [k, v] = keyValue(opt);
  if (k.startsWith('build-arg:')) cmd.build_args[k.slice('build-arg:'.length)] = v;
  else if (k === 'target') cmd.target = v;
  else if (k === 'filename') cmd.file = v;
  else if (k === 'platform') cmd.platform.push(...splitList(v));
  else if (k === 'no-cache') {
    if (v === null || v === '') cmd.no_cache = true;
    else cmd.no_cache_filter.push(...splitList(v));
  } else if (k === 'image-resolve-mode' && v === 'pull') cmd.pull = true;
}

/** True when the build asks for an inline cache export (`--build-arg BUILDKIT_INLINE_CACHE=1` or `--cache-to type=inline`). */
export function exportsInlineCache(cmd: BuildCommand): boolean {
  const viaArg = isInlineCacheArg('BUILDKIT_INLINE_CACHE', cmd.build_args['BUILDKIT_INLINE_CACHE'] ?? null);
  return viaArg || cmd.cache_to.some((c) => /(^|,)type=inline(,|$)/.test(c));
}

// ---------------------------------------------------------------------------------------------
// Commands inside CI logs and command files
// ---------------------------------------------------------------------------------------------

/** CI decorations in front of an echoed command: timestamps, shell traces, prompts, Actions' `Run`. */
const LINE_DECORATIONS: RegExp[] = [
  /^\[\d{4}-\d\d-\d\dT[^\]]*\]\s?/, // [2026-11-29T16:26:56.615Z]
  /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z?\s/, // GitHub Actions raw log timestamp
  /^\d\d:\d\d:\d\d(?:\.\d+)?\s/, // Jenkins timestamper
  /^##\[[a-z]+\]/, // ##[group], Azure's ##[command]
  /^\[command\]/, // GitHub Actions toolkit (docker/build-push-action, bake-action)
  /^\s*\+{1,4}\s/, // set -x trace
  /^\s*[$#>]\s/, // prompts, GitLab `$ cmd`, a continuation prompt
  /^(?:\([\w.-]+\)\s)?[\w.-]+@[\w.-]+:\S*?[#$]\s/, // a pasted terminal: `(venv) dev@box:~/app$ `
  /^\[[\w.-]+@[\w.-]+ [^\]]*\][#$]\s/, // `[dev@box app]$ `
  /^PS [^>]*>\s/, // PowerShell
  /^\s*Run\s(?=\S)/, // GitHub Actions step header
  /^\s*\[Pipeline\]\s+sh\s*$/, // Jenkins step marker (nothing after)
];

/** A line that is build output, not a command (`#5 [2/4] RUN docker build …`, `Step 2/5 : …`). */
const OUTPUT_LINE = /^(#\d+\s|\s*=>\s|Step \d+(\/\d+)? :|\s*-->|ERROR:|error:|\s*>\s*\[)/;

const GITLAB_COLLAPSED = '# collapsed multi-line command';

/** GitHub Actions' step header. Its text is the script's first line only; the whole script is echoed after it. */
const RUN_HEADER = /^(?:\d{4}-\d\d-\d\dT\S*\s)?(?:##\[group\])?Run\s/;

function stripDecorations(line: string): string {
  // Colours (GitLab's green `$ docker build`, Actions' cyan script lines), GitLab section markers, CR overwrites.
  let out = line.includes('\x1b') || line.includes('\r') || line.includes('section_') ? cleanLine(line) : line;
  // GitLab shows a multi-line script entry by its first line only, ending `\ # collapsed multi-line command`.
  const trimmed = out.trimEnd();
  if (trimmed.endsWith(GITLAB_COLLAPSED)) out = trimmed.slice(0, -GITLAB_COLLAPSED.length).trimEnd().replace(/\\$/, '');
  for (let pass = 0; pass < 4; pass++) {
    const before = out;
    for (const re of LINE_DECORATIONS) out = out.replace(re, '');
    if (out === before) break;
  }
  return out;
}

/** Whether findBuildCommands takes a line for build output (command-lines.ts mirrors this; keep both alike). */
function isOutputLine(raw: string): boolean {
  const tabbed = raw.includes('\t') && !raw.startsWith('#');
  return !tabbed && OUTPUT_LINE.test(raw.replace(/^\d\d:\d\d:\d\d\s|^\[[^\]]*\]\s/, ''));
}

/** The builds a (joined) line runs, and its commands.txt fields when they are where the builds came from. */
function readLine(raw: string): { commands: BuildCommand[]; file: CommandsFileLine | null } {
  if (!raw.includes('build')) return { commands: [], file: null };
  const file = commandsFileLine(raw);
  if (file) {
    const commands = parseBuildCommands(file.commandText);
    if (commands.length > 0) return { commands, file };
  }
  if (RUN_HEADER.test(raw) && cleanLine(raw).trimEnd().endsWith('\\')) return { commands: [], file: null };
  return { commands: parseBuildCommands(stripDecorations(raw)), file: null };
}

/**
 * Every build command in a CI log or a command file, in order. A command echoed twice in a row (Actions'
 * `Run …` header then the `+ …` trace) counts once; the same command run again after some build output
 * counts again.
 */
export function findBuildCommands(text: string): BuildCommand[] {
  const found: BuildCommand[] = [];
  let outputSinceLast = true;
  let lastTexts: string[] = [];
  for (const raw of joinContinuationLines(text.split(/\r?\n/))) {
    if (isOutputLine(raw)) {
      outputSinceLast = true;
      continue;
    }
    const { commands, file } = readLine(raw);
    if (commands.length === 0) {
      if (raw.trim() !== '' && !/^\s/.test(raw)) outputSinceLast = true;
      continue;
    }
    const texts = commands.map((c) => c.text);
    if (!file && !outputSinceLast && texts.length === lastTexts.length && texts.every((t, i) => t === lastTexts[i])) continue;
    found.push(...commands);
    lastTexts = texts;
    outputSinceLast = false;
  }
  return found;
}

/** Whether a line goes on with the next: it ends with an unescaped `\`, maybe followed by colour codes. */
function continues(line: string): boolean {
  const end = line.endsWith('\\') ? line : line.includes('\\') ? cleanLine(line) : '';
  return end.endsWith('\\') && (end.length === 1 || end[end.length - 2] !== '\\');
}

/** Joins physical lines ending in a backslash with the next (keeping the CI prefix of the first only). */
function joinContinuationLines(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pending: string[] | null = null;
  for (const line of lines) {
    // Only the end of the newest piece decides. Testing the whole joined text with a regexp on every line
    // was quadratic: 32k continued lines (256 KB) took 20 s.
    const piece = pending === null ? line : stripDecorations(line).replace(/^\s+/, ' ');
    // A `Run` header continues nothing: the lines after it are the script's echo, first line again.
    if (continues(piece) && !(pending === null && RUN_HEADER.test(line))) {
      const clean = piece.endsWith('\\') ? piece : cleanLine(piece);
      (pending ??= []).push(clean.slice(0, -1));
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
  const log = (fields[0] ?? '').trim();
  // A log file name has no spaces: `16:26:55 + docker build\t-t x .` is a command with a tab in it.
  if (fields.length < 2 || /\s/.test(log)) return null;
  const last = fields[fields.length - 1] ?? '';
  const exit = /^exit=(-?\d+)$/.exec(last.trim());
  const commandFields = exit ? fields.slice(1, -1) : fields.slice(1);
  return { log: log === '' ? null : log, commandText: commandFields.join('\t').trim(), exit: exit ? Number(exit[1]) : null };
}

/**
 * A command file: the fixtures' `commands.txt` (log file, command, `exit=N`, tab-separated; `#` lines are
 * other commands and their output), or plain command lines, a shell script, a Makefile's recipe lines
 * (then `log` and `exit` are null). A line that is no build command is skipped, and reading goes on.
 */
export function parseCommandsFile(text: string): { log: string | null; command: BuildCommand; exit: number | null }[] {
  const out: { log: string | null; command: BuildCommand; exit: number | null }[] = [];
  for (const line of joinContinuationLines(text.split(/\r?\n/))) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const { commands, file } = readLine(line);
    for (const command of commands) out.push({ log: file?.log ?? null, command, exit: file?.exit ?? null });
  }
  return out;
}
