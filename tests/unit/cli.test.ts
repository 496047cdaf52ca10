import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) }, out, err };
}

describe('cli', () => {
  it('prints usage and exits 2 when given no file', async () => {
    const c = capture();
    expect(await main([], c.io)).toBe(2);
    expect(c.out.join('')).toContain('usage: cachewhy');
  });
});
