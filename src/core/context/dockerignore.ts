/**
 * `.dockerignore` exactly as a BuildKit v0.8-era client applies it (docker CLI 20.10):
 *
 * 1. Reading (docker/cli `dockerignore.ReadAll`): a UTF-8 BOM is dropped; a line starting with `#` is a
 *    comment (only at column 0, before trimming); lines are trimmed; blank lines are skipped; `!` marks
 *    an exception; each pattern is `filepath.Clean`ed and a leading `/` is dropped (so `/a`, `./a` and
 *    `a/` all mean `a`).
 * 2. Matching (`fileutils.PatternMatcher.Matches`, docker 2020): every pattern is tried in order and the
 *    last one that matches decides (`!` → sent). A pattern also matches a path when it matches the
 *    path's leading directories with as many components as the pattern has (`a/b` excludes `a/b/c/d`).
 *    Globs become a regexp: `*` = any run of non-`/`, `?` = one non-`/`, `**` = any number of
 *    directories (`**` at the end = anything), `[...]` = a character class, `\` escapes.
 * 3. Walking (tonistiigi/fsutil `Walk`, 2020): a matched directory is skipped with all its contents,
 *    unless some exception pattern literally starts with `<dir>/` — then the directory itself is still
 *    sent and its children are judged one by one. So `!**\/keep.txt` does NOT re-include `dir/keep.txt`
 *    once `dir` is excluded, while `!dir/keep.txt` does.
 *
 * The Dockerfile and `.dockerignore` get no special treatment in BuildKit: they are in the context (and
 * so in `COPY . .`) unless a pattern excludes them (verified against a real cache.db: §6 in checksum.ts).
 * The classic builder's "always send Dockerfile and .dockerignore" rule does not apply to BuildKit.
 *
 * Hand-written because no installed library follows these rules (the walker's prefix rule in particular).
 * Deviation on purpose: docker 2020 passed `+(){}|^` through as regexp syntax (a bug fixed in 2021); here
 * they are literal characters, as in every later version.
 */
import { matchTokens, pushToken, type GlobToken } from './glob-match.ts';

/** Lexical path cleaning as Go's `path.Clean` (`/`-separated). */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** The patterns of a `.dockerignore` text, in order, as the docker CLI hands them to BuildKit. */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const line of lines) {
    if (line.startsWith('#')) continue;
    let pattern = line.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? '!' + pattern : pattern);
  }
  return patterns;
}

interface Pattern {
  /** The cleaned pattern without its `!`. */
  text: string;
  exclusion: boolean;
  /** Number of path components, for matching leading directories. */
  depth: number;
  /** Whole-path match, in linear time (glob-match.ts). */
  test(path: string): boolean;
}

const REGEXP_SPECIAL = /[.$^+(){}|]/;

/**
 * The glob as a RegExp (its meaning, and `new RegExp` rejects a broken class) and as tokens for
 * `matchTokens`, which runs it without backtracking: a RegExp with several stars or double stars takes
 * exponential time on a path that almost matches, and a .dockerignore comes with whatever repo it is in.
 */
function compileGlob(glob: string): (path: string) => boolean {
  let re = '^';
  const tokens: GlobToken[] = [];
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i]!;
    if (ch === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') i++; // `**/` is `**`
        const last = i + 1 >= glob.length;
        re += last ? '.*' : '(.*/)?';
        pushToken(tokens, { kind: last ? 'any' : 'dirs' });
      } else {
        re += '[^/]*';
        pushToken(tokens, { kind: 'star' });
      }
    } else if (ch === '?') {
      re += '[^/]';
      tokens.push({ kind: 'one' });
    } else if (ch === '[') {
      // A character class goes to the regexp as written (`[^…]` negates, `[!…]` does not, as in docker).
      const close = glob.indexOf(']', i + 2);
      if (close < 0) throw new Error('unterminated [');
      const cls = glob.slice(i, close + 1);
      re += cls;
      tokens.push({ kind: 'class', test: new RegExp('^' + cls + '$') });
      i = close;
    } else if (ch === '\\') {
      const next = glob[i + 1];
      if (next === undefined) {
        re += '\\\\';
        tokens.push({ kind: 'lit', char: '\\' });
      } else {
        // `\x` is a literal x (filepath.Match); escape it for the regexp only when it is punctuation.
        re += /[A-Za-z0-9]/.test(next) ? next : '\\' + next;
        tokens.push({ kind: 'lit', char: next });
        i++;
      }
    } else if (REGEXP_SPECIAL.test(ch)) {
      re += '\\' + ch;
      tokens.push({ kind: 'lit', char: ch });
    } else {
      re += ch;
      tokens.push({ kind: 'lit', char: ch });
    }
  }
  const regexp = new RegExp(re + '$');
  // A class ending in a backslash (`[a\]`) escapes its own `]` and reads on in the RegExp: keep the RegExp
  // for such odd patterns rather than guess; every other glob runs on the tokens.
  const odd = tokens.some((t) => t.kind === 'class' && t.test.source.endsWith('\\]$'));
  return odd ? (path) => regexp.test(path) : (path) => matchTokens(tokens, path);
}

export interface DockerignoreMatcher {
  readonly patterns: string[];
  /** True when the client would not send this path (`isDir` matters for the walker's prefix rule). */
  excludes(path: string, isDir: boolean): boolean;
}

/** A problem in a pattern (`!` alone, an unterminated `[`): BuildKit refuses such a context. */
export interface PatternError {
  pattern: string;
  message: string;
}

export function createMatcher(patterns: string[]): { matcher: DockerignoreMatcher; errors: PatternError[] } {
  const compiled: Pattern[] = [];
  const errors: PatternError[] = [];
  for (const raw of patterns) {
    let p = raw.trim();
    if (p === '') continue;
    p = cleanPath(p);
    let exclusion = false;
    if (p.startsWith('!')) {
      if (p.length === 1) {
        errors.push({ pattern: raw, message: 'illegal exclusion pattern: "!"' });
        continue;
      }
      exclusion = true;
      p = p.slice(1);
    }
    try {
      compiled.push({ text: p, exclusion, depth: p.split('/').length, test: compileGlob(p) });
    } catch {
      errors.push({ pattern: raw, message: `invalid pattern "${raw}"` });
    }
  }
  const hasExclusions = compiled.some((p) => p.exclusion);

  /** PatternMatcher.Matches: last matching pattern wins; leading directories count as a match. */
  function matches(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const parentDirs = slash < 0 ? null : path.slice(0, slash).split('/');
    let matched = false;
    for (const pattern of compiled) {
      let match = pattern.test(path);
      if (!match && parentDirs && pattern.depth <= parentDirs.length) {
        match = pattern.test(parentDirs.slice(0, pattern.depth).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /** fsutil: a matched dir is still walked (and sent) when an exception pattern starts with `dir/`. */
  function walkedDespiteMatch(dir: string): boolean {
    if (!hasExclusions) return false;
    const prefix = dir + '/';
    return compiled.some((p) => p.exclusion && (p.text + '/').startsWith(prefix));
  }

  const skippedDirs = new Map<string, boolean>();
  /** True when the walker never enters `dir` (it, and so everything below it, is not sent). */
  function dirSkipped(dir: string): boolean {
    let skipped = skippedDirs.get(dir);
    if (skipped === undefined) {
      const slash = dir.lastIndexOf('/');
      skipped = (slash >= 0 && dirSkipped(dir.slice(0, slash))) || (matches(dir) && !walkedDespiteMatch(dir));
      skippedDirs.set(dir, skipped);
    }
    return skipped;
  }

  const matcher: DockerignoreMatcher = {
    patterns: [...patterns],
    excludes(path: string, isDir: boolean): boolean {
      if (compiled.length === 0 || path === '') return false;
      if (isDir) return dirSkipped(path);
      const slash = path.lastIndexOf('/');
      if (slash >= 0 && dirSkipped(path.slice(0, slash))) return true;
      return matches(path);
    },
  };
  return { matcher, errors };
}
