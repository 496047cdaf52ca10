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
    const c: Cursor = { rows: this.#rows, row: this.#row, col: this.#col, low: Number.POSITIVE_INFINITY, high: -1 };
    let i = this.#inOsc ? this.#skipOscRest(raw) : 0;
    while (i < raw.length) {
      const code = raw.charCodeAt(i);
      if (code === 27 /* ESC */) {
        const next = this.#escape(c, raw, i);
        if (next === -1) break;
        i = next;
      } else if (code === 13) {
        c.col = 0;
        i++;
      } else if (code === 10) {
        c.row++;
        c.col = 0;
        ensureRow(c);
        i++;
      } else {
        let j = i;
        while (j < raw.length) {
          const d = raw.charCodeAt(j);
          if (d === 27 || d === 13 || d === 10) break;
          j++;
        }
        writeText(c, raw.slice(i, j));
        i = j;
      }
    }
    // Rows changed by this piece are detached from it (see `detach`).
    for (let r = c.low; r <= c.high && r < c.rows.length; r++) c.rows[r] = detach(c.rows[r] as string);
    if (this.#onFinal !== null && c.row > 2 * SCREEN_WINDOW) {
      const final = c.row - SCREEN_WINDOW;
      for (let r = 0; r < final; r++) this.#onFinal((c.rows[r] as string).trimEnd());
      c.rows.splice(0, final);
      c.row -= final;
    }
    this.#row = c.row;
    this.#col = c.col;
  }

  /** The rest of an OSC sequence the last piece ended inside: where the text after it starts. */
  #skipOscRest(raw: string): number {
    const end = this.#oscEsc && raw.charCodeAt(0) === 92 /* \ */ ? 1 : oscEnd(raw, 0);
    this.#inOsc = end === -1;
    this.#oscEsc = end === -1 && raw.charCodeAt(raw.length - 1) === 27;
    return end === -1 ? raw.length : end;
  }

  /** The escape sequence at `i`: where the text after it starts, or -1 when the piece ends inside it. */
  #escape(c: Cursor, raw: string, i: number): number {
    if (i + 1 === raw.length) {
      this.#carry = raw.slice(i);
      return -1;
    }
    const kind = raw.charCodeAt(i + 1);
    if (kind === 91 /* [ */) {
      let j = i + 2;
      while (j < raw.length && /[0-9;?<=>]/.test(raw.charAt(j))) j++;
      if (j === raw.length) {
        this.#carry = raw.slice(i);
        return -1;
      }
      const params = raw.slice(i + 2, j).replace(/^\?/, '');
      // Colours (m), cursor visibility (h/l) and the rest change nothing we read.
      CSI_HANDLERS[raw.charAt(j)]?.(c, Number.parseInt(params.split(';')[0] || '', 10));
      return j + 1;
    }
    if (kind === 93 /* ] */) {
      // OSC … BEL or ST
      const end = oscEnd(raw, i + 2);
      if (end === -1) {
        this.#inOsc = true;
        this.#oscEsc = raw.charCodeAt(raw.length - 1) === 27 && raw.length > i + 2;
      }
      return end;
    }
    return i + 2;
  }

  /**
   * The final screen (the rows not handed to `onFinal`). A control sequence the log ends inside changes
   * nothing, as on a terminal.
   */
  finish(): string {
    return this.#rows.map((r) => r.trimEnd()).join('\n');
  }
}

/** The screen's cursor while a piece is written, and the range of rows the piece changed. */
interface Cursor {
  rows: string[];
  row: number;
  col: number;
  low: number;
  high: number;
}

function touch(c: Cursor): void {
  if (c.row < c.low) c.low = c.row;
  if (c.row > c.high) c.high = c.row;
}

function ensureRow(c: Cursor): void {
  while (c.rows.length <= c.row) c.rows.push('');
}

function writeText(c: Cursor, chunk: string): void {
  touch(c);
  ensureRow(c);
  const current = c.rows[c.row] as string;
  if (c.col === current.length) {
    // Appending, the usual case: no copy of the row.
    c.rows[c.row] = current + chunk;
    c.col += chunk.length;
    return;
  }
  const padded = current.length < c.col ? current + ' '.repeat(c.col - current.length) : current;
  c.rows[c.row] = padded.slice(0, c.col) + chunk + padded.slice(c.col + chunk.length);
  c.col += chunk.length;
}

/** A count parameter: absent or 0 means 1. */
const countOf = (n: number): number => (Number.isNaN(n) || n === 0 ? 1 : n);

/** The CSI sequences the tty display uses, by final character; `n` is the first parameter (NaN when absent). */
const CSI_HANDLERS: Record<string, (c: Cursor, n: number) => void> = {
  A(c, n) {
    c.row = Math.max(0, c.row - countOf(n));
  },
  B(c, n) {
    // A terminal's cursor stops at the last line; it never creates lines by moving down.
    c.row = Math.min(c.row + countOf(n), c.rows.length - 1);
  },
  C(c, n) {
    c.col = Math.min(c.col + countOf(n), MAX_COLUMN);
  },
  D(c, n) {
    c.col = Math.max(0, c.col - countOf(n));
  },
  G(c, n) {
    c.col = Math.min(MAX_COLUMN, Math.max(0, (Number.isNaN(n) ? 1 : n) - 1));
  },
  /** Erase in line: to its end (0), from its start (1), all of it (2). */
  K(c, n) {
    touch(c);
    ensureRow(c);
    const mode = Number.isNaN(n) ? 0 : n;
    const current = c.rows[c.row] as string;
    c.rows[c.row] = mode === 0 ? current.slice(0, c.col) : mode === 1 ? ' '.repeat(c.col) + current.slice(c.col) : '';
  },
  /** Erase in display: only "from the cursor down" (0) changes what the final screen shows. */
  J(c, n) {
    if ((Number.isNaN(n) ? 0 : n) !== 0) return;
    touch(c);
    ensureRow(c);
    c.rows[c.row] = (c.rows[c.row] as string).slice(0, c.col);
    c.rows.length = c.row + 1;
  },
};
