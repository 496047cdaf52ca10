/**
 * Property: for any set of entries (odd names, every type, any size) written in any of the supported
 * header styles and fed in any chunking, the reader returns exactly what was written.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TarParser, type TarEntry } from '../../../src/core/context/tar.ts';
import { writeTar, type TarSpec } from './helpers.ts';

const segment = fc.stringMatching(/^[a-zA-Z0-9 _=.é€-]{1,40}$/).filter((s) => s !== '.' && s !== '..' && !s.startsWith('./'));
const pathArb = fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('/'));

const entryArb = fc.record({
  path: pathArb,
  kind: fc.constantFrom('file', 'dir', 'symlink'),
  mode: fc.integer({ min: 0, max: 0o7777 }),
  size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 511, max: 1025 })),
  style: fc.constantFrom('plain', 'pax', 'gnu', 'ustar-split'),
  target: pathArb,
});

function parse(bytes: Uint8Array, sizes: number[]): (TarEntry & { sha: string })[] {
  const out: (TarEntry & { sha: string })[] = [];
  let hash = createHash('sha256');
  let current: TarEntry | null = null;
  const parser = new TarParser({
    entry: (e) => {
      current = e;
      hash = createHash('sha256');
    },
    data: (d) => void hash.update(d),
    end: () => void out.push({ ...current!, sha: hash.digest('hex') }),
  });
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    expect(parser.push(bytes.subarray(at, at + size))).toBeNull();
    at += size;
  }
  expect(parser.finish()).toBeNull();
  return out;
}

describe('tar reader property', () => {
  it('returns what was written, whatever the header style and the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 8 }),
        (entries, sizes) => {
          const specs: TarSpec[] = entries.map((e, i) => {
            const name = `${i}/${e.path}`; // unique
            const flag = e.kind === 'file' ? '0' : e.kind === 'dir' ? '5' : '2';
            const data = e.kind === 'file' ? new Uint8Array(e.size).map((_, j) => (j * 7 + i) % 256) : undefined;
            const base: TarSpec = { name, flag, mode: e.mode, data, linkname: e.kind === 'symlink' ? e.target : undefined };
            const bytesOf = (s: string) => new TextEncoder().encode(s).length;
            const needsLong = bytesOf(name) > 99 || bytesOf(e.target) > 99;
            if (e.style === 'pax' || (needsLong && e.style !== 'gnu')) {
              return { ...base, name: 'x', pax: { path: name, ...(e.kind === 'symlink' ? { linkpath: e.target } : {}) } };
            }
            if (e.style === 'gnu' || needsLong) return { ...base, gnuLong: true };
            if (e.style === 'ustar-split' && name.includes('/') && name.lastIndexOf('/', name.length - 2) > 0) return { ...base, ustarSplit: true };
            return base;
          });
          const got = parse(writeTar(specs), sizes);
          expect(got.map((g) => [g.path, g.type, g.mode, g.size, g.linkname])).toEqual(
            entries.map((e, i) => [`${i}/${e.path}`, e.kind, e.mode, e.kind === 'file' ? e.size : 0, e.kind === 'symlink' ? e.target : '']),
          );
          got.forEach((g, i) => {
            const e = entries[i]!;
            const data = e.kind === 'file' ? new Uint8Array(e.size).map((_, j) => (j * 7 + i) % 256) : new Uint8Array(0);
            expect(g.sha).toBe(createHash('sha256').update(data).digest('hex'));
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
