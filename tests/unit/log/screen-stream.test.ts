/**
 * The screen model fed in pieces cut anywhere (inside CSI and OSC sequences, between ESC and `\`) shows
 * what it shows when fed the whole text at once: on the raw tty fixtures and on sequences made to be cut;
 * and a long screen handing over its final rows gives the same text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCREEN_WINDOW, ScreenRenderer } from '../../../src/core/log/screen.ts';
import { FIXTURES } from './truth.ts';

function render(pieces: string[]): string {
  const screen = new ScreenRenderer();
  for (const piece of pieces) screen.write(piece);
  return screen.finish();
}

function cutAnywhere(text: string, seed: number, max: number): string[] {
  let s = seed;
  const out: string[] = [];
  for (let at = 0; at < text.length;) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const size = 1 + (s % max);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

const hostile = [
  'one\x1b[2Atwo\x1b]0;a title\x07three\n',
  'a\x1b]8;;https://example.org/\x1b\\link\x1b]8;;\x1b\\ b\x1b[K\n',
  'x\x1b]0;title with ESC \x1b inside\x1b\\y\x1b[3G!\n',
  '=> [1/2] FROM a\r=> [2/2] RUN b\x1b[1A\x1b[2K=> CACHED [1/2] FROM a\n\x1b[J',
  'unterminated \x1b]0;title that never ends',
  'lone escape at the end \x1b',
  'csi cut \x1b[12',
].join('');

describe('the screen read in pieces', () => {
  it.each([['lab/tty-copy-file-content/b.tty.raw'], ['lab/failed-build/b-tty.tty.raw']])('%s', (name) => {
    const raw = readFileSync(join(FIXTURES, name), 'utf8');
    const whole = render([raw]);
    expect(whole).toContain('=> ');
    for (const seed of [1, 2, 3]) expect(render(cutAnywhere(raw, seed, 50))).toBe(whole);
  });

  it('control sequences cut between pieces', () => {
    const whole = render([hostile]);
    expect(whole).toContain('three');
    expect(whole).not.toContain('title');
    for (let seed = 1; seed <= 200; seed++) expect(render(cutAnywhere(hostile, seed, 5))).toBe(whole);
    // Every single cut point, one at a time.
    for (let at = 0; at <= hostile.length; at++) expect(render([hostile.slice(0, at), hostile.slice(at)])).toBe(whole);
  });
});

describe('a long screen hands over its final rows', () => {
  // 30,000 rows scroll by, each frame redrawn in place (cursor up, erase, rewrite): the rows far above
  // the cursor are handed over as they become final, and the text is the one the whole screen gives.
  const frames: string[] = [];
  for (let n = 0; n < 30_000; n++) {
    frames.push(`output line ${n} é€😀\n`);
    if (n % 50 === 0) frames.push(`\x1b[3A\x1b[2K => [${n}/30000] RUN step ${n}   0.${n % 10}s\n\x1b[2B`);
  }
  const raw = frames.join('');

  it('the same text, and only a window kept', () => {
    const whole = render([raw]);
    const final: string[] = [];
    const screen = new ScreenRenderer((row) => final.push(row));
    for (const piece of cutAnywhere(raw, 7, 70_000)) screen.write(piece);
    const rest = screen.finish();
    expect(final.length).toBeGreaterThan(10_000);
    expect(rest.split('\n').length).toBeLessThanOrEqual(2 * SCREEN_WINDOW + 1);
    expect(`${final.join('\n')}\n${rest}`).toBe(whole);
  });
});
