/**
 * Glob matching in linear time. The .dockerignore and COPY-wildcard globs used to be compiled to a JavaScript
 * RegExp, which backtracks: `*a*a*a*a*a*b` against a long name, or `**` then `/` repeated, took seconds to hours
 * (Go, which BuildKit is written in, uses RE2 and never backtracks). Here the glob is a list of tokens run
 * as a set of states over the path (Thompson's construction), so time is O(path × pattern) whatever
 * the pattern. The compilers in dockerignore.ts and checksum.ts keep building their RegExp for validation
 * and for their documented semantics; this only replaces how it is run.
 */

export type GlobToken =
  /** `[^/]*` */
  | { kind: 'star' }
  /** `.*` */
  | { kind: 'any' }
  /** `(.*\/)?` */
  | { kind: 'dirs' }
  /** `[^/]` */
  | { kind: 'one' }
  | { kind: 'lit'; char: string }
  /** A one-character class, tested as a RegExp on that character. */
  | { kind: 'class'; test: RegExp };

/** RegExp `.` (without the s flag) does not match these. */
function isLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

/** Appends a token, folding repeats that mean the same (`[^/]*[^/]*` is `[^/]*`, `(.*\/)?(.*\/)?` is `(.*\/)?`). */
export function pushToken(tokens: GlobToken[], token: GlobToken): void {
  const last = tokens[tokens.length - 1];
  if (last && last.kind === token.kind && (token.kind === 'star' || token.kind === 'any' || token.kind === 'dirs')) return;
  tokens.push(token);
}

/** True when the whole of `text` matches the tokens (as `^…$` would). */
export function matchTokens(tokens: readonly GlobToken[], text: string): boolean {
  const m = tokens.length;
  // at[i]: ready to match token i; inside[i]: inside the `.*` of a `dirs` token i.
  let at = new Uint8Array(m + 1);
  let inside = new Uint8Array(m + 1);
  let nextAt = new Uint8Array(m + 1);
  let nextInside = new Uint8Array(m + 1);
  const close = (): void => {
    // Epsilon moves only go forward, so one pass in order reaches every state.
    for (let i = 0; i < m; i++) {
      if (!at[i]) continue;
      const kind = tokens[i]!.kind;
      if (kind === 'star' || kind === 'any' || kind === 'dirs') at[i + 1] = 1;
      if (kind === 'dirs') inside[i] = 1;
    }
  };
  at[0] = 1;
  close();
  for (let p = 0; p < text.length; p++) {
    const c = text[p]!;
    nextAt.fill(0);
    nextInside.fill(0);
    let alive = false;
    for (let i = 0; i < m; i++) {
      if (inside[i]) {
        if (c === '/') {
          nextAt[i + 1] = 1;
          alive = true;
        }
        if (!isLineTerminator(c)) {
          nextInside[i] = 1;
          alive = true;
        }
      }
      if (!at[i]) continue;
      const token = tokens[i]!;
      switch (token.kind) {
        case 'star':
          if (c !== '/') {
            nextAt[i] = 1;
            alive = true;
          }
          break;
        case 'any':
          if (!isLineTerminator(c)) {
            nextAt[i] = 1;
            alive = true;
          }
          break;
        case 'one':
          if (c !== '/') {
            nextAt[i + 1] = 1;
            alive = true;
          }
          break;
        case 'lit':
          if (c === token.char) {
            nextAt[i + 1] = 1;
            alive = true;
          }
          break;
        case 'class':
          if (token.test.test(c)) {
            nextAt[i + 1] = 1;
            alive = true;
          }
          break;
        case 'dirs':
          break;
      }
    }
    if (!alive) return false;
    [at, nextAt] = [nextAt, at];
    [inside, nextInside] = [nextInside, inside];
    close();
  }
  return at[m] === 1;
}
