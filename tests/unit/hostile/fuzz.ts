/**
 * Shared settings and checks for the hostile-input suite.
 *
 * Every property runs from one fixed seed (printed once per file), so a failure is reproducible: fast-check
 * prints the seed and the shrunk counterexample path. `CACHEWHY_FUZZ_RUNS=100000` multiplies the runs for
 * a long session; the default keeps the whole hostile suite near a minute on a 2-core machine.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { InputProblem } from '../../../src/core/model.ts';

export const FIXTURES = join(import.meta.dirname, '../../fixtures');

/** Fixed so a red run can be replayed; override with CACHEWHY_FUZZ_SEED to explore further. */
export const SEED = Number(process.env.CACHEWHY_FUZZ_SEED ?? 20261129);

/** Runs requested by CACHEWHY_FUZZ_RUNS (the long session), or null in the normal suite. */
export const LONG_RUNS: number | null = process.env.CACHEWHY_FUZZ_RUNS ? Math.max(1, Number(process.env.CACHEWHY_FUZZ_RUNS)) : null;
export const LONG = LONG_RUNS !== null;

/** `normal` runs in the normal suite; the long session runs `CACHEWHY_FUZZ_RUNS` (scaled down for slow targets). */
export function runs(normal: number, longShare = 1): number {
  return LONG_RUNS === null ? normal : Math.max(normal, Math.round(LONG_RUNS * longShare));
}

let announced = false;
/** fast-check parameters: our seed, our run count; a failure message carries the seed and the path. */
export function params(numRuns: number): fc.Parameters<unknown> {
  if (!announced) {
    announced = true;
    console.info(`hostile fuzz: seed ${SEED}, ${LONG ? `long run (CACHEWHY_FUZZ_RUNS=${LONG_RUNS})` : 'normal run'}`);
  }
  return { seed: SEED, numRuns, endOnFailure: true };
}

/**
 * A generous bound per input: any one call slower than this on a tiny input means a hang or catastrophic
 * regex backtracking, not a slow machine (every call here takes well under 50 ms when healthy).
 */
export const PER_INPUT_MS = 2_000;

/** Runs `fn`, fails when it takes longer than `limit` ms, returns its value. */
export function timed<T>(what: string, fn: () => T, limit = PER_INPUT_MS): T {
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  if (ms > limit) throw new Error(`${what} took ${ms.toFixed(0)} ms (bound ${limit} ms)`);
  return value;
}

export async function timedAsync<T>(what: string, fn: () => Promise<T>, limit = PER_INPUT_MS): Promise<T> {
  const start = performance.now();
  const value = await fn();
  const ms = performance.now() - start;
  if (ms > limit) throw new Error(`${what} took ${ms.toFixed(0)} ms (bound ${limit} ms)`);
  return value;
}

/** A problem a person can act on: it names the input and says what is wrong in words. */
export function expectHumanProblem(problem: InputProblem, input: string): void {
  expect(problem.input).toBe(input);
  expect(problem.message.trim().length).toBeGreaterThan(10);
  expect(problem.message).not.toMatch(/\bundefined\b|\[object Object\]|\bNaN\b|TypeError|RangeError|at .*\.ts:\d+/);
  if (problem.hint !== undefined) expect(problem.hint.trim()).not.toBe('');
  // The readers turn their own exceptions into a problem "please report it": for a user that is a clean
  // message, for this suite it is a crash that was caught, so it fails here.
  expect(`${problem.message} ${problem.hint ?? ''}`).not.toMatch(INTERNAL);
}

/** How the readers word an exception of their own that they caught. */
export const INTERNAL = /bug in cachewhy|as a cachewhy bug|could not read this Dockerfile \(|internal error/i;

/** Every fixture file under tests/fixtures whose relative path matches. */
export function fixtureFiles(match: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (match.test(relative(FIXTURES, path))) out.push(path);
    }
  };
  walk(FIXTURES);
  return out;
}

export const readText = (path: string): string => readFileSync(path, 'utf8');

// ---------------------------------------------------------------------------------------------
// Mutations of real inputs: how files really get damaged (cut, spliced, re-encoded, decorated).
// ---------------------------------------------------------------------------------------------

/** Junk an attacker or a broken pipe puts in a text: ANSI, CR, NUL, BOM, RTL override, odd unicode. */
const JUNK = [
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[2K\r',
  '\r\n',
  '\r',
  '\0',
  '\ufeff',
  '\u202e',
  '\ud800',
  '\uffff',
  '\t',
  '#',
  '#1 ',
  '=> ',
  '[+] ',
  '{',
  '}',
  '"',
  '\\',
  '\x1b]8;;http://x\x07',
  '…',
];

export type TextMutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; junk: string }
  | { kind: 'splice'; at: number; from: number; lines: number; donor: number }
  | { kind: 'duplicate'; at: number; lines: number }
  | { kind: 'delete'; at: number; lines: number }
  | { kind: 'crlf' }
  | { kind: 'swapDigits'; at: number; digit: string }
  | { kind: 'flip'; at: number; code: number };

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    junk: fc.oneof(fc.constantFrom(...JUNK), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 20 })),
  }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), lines: fc.integer({ min: 1, max: 30 }), donor: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), lines: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), lines: fc.integer({ min: 1, max: 20 }) }),
  fc.record({ kind: fc.constant('crlf' as const) }),
  fc.record({ kind: fc.constant('swapDigits' as const), at: fc.nat(), digit: fc.constantFrom('0', '1', '9', '99999999999999999999', '-1', '') }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
);

/** Applies mutations in order; `donors` are other texts to splice lines from (other formats). */
export function mutateText(text: string, mutations: TextMutation[], donors: string[]): string {
  let out = text;
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.kind === 'crlf' ? 0 : m.at % (out.length + 1);
    switch (m.kind) {
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert':
        out = out.slice(0, at) + m.junk + out.slice(at);
        break;
      case 'flip':
        out = out.slice(0, at) + String.fromCharCode(m.code) + out.slice(at + 1);
        break;
      case 'crlf':
        out = out.replace(/\n/g, '\r\n');
        break;
      case 'swapDigits': {
        // Replace the first run of digits after `at` (vertex numbers, step indexes, sizes, durations).
        const rest = out.slice(at).replace(/\d+/, m.digit);
        out = out.slice(0, at) + rest;
        break;
      }
      default: {
        const lines = out.split('\n');
        const line = m.at % (lines.length + 1);
        if (m.kind === 'duplicate') lines.splice(line, 0, ...lines.slice(line, line + m.lines));
        else if (m.kind === 'delete') lines.splice(line, m.lines);
        else if (donors.length > 0) {
          const donor = donors[m.donor % donors.length]!.split('\n');
          const from = m.from % (donor.length + 1);
          lines.splice(line, 0, ...donor.slice(from, from + m.lines));
        }
        out = lines.join('\n');
      }
    }
  }
  return out;
}

export type ByteMutation =
  | { kind: 'cut'; at: number }
  | { kind: 'flip'; at: number; value: number; inHeader: boolean }
  | { kind: 'fill'; at: number; length: number; value: number }
  | { kind: 'size'; entry: number; digits: string }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

export const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), inHeader: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 1024 }),
      value: fc.constantFrom(0, 0x20, 0x30, 0x37, 0xff),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('size' as const),
      entry: fc.nat(),
      digits: fc.constantFrom(
        '77777777777',
        '00000000000',
        '1',
        '7777',
        '\x80\0\0\0\0\0\0\0\xff\xff\xff',
        '\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff',
        'zz',
        '-1',
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 700 }) }) },
);

/**
 * Applies byte mutations to a tar. `inHeader` flips land in a 512-byte header block (where they matter
 * most: checksums, sizes, type flags); `size` rewrites the size field of the n-th header in octal or
 * base-256 and fixes the checksum, so the damage gets past the checksum test.
 */
export function mutateBytes(bytes: Uint8Array, mutations: ByteMutation[]): Uint8Array {
  let out = bytes.slice();
  const headers = headerOffsets(out);
  for (const m of mutations) {
    const at = out.length === 0 ? 0 : m.kind === 'size' ? 0 : m.at % out.length;
    switch (m.kind) {
      case 'cut':
        out = out.slice(0, out.length === 0 ? 0 : m.at % (out.length + 1));
        break;
      case 'flip': {
        if (out.length === 0) break;
        const h = headers.length > 0 && m.inHeader ? headers[m.at % headers.length]! + (m.at % 512) : at;
        if (h < out.length) out[h] = m.value;
        break;
      }
      case 'fill':
        out.fill(m.value, at, Math.min(out.length, at + m.length));
        break;
      case 'insert': {
        const next = new Uint8Array(out.length + m.bytes.length);
        next.set(out.subarray(0, at));
        next.set(m.bytes, at);
        next.set(out.subarray(at), at + m.bytes.length);
        out = next;
        break;
      }
      case 'size': {
        if (headers.length === 0) break;
        const h = headers[m.entry % headers.length]!;
        if (h + 512 > out.length) break;
        for (let i = 0; i < 12; i++) out[h + 124 + i] = i < m.digits.length ? m.digits.charCodeAt(i) & 0xff : 0;
        fixChecksum(out, h);
        break;
      }
    }
  }
  return out;
}

/** Offsets of the header blocks of a well-formed tar (walks sizes; stops at the end blocks). */
export function headerOffsets(tar: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at + 512 <= tar.length) {
    if (tar.subarray(at, at + 512).every((b) => b === 0)) break;
    out.push(at);
    const sizeText = new TextDecoder().decode(tar.subarray(at + 124, at + 136)).replace(/[\0 ]/g, '');
    const size = /^[0-7]+$/.test(sizeText) ? parseInt(sizeText, 8) : 0;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

export function fixChecksum(tar: Uint8Array, at: number): void {
  tar.fill(0x20, at + 148, at + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += tar[at + i]!;
  const text = sum.toString(8).padStart(6, '0') + '\0 ';
  for (let i = 0; i < 8; i++) tar[at + 148 + i] = text.charCodeAt(i);
}

/** Pathological lines that make backtracking regexes explode. */
export function pathologicalTexts(): { name: string; text: string }[] {
  const mb = 1024 * 1024;
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  return [
    { name: '100k # characters', text: '#'.repeat(100_000) },
    { name: '100k "#1 " repeats', text: '#1 '.repeat(100_000) },
    { name: 'a 1 MB single line of letters', text: 'a'.repeat(mb) },
    { name: 'a 1 MB line of spaces then x', text: ' '.repeat(mb) + 'x' },
    { name: 'a 1 MB line of tabs and digits', text: '\t1'.repeat(mb / 2) },
    { name: '100k "=> [" prefixes', text: '=> ['.repeat(100_000) },
    { name: '50k step brackets', text: '#1 [stage-0 ' + '1/'.repeat(50_000) },
    { name: 'deeply nested JSON arrays (rawjson)', text: nested(200_000) },
    { name: 'deeply nested JSON objects (rawjson)', text: '{"vertexes":'.repeat(50_000) + '1' + '}'.repeat(50_000) },
    { name: 'an open JSON string of 1 MB', text: '{"vertexes":[{"name":"' + 'x'.repeat(mb) },
    { name: '100k lines of "Step 1/1 :"', text: 'Step 1/1 : RUN x\n'.repeat(100_000) },
    { name: '100k ANSI escapes on one line', text: '\x1b[1;31m'.repeat(100_000) + '#1 [1/2] RUN x' },
    { name: 'a 1 MB backslash continuation', text: 'RUN a \\\n'.repeat(mb / 8) },
    { name: '100k quotes', text: '"\''.repeat(100_000) },
    { name: 'a 1 MB ${ nesting', text: 'FROM ${'.repeat(50_000) + 'x' + '}'.repeat(50_000) },
    { name: '200k CRs', text: '\r'.repeat(200_000) + '#1 DONE 0.1s' },
    { name: '100k timestamps', text: '2024-01-01T00:00:00.0000000Z '.repeat(40_000) + '#1 DONE' },
    { name: '50k ** globs', text: '**/'.repeat(50_000) + 'x' },
    { name: 'a 1 MB URL with user:pass', text: 'http://' + 'u'.repeat(mb / 2) + ':' + 'p'.repeat(mb / 2) + 'x' },
    { name: '100k "--build-arg "', text: 'docker build ' + '--build-arg '.repeat(100_000) },
  ];
}
