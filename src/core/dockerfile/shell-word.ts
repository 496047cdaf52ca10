/**
 * Variable expansion the way BuildKit's Dockerfile frontend does it (`frontend/dockerfile/shell/lex.go`).
 *
 * Why hand-written: the vertex names BuildKit prints come from its own lexer (`processCmdEnv` →
 * `ProcessWord`), with its own quirks: outside quotes the escape character is dropped, unset variables
 * become empty unless `SkipUnsetEnv` is set (RUN), quotes are kept only with `RawQuotes` (RUN), and on any
 * syntax error the text is printed unexpanded. dockerfile-ast resolves variables for an editor, not like
 * this, so to print the same names we mirror the Go lexer here, in our own words.
 */

export interface ShellWordOptions {
  /** The Dockerfile escape character (`\` or `` ` ``). */
  escape: string;
  /** Keep the quote characters in the output (BuildKit sets this for RUN names). */
  rawQuotes?: boolean;
  /** Leave `$NAME` as written when NAME is unset, instead of expanding to "" (RUN names). */
  skipUnset?: boolean;
  /** Value of a variable, undefined when unset. */
  lookup: (name: string) => string | undefined;
}

export interface ShellWordResult {
  /** The expanded text, spacing kept as written. */
  text: string;
  /** The text split in words after expansion (quotes group words, like `ProcessWords`). */
  words: string[];
}

/** Thrown inside the lexer only; `expandWord` turns it into `null`. */
class ShellSyntaxError extends Error {}

const EOF = '';

/** Expands `$VAR`/`${VAR…}` in `text`; null on a syntax error (BuildKit then prints the text as written). */
export function expandWord(text: string, opts: ShellWordOptions): ShellWordResult | null {
  try {
    const lexer = new WordLexer(text, opts);
    return lexer.run();
  } catch (e) {
    if (e instanceof ShellSyntaxError) return null;
    throw e;
  }
}

/** `expandWord(...).text`, or the text unchanged when it does not lex (what `processCmdEnv` does). */
export function expandOrKeep(text: string, opts: ShellWordOptions): string {
  return expandWord(text, opts)?.text ?? text;
}

/** Accumulates words the way lex.go's `wordsStruct` does: unquoted whitespace separates words. */
class WordCollector {
  private word = '';
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = '';
        this.inWord = false;
      }
    } else {
      this.addRawChar(ch);
    }
  }
  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }
  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }
  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = '';
      this.inWord = false;
    }
    return this.words;
  }
}

const SPACE = /^\s$/u;
const NAME_CHAR = /^[\p{L}\p{Nd}_]$/u;
const DIGIT = /^\p{Nd}$/u;

function isSpace(ch: string): boolean {
  return SPACE.test(ch);
}

function isNameChar(ch: string): boolean {
  return NAME_CHAR.test(ch);
}

function isSpecialParam(ch: string): boolean {
  return '@*#?-$!0'.includes(ch) && ch !== '';
}

class WordLexer {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes = false;

  constructor(
    text: string,
    private readonly opts: ShellWordOptions,
  ) {
    this.chars = Array.from(text);
  }

  private peek(): string {
    return this.chars[this.pos] ?? EOF;
  }
  private next(): string {
    const ch = this.chars[this.pos] ?? EOF;
    if (ch !== EOF) this.pos++;
    return ch;
  }

  run(): ShellWordResult {
    const [text, words] = this.processStopOn(EOF, false);
    return { text, words };
  }

  /** Reads until `stop` (consumed) or the end; `stop` = EOF reads everything. */
  private processStopOn(stop: string, rawEscapes: boolean): [string, string[]] {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      let result = '';
      const words = new WordCollector();
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.next();
          return [result, words.finish()];
        }
        if (ch === '$') {
          const value = this.processDollar();
          result += value;
          words.addString(value);
        } else if (ch === "'") {
          const value = this.processSingleQuote();
          result += value;
          words.addRawString(value);
        } else if (ch === '"') {
          const value = this.processDoubleQuote();
          result += value;
          words.addRawString(value);
        } else {
          let c = this.next();
          if (c === this.opts.escape) {
            if (this.rawEscapes) {
              words.addRawChar(c);
              result += c;
            }
            c = this.next();
            if (c === EOF) break;
            words.addRawChar(c);
          } else {
            words.addChar(c);
          }
          result += c;
        }
      }
      if (stop !== EOF) throw new ShellSyntaxError(`unexpected end of statement while looking for matching ${stop}`);
      return [result, words.finish()];
    } finally {
      this.rawEscapes = saved;
    }
  }

  private processSingleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new ShellSyntaxError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.opts.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.opts.rawQuotes) result += open;
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new ShellSyntaxError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.next();
        if (this.opts.rawQuotes) result += ch;
        return result;
      }
      if (ch === '$') {
        result += this.processDollar();
        continue;
      }
      let c = this.next();
      if (c === this.opts.escape) {
        if (this.rawEscapes) result += c;
        const following = this.peek();
        if (following === EOF) continue; // a trailing escape is ignored
        // Inside double quotes only ", $ and the escape character itself can be escaped.
        if (following === '"' || following === '$' || following === this.opts.escape) c = this.next();
      }
      result += c;
    }
  }

  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name.length === 0 && DIGIT.test(ch)) {
        while (DIGIT.test(this.peek())) name += this.next();
        return name;
      }
      if (name.length === 0 && isSpecialParam(ch)) return this.next();
      if (!isNameChar(ch)) break;
      name += this.next();
    }
    return name;
  }

  private processDollar(): string {
    this.next(); // the '$'
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.opts.lookup(name);
      if (value === undefined && this.opts.skipUnset) return '$' + name;
      return value ?? '';
    }
    this.next(); // the '{'
    const first = this.peek();
    if (first === EOF) throw new ShellSyntaxError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new ShellSyntaxError('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    let modifier = ch;
    let nullIsUnset = false;
    switch (ch) {
      case '}': {
        const value = this.opts.lookup(name);
        if (value === undefined && this.opts.skipUnset) return '${' + name + '}';
        return value ?? '';
      }
      case ':':
        nullIsUnset = true;
        ch = this.next();
        modifier += ch;
        return this.processModifier(name, ch, modifier, nullIsUnset);
      case '+':
      case '-':
      case '?':
      case '#':
      case '%':
        return this.processModifier(name, ch, modifier, nullIsUnset);
      case '/':
        return this.processReplace(name);
      default:
        throw new ShellSyntaxError(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  private processModifier(name: string, ch: string, modifier: string, nullIsUnset: boolean): string {
    if (!'+-?#%'.includes(ch) || ch === '') throw new ShellSyntaxError(`unsupported modifier (${modifier}) in substitution`);
    // `${X:#…}` and `${X:%…}` are not shell syntax; BuildKit rejects them.
    if (nullIsUnset && (ch === '#' || ch === '%')) throw new ShellSyntaxError(`unsupported modifier (${modifier}) in substitution`);
    const [word] = this.processStopOn('}', ch === '#' || ch === '%');
    const value = this.opts.lookup(name);
    if (value === undefined && this.opts.skipUnset) return '${' + name + modifier + word + '}';
    const set = value !== undefined;
    const empty = !set || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return empty ? word : (value ?? '');
      case '+':
        return empty ? '' : word;
      case '?':
        if (empty) throw new ShellSyntaxError(`${name}: ${word || 'is not allowed to be unset'}`);
        return value ?? '';
      default: {
        // `#`/`%`: trim the shortest (or, doubled, the longest) matching prefix/suffix.
        let pattern = word;
        let greedy = false;
        if (pattern.startsWith(ch)) {
          greedy = true;
          pattern = pattern.slice(1);
        }
        return trimByPattern(value ?? '', pattern, greedy, ch === '#' ? 'prefix' : 'suffix');
      }
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    const [pattern] = this.processStopOn('/', true);
    const [replacement] = this.processStopOn('}', true);
    const value = this.opts.lookup(name);
    if (value === undefined && this.opts.skipUnset) return '${' + name + '/' + pattern + '/' + replacement + '}';
    const re = shellPatternToRegex(pattern, true, false, all);
    return (value ?? '').replace(re, () => replacement);
  }
}

/** Shell glob (`?`, `*`, escapes; no brackets, like BuildKit) → RegExp. */
function shellPatternToRegex(pattern: string, greedy: boolean, anchor: 'start' | 'end' | false, global = false): RegExp {
  let out = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '*') out += greedy ? '.*' : '.*?';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < chars.length) out += escapeRegex(chars[++i] ?? '');
    else out += escapeRegex(c);
  }
  if (anchor === 'start') out = '^' + out;
  if (anchor === 'end') out = out + '$';
  return new RegExp(out, global ? 'gsu' : 'su');
}

function trimByPattern(value: string, pattern: string, greedy: boolean, side: 'prefix' | 'suffix'): string {
  if (side === 'prefix') {
    const m = shellPatternToRegex(pattern, greedy, 'start').exec(value);
    return m ? value.slice(m[0].length) : value;
  }
  // Suffix: try every start position, earliest start = longest match.
  const re = shellPatternToRegex(pattern, true, 'end');
  const starts = [...Array(value.length + 1).keys()];
  if (!greedy) starts.reverse();
  for (const start of starts) {
    const rest = value.slice(start);
    const m = re.exec(rest);
    if (m && m.index === 0) return value.slice(0, start);
  }
  return value;
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
