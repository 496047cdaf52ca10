/**
 * Replays raw terminal output on an unbounded screen and returns what it shows at the end.
 *
 * BuildKit's tty display redraws its block in place: it moves the cursor up over the previous frame
 * (`ESC[nA`), rewrites each line, and the last frame is what the user saw. Only the handful of controls
 * that display uses are modelled (cursor up/down/column, CR, LF, erase); colours and cursor visibility
 * are dropped. A terminal-emulator library would be far bigger than this need.
 */

const CURSOR_MOVE_RE = /\x1b\[\d*[ABH]/;
/** Wider than any terminal; bounds what a hostile `ESC[99999999G` can make us allocate. */
const MAX_COLUMN = 4096;

export function hasCursorMovement(text: string): boolean {
  return CURSOR_MOVE_RE.test(text.slice(0, 200_000));
}

export function renderScreen(raw: string): string {
  const rows: string[] = [''];
  let row = 0;
  let col = 0;
  const ensureRow = (): void => {
    while (rows.length <= row) rows.push('');
  };
  const write = (chunk: string): void => {
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
  let i = 0;
  while (i < raw.length) {
    const c = raw.charCodeAt(i);
    if (c === 27 /* ESC */) {
      if (raw.charCodeAt(i + 1) === 91 /* [ */) {
        let j = i + 2;
        while (j < raw.length && /[0-9;?<=>]/.test(raw.charAt(j))) j++;
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
            ensureRow();
            const mode = Number.isNaN(n) ? 0 : n;
            const current = rows[row] as string;
            rows[row] = mode === 0 ? current.slice(0, col) : mode === 1 ? ' '.repeat(col) + current.slice(col) : '';
            break;
          }
          case 'J': {
            const mode = Number.isNaN(n) ? 0 : n;
            if (mode === 0) {
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
        let j = i + 2;
        while (j < raw.length && raw.charCodeAt(j) !== 7 && !(raw.charCodeAt(j) === 27 && raw.charAt(j + 1) === '\\')) j++;
        i = raw.charCodeAt(j) === 7 ? j + 1 : j + 2;
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
  return rows.map((r) => r.trimEnd()).join('\n');
}
