/**
 * Replays raw terminal output on an unbounded screen and returns what it shows at the end.
 *
 * BuildKit's tty display redraws its block in place: it moves the cursor up over the previous frame
 * (`ESC[nA`), rewrites each line, and the last frame is what the user saw. Only the handful of controls
 * that display uses are modelled (cursor up/down/column, CR, LF, erase); colours and cursor visibility
 * are dropped. A terminal-emulator library would be far bigger than this need.
 */

import { detach } from './draft.ts';

// eslint-disable-next-line no-control-regex -- a cursor-movement escape sequence is what this finds
const CURSOR_MOVE_RE = /\x1b\[\d*[ABH]/;

/** Where an OSC sequence whose text starts at `from` ends (after BEL or `ESC \\`); -1 when not in `raw`. */
function oscEnd(raw: string, from: number): number {
  for (let j = from; j < raw.length; j++) {
    const c = raw.charCodeAt(j);
    if (c === 7) return j + 1;
    if (c === 27 && raw.charCodeAt(j + 1) === 92 /* \ */) return j + 2;
  }
  return -1;
}

/** Wider than any terminal; bounds what a hostile `ESC[99999999G` can make us allocate. */
const MAX_COLUMN = 4096;

export function hasCursorMovement(text: string): boolean {
  return CURSOR_MOVE_RE.test(text.slice(0, 200_000));
}

/**
 * Rows this far above the cursor are taken as final when the renderer is given `onFinal`. BuildKit moves
 * the cursor up over its previous frame, which is at most a terminal's height (a few hundred rows).
 */
export const SCREEN_WINDOW = 5000;

/**
 * The screen fed in pieces: a control sequence cut between two pieces waits for the next one. Only the
 * screen is kept, not the bytes that drew it; with `onFinal`, not even the whole screen: rows that scrolled
 * SCREEN_WINDOW rows above the cursor are handed over (trimmed, in order) and forgotten, so a cursor move
 * up further than that stops at the oldest row kept (a terminal would have scrolled them off too).
 */
export class ScreenRenderer {
  readonly #rows: string[] = [''];
  readonly #onFinal: ((row: string) => void) | null;
  #row = 0;
  #col = 0;
  /** The start of a CSI sequence the last piece ended inside (pieces cut after a LF never do). */
  #carry = '';
  /** The last piece ended inside an OSC sequence (a title, a link), which may span lines; its text is dropped. */
  #inOsc = false;
  /** … and its last character was the ESC that may start the terminator `ESC \`. */
  #oscEsc = false;

  constructor(onFinal: ((row: string) => void) | null = null) {
    this.#onFinal = onFinal;
  }

  write(piece: string): void {
    const raw = this.#carry === '' ? piece : this.#carry + piece;
    this.#carry = '';
    const rows = this.#rows;
    let row = this.#row;
    let col = this.#col;
    // Rows changed by this piece: they are detached from it at the end (see `detach`).
    let low = Number.POSITIVE_INFINITY;
    let high = -1;
    const touch = (): void => {
      if (row < low) low = row;
      if (row > high) high = row;
    };
    const ensureRow = (): void => {
      while (rows.length <= row) rows.push('');
    };
    let i = 0;
    if (this.#inOsc) {
      const end = this.#oscEsc && raw.charCodeAt(0) === 92 /* \ */ ? 1 : oscEnd(raw, 0);
      this.#inOsc = end === -1;
      this.#oscEsc = end === -1 && raw.charCodeAt(raw.length - 1) === 27;
      i = end === -1 ? raw.length : end;
    }
    const write = (chunk: string): void => {
      touch();
      ensureRow();
      const current = rows[row] as string;
      if (col === current.length) {
        // Appending, the usual case: no copy of the row.
        rows[row] = current + chunk;
        col += chunk.length;
        return;
      }
      const padded = current.length < col ? current + ' '.repeat(col - current.length) : current;
      rows[row] = padded.slice(0, col) + chunk + padded.slice(col + chunk.length);
      col += chunk.length;
    };
    while (i < raw.length) {
      const c = raw.charCodeAt(i);
      if (c === 27 /* ESC */) {
        if (i + 1 === raw.length) {
          this.#carry = raw.slice(i);
          break;
        }
        if (raw.charCodeAt(i + 1) === 91 /* [ */) {
          let j = i + 2;
          while (j < raw.length && /[0-9;?<=>]/.test(raw.charAt(j))) j++;
          if (j === raw.length) {
            this.#carry = raw.slice(i);
            break;
          }
          const params = raw.slice(i + 2, j).replace(/^\?/, '');
          const final = raw.charAt(j);
          const n = Number.parseInt(params.split(';')[0] || '', 10);
          const count = Number.isNaN(n) || n === 0 ? 1 : n;
          switch (final) {
            case 'A':
              row = Math.max(0, row - count);
              break;
            case 'B':
              // A terminal's cursor stops at the last line; it never creates lines by moving down.
              row = Math.min(row + count, rows.length - 1);
              break;
            case 'C':
              col = Math.min(col + count, MAX_COLUMN);
              break;
            case 'D':
              col = Math.max(0, col - count);
              break;
            case 'G':
              col = Math.min(MAX_COLUMN, Math.max(0, (Number.isNaN(n) ? 1 : n) - 1));
              break;
            case 'K': {
              touch();
              ensureRow();
              const mode = Number.isNaN(n) ? 0 : n;
              const current = rows[row] as string;
              rows[row] = mode === 0 ? current.slice(0, col) : mode === 1 ? ' '.repeat(col) + current.slice(col) : '';
              break;
            }
            case 'J': {
              const mode = Number.isNaN(n) ? 0 : n;
              if (mode === 0) {
                touch();
                ensureRow();
                rows[row] = (rows[row] as string).slice(0, col);
                rows.length = row + 1;
              }
              break;
            }
            default:
              break; // colours (m), cursor visibility (h/l) and the rest change nothing we read
          }
          i = j + 1;
          continue;
        }
        if (raw.charCodeAt(i + 1) === 93 /* ] */) {
          // OSC … BEL or ST
          const end = oscEnd(raw, i + 2);
          if (end === -1) {
            this.#inOsc = true;
            this.#oscEsc = raw.charCodeAt(raw.length - 1) === 27 && raw.length > i + 2;
            break;
          }
          i = end;
          continue;
        }
        i += 2;
        continue;
      }
      if (c === 13) {
        col = 0;
        i++;
        continue;
      }
      if (c === 10) {
        row++;
        col = 0;
        ensureRow();
        i++;
        continue;
      }
      let j = i;
      while (j < raw.length) {
        const d = raw.charCodeAt(j);
        if (d === 27 || d === 13 || d === 10) break;
        j++;
      }
      write(raw.slice(i, j));
      i = j;
    }
    for (let r = low; r <= high && r < rows.length; r++) rows[r] = detach(rows[r] as string);
    if (this.#onFinal !== null && row > 2 * SCREEN_WINDOW) {
      const final = row - SCREEN_WINDOW;
      for (let r = 0; r < final; r++) this.#onFinal((rows[r] as string).trimEnd());
      rows.splice(0, final);
      row -= final;
    }
    this.#row = row;
    this.#col = col;
  }

  /**
   * The final screen (the rows not handed to `onFinal`). A control sequence the log ends inside changes
   * nothing, as on a terminal.
   */
  finish(): string {
    return this.#rows.map((r) => r.trimEnd()).join('\n');
  }
}
