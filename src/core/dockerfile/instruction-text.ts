/**
 * Small pure helpers over one instruction's logical line: the keyword, the flags, the rest, and the
 * vertex name BuildKit builds from it.
 */
import { expandOrKeep, expandWord } from './shell-word.ts';

export type Lookup = (name: string) => string | undefined;

/** `uppercaseCmd`: BuildKit upper-cases the first word only, the rest stays as written. */
export function uppercaseFirstWord(text: string): string {
  const space = text.indexOf(' ');
  if (space < 0) return text.toUpperCase();
  return text.slice(0, space).toUpperCase() + text.slice(space);
}

export interface SplitInstruction {
  keyword: string;
  /** `--name=value` / `--name` words at the start of the arguments, as written. */
  flags: string[];
  /** The arguments after the flags, as written (may span what were several lines). */
  rest: string;
}

/** Splits a logical line into keyword, leading `--flags` and the rest, like BuildKit's `splitCommand`. */
export function splitInstruction(line: string): SplitInstruction {
  const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(line);
  const keyword = (m?.[1] ?? '').toUpperCase();
  let rest = m?.[2] ?? '';
  const flags: string[] = [];
  for (;;) {
    const f = /^(--\S*)(\s+|$)/.exec(rest);
    if (!f || f[1] === '--') break;
    flags.push(f[1] ?? '');
    rest = rest.slice(f[0].length);
  }
  return { keyword, flags, rest: rest.replace(/\s+$/, '') };
}

/** The value of `--name=value` among flags (last one wins, like BuildKit's flag parser), null when absent. */
export function flagValue(flags: readonly string[], name: string): string | null {
  let value: string | null = null;
  for (const f of flags) {
    if (f === `--${name}`) value = 'true';
    else if (f.startsWith(`--${name}=`)) value = f.slice(name.length + 3);
  }
  return value;
}

export function flagValues(flags: readonly string[], name: string): string[] {
  return flags.filter((f) => f.startsWith(`--${name}=`)).map((f) => f.slice(name.length + 3));
}

export function hasFlag(flags: readonly string[], name: string): boolean {
  const v = flagValue(flags, name);
  return v !== null && v.toLowerCase() !== 'false';
}

/**
 * The name of a RUN vertex: `processCmdEnv` with `RawQuotes` and `SkipUnsetEnv`, so quotes stay, unset
 * variables stay as written, declared ones are replaced (`RUN echo "V=$V"` → `RUN echo "V=2"`).
 */
export function runVertexName(written: string, escape: string, lookup: Lookup): string {
  return uppercaseFirstWord(expandOrKeep(written, { escape, rawQuotes: true, skipUnset: true, lookup }));
}

/**
 * The name of a COPY/ADD/WORKDIR vertex: `processCmdEnv` with the default lexer, so quotes are removed
 * and unset variables become empty (`COPY "a.txt" /x` → `COPY a.txt /x`).
 */
export function fileOpVertexName(written: string, escape: string, lookup: Lookup): string {
  return uppercaseFirstWord(expandOrKeep(written, { escape, lookup }));
}

/** A path or word expanded with the default lexer; null when it does not lex (BuildKit fails the build). */
export function expandPath(word: string, escape: string, lookup: Lookup): string | null {
  const r = expandWord(word, { escape, lookup });
  return r ? r.text : null;
}

/**
 * A COPY/ADD source or destination: expanded like BuildKit does, except that a variable the Dockerfile
 * does not define stays as written (`$APP_HOME`): the base image may define it, and an empty string
 * would silently name another path.
 */
export function expandCopyPath(word: string, escape: string, lookup: Lookup): string {
  return expandWord(word, { escape, lookup, skipUnset: true })?.text ?? word;
}

/**
 * COPY/ADD arguments: a JSON array, or words split on whitespace (BuildKit splits before expanding, so
 * quotes cannot protect spaces; only the JSON form can). Returns the raw words.
 */
export function copyArgumentWords(rest: string): string[] {
  const trimmed = rest.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((x) => typeof x === 'string')) return parsed;
    } catch {
      // Not valid JSON: BuildKit then treats the text as shell-form words too.
    }
  }
  return trimmed.split(/\s+/).filter((w) => w !== '');
}

const HEREDOC_WORD = /^(\d*)<<(-?)([^<]*)$/;

/** Whether a word is a heredoc opener (`<<EOF`, `<<-EOF`, `<<"EOF"`), and its name. */
export function heredocName(word: string): string | null {
  const m = HEREDOC_WORD.exec(word);
  const rest = m?.[3] ?? '';
  if (!m || rest === '') return null;
  const name = rest.replace(/["']/g, '');
  return /\s/.test(name) || name === '' ? null : name;
}

/**
 * BuildKit's `summarizeHeredoc`: the first line of the (trimmed) body, with `...` when there are more.
 * Appended to a RUN name when the whole command is one heredoc: `RUN <<EOT (echo line one > /h.txt...)`.
 */
export function summarizeHeredoc(body: string): string {
  const lines = body.trim().replace(/\r\n/g, '\n').split('\n');
  return (lines[0] ?? '') + (lines.length > 1 ? '...' : '');
}
