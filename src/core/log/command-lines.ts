/**
 * The lines of a log that `findBuildCommands` (ingest/command.ts) can need, gathered while the log
 * streams by, so the commands a CI log echoes are found without keeping the log.
 *
 * `findBuildCommands(lines.text())` gives what `findBuildCommands(wholeText)` gives. It reads the log as
 * `text.split(/\r?\n/)`, joins backslash-continued lines, parses the lines that mention `build`, and
 * otherwise only notes whether output came between two identical commands (the second one then counts
 * again). So kept verbatim: lines that mention `build`, and every line of a backslash continuation; any
 * other run of lines is reduced to one stand-in line (`x`) when one of them counts as output, and to
 * nothing when none does. (The output test below mirrors findBuildCommands'; the fixture tests compare
 * both ways on every log.)
 */
import { detach } from './draft.ts';
import { cleanLine } from './lines.ts';

/** Stand-in for a run of output lines: not a command, no backslash, counts as output. */
const OUTPUT_STAND_IN = 'x';
/** What findBuildCommands takes for build output when no prefix is left (see ingest/command.ts). */
const OUTPUT_LINE = /^(#\d+\s|\s*=>\s|Step \d+(\/\d+)? :|\s*-->|ERROR:|error:|\s*>\s*\[)/;
/** More kept text than this (a log printing `build` on every line) is not kept: commands come early. */
const MAX_KEPT_CHARS = 8 << 20;

export class CommandLines {
  readonly #kept: string[] = [];
  #keptChars = 0;
  /** The text after the last LF seen. */
  #carry = '';
  /** The previous line ended with a backslash: this one continues it. */
  #continued = false;
  /** The last kept line is the stand-in. */
  #standIn = false;

  /** The next piece of the log's text (pieces may be cut anywhere). */
  write(piece: string): void {
    const text = this.#carry === '' ? piece : this.#carry + piece;
    let start = 0;
    for (;;) {
      const end = text.indexOf('\n', start);
      if (end === -1) break;
      // `split(/\r?\n/)`: one CR before the LF belongs to the line break.
      this.#line(text.slice(start, end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end));
      start = end + 1;
    }
    this.#carry = start === text.length ? '' : detach(text.slice(start));
  }

  /** The lines to give findBuildCommands, once the whole log was written. */
  text(): string {
    // The text after the last LF is a line too, even when empty (as `split` gives it).
    const kept = this.#kept.slice();
    const last = this.#carry;
    if (last.includes('build') || endsWithBackslash(last) || this.#continued) kept.push(last);
    else if (countsAsOutput(last) && !this.#standIn) kept.push(OUTPUT_STAND_IN);
    return kept.join('\n');
  }

  #line(line: string): void {
    const continues = endsWithBackslash(line);
    const keep = line.includes('build') || continues || this.#continued;
    this.#continued = continues;
    if (keep) {
      this.#keep(detach(line));
      this.#standIn = false;
    } else if (!this.#standIn && countsAsOutput(line)) {
      this.#keep(OUTPUT_STAND_IN);
      this.#standIn = true;
    }
  }

  #keep(line: string): void {
    if (this.#keptChars > MAX_KEPT_CHARS) return;
    this.#kept.push(line);
    this.#keptChars += line.length + 1;
  }
}

/**
 * Whether the line may go on with the next one, as findBuildCommands judges it: a trailing backslash, also
 * when colour codes follow it (GitHub Actions echoes each script line as `ESC[36;1mdocker build \ESC[0m`).
 */
function endsWithBackslash(line: string): boolean {
  return line.endsWith('\\') || (line.includes('\\') && cleanLine(line).endsWith('\\'));
}

/** Whether findBuildCommands takes a line that is no command for build output (see ingest/command.ts). */
function countsAsOutput(raw: string): boolean {
  const fromFile = raw.includes('\t') && !raw.startsWith('#');
  if (!fromFile && OUTPUT_LINE.test(raw.replace(/^\d\d:\d\d:\d\d\s|^\[[^\]]*\]\s/, ''))) return true;
  return raw.trim() !== '' && !/^\s/.test(raw);
}
