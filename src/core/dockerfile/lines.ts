/**
 * Joining an instruction's physical lines into the one logical line BuildKit keeps as the instruction's
 * `Original` text (`frontend/dockerfile/parser/parser.go`), which is what the vertex name is made from.
 *
 * dockerfile-ast tells us where an instruction starts and ends, but it keeps the raw text; BuildKit's
 * joining has details that show in the log: the escape character is dropped with any spaces after it,
 * the spaces before it stay, continuation lines keep their indentation, comment lines and blank lines
 * inside a continuation vanish.
 */

export interface JoinedLine {
  /** The logical line (no trailing newline), left-trimmed like BuildKit's first line. */
  text: string;
  /** 0-based index of the last physical line consumed. */
  lastLine: number;
}

const continuationRegexes = new Map<string, RegExp>();

function continuationRegex(escape: string): RegExp {
  let re = continuationRegexes.get(escape);
  if (!re) {
    const e = escape.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
    re = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
    continuationRegexes.set(escape, re);
  }
  return re;
}

function trimNewline(s: string): string {
  return s.replace(/[\r\n]+$/, '');
}

function trimLeadingWhitespace(s: string): string {
  return s.replace(/^\s+/u, '');
}

function isComment(line: string): boolean {
  return trimLeadingWhitespace(line).startsWith('#');
}

/** Joins the instruction starting at `start` (0-based) the way BuildKit's parser does. */
export function joinInstructionLines(lines: readonly string[], start: number, escape: string): JoinedLine {
  const re = continuationRegex(escape);
  const trim = (s: string): [string, boolean] => (re.test(s) ? [s.replace(re, '$1'), false] : [s, true]);

  let [text, ended] = trim(trimLeadingWhitespace(trimNewline(lines[start] ?? '')));
  let i = start;
  while (!ended && i + 1 < lines.length) {
    i++;
    const raw = trimNewline(lines[i] ?? '');
    if (isComment(raw)) continue;
    if (trimLeadingWhitespace(raw) === '') continue;
    let part: string;
    [part, ended] = trim(raw);
    text += part;
  }
  return { text, lastLine: i };
}

/** Splits text in lines the way an editor shows them (`\n`, `\r\n` or `\r`). */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
