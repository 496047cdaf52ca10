/**
 * `readLogStream` gives exactly what `readLog` gives on the joined text: on every text file of the
 * fixtures (logs, and the non-logs that must be refused the same way), as LF and as CRLF, cut into byte
 * pieces at random points (inside multi-byte UTF-8 characters and between CR and LF), and on logs past
 * the 1 MB head, where the stream's head buffering and block cutting really run. The build commands found
 * through `CommandLines` must equal those `findBuildCommands` finds in the whole text.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBuildCommands } from '../../../src/core/ingest/command.ts';
import { CommandLines, readLog, readLogBuilds, readLogStream } from '../../../src/core/log/index.ts';
import { FIXTURES } from './truth.ts';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` cut at random points, pieces of 1 to `max` bytes. */
function* pieces(bytes: Uint8Array, max: number, rand: () => number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(rand() * max);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

async function* asAsync<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function textFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...textFiles(path));
    else if (!/\.(?:tar|gz|tgz|wasm)$/.test(entry)) out.push(path);
  }
  return out.sort();
}

const files = textFiles(FIXTURES);
const encoder = new TextEncoder();

async function expectSameRead(bytes: Uint8Array, name: string, seed: number, maxPiece: number): Promise<void> {
  const text = new TextDecoder().decode(bytes);
  const whole = readLogBuilds(text, name);
  const lines = new CommandLines();
  const streamed = await readLogStream(asAsync(pieces(bytes, maxPiece, random(seed))), name, { onText: (p) => lines.write(p) });
  expect(streamed).toEqual(whole);
  expect(findBuildCommands(lines.text())).toEqual(findBuildCommands(text));
}

describe('a log read as a stream reads as the whole text', () => {
  it('finds the fixtures', () => {
    expect(files.filter((f) => f.endsWith('.log')).length).toBeGreaterThan(100);
  });

  it.each(files.map((f, i) => [f.slice(FIXTURES.length + 1), f, i] as const))('%s', async (_name, path, i) => {
    const bytes = new Uint8Array(readFileSync(path));
    const name = path.slice(FIXTURES.length + 1);
    await expectSameRead(bytes, name, 1000 + i, 97);
    await expectSameRead(bytes, name, 2000 + i, 9000);
    // CRLF line ends, cut anywhere (often between the CR and the LF).
    const crlf = encoder.encode(new TextDecoder().decode(bytes).replace(/\r?\n/g, '\r\n'));
    await expectSameRead(crlf, name, 3000 + i, 13);
  });
});

/**
 * About `bytes` of lines in `format` that all end up in the result (a record each), so a line lost, cut
 * or doubled at a block boundary changes it. Non-ASCII on every line: pieces cut inside characters.
 */
function filler(format: 'plain' | 'tty' | 'legacy' | 'rawjson', bytes: number): string {
  const out: string[] = [];
  for (let n = 0, size = 0; size < bytes; n++) {
    const line =
      format === 'plain'
        ? `#${1000 + n} [internal] load extra ${n} é€😀\n#${1000 + n} transferring context: ${n}B done\n#${1000 + n} DONE 0.${n % 10}s\n`
        : format === 'tty'
          ? ` => [internal] load extra ${n} é€😀${' '.repeat(n % 7)}   0.${n % 10}s\n`
          : format === 'legacy'
            ? `Step ${n + 1000}/99999 : RUN echo ${n} é€😀\n ---> Running in ${(n % 4096).toString(16).padStart(12, '0')}\nout ${n}\n ---> ${(n + 1).toString(16).padStart(12, 'a')}\n`
            : `{"vertexes":[{"digest":"sha256:${String(n).padStart(64, '0')}","name":"extra ${n} é€😀","started":"2026-11-29T10:00:00Z","completed":"2026-11-29T10:00:0${n % 10}Z"}]}\n`;
    out.push(line);
    size += line.length;
  }
  return out.join('');
}

describe('past the 1 MB head: the head is held, then read in blocks', () => {
  // One log of each reader, made bigger than the head three ways: the whole log repeated (a second build
  // the readers stop at), numbered copies of one of its middle lines inserted there, and lines that each
  // add a record.
  const samples = [
    ['lab/seed-replica/b.log', 'plain'],
    ['lab/seed-replica/b.jenkins.log', 'plain'],
    ['lab/seed-replica/b.iso.log', 'plain'],
    ['lab/copy-file-content/legacy-b.log', 'legacy'],
    ['lab/tty-copy-file-content/b.tty.raw', 'tty'],
    ['lab/failed-build/b-tty.tty.raw', 'tty'],
    ['lab/failed-build/b-tty.log', 'tty'],
    ['lab-modern/copy-file-content/b.rawjson.log', 'rawjson'],
    ['lab-modern/failed-build/b.rawjson.log', 'rawjson'],
    ['seed/forum-post.txt', 'plain'],
  ] as const;

  const size = 1.2 * 1024 * 1024;
  it.each(samples.map(([s, format], i) => [s, format, i] as const))('%s', async (name, format, i) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const repeated = text.repeat(Math.ceil(size / text.length));
    await expectSameRead(encoder.encode(repeated), name, 4000 + i, 70_000);
    // Numbered copies of a middle line: for an output line, the step's last lines are the last copies.
    const lines = text.split('\n');
    const middle = Math.floor(lines.length / 2);
    const copies: string[] = [];
    for (let n = 0, length = 0; length < size; n++) {
      copies.push(`${lines[middle] ?? ''} ${n} é€😀`);
      length += (lines[middle]?.length ?? 0) + 12;
    }
    const padded = [...lines.slice(0, middle), ...copies, ...lines.slice(middle)].join('\n');
    await expectSameRead(encoder.encode(i === 0 ? padded.replace(/\n/g, '\r\n') : padded), name, 5000 + i, 70_000);
    // Decoration as the log's own lines have it (a Jenkins or ISO stamp), so the filler is read like them.
    const stamp = /^(?:\d\d:\d\d:\d\d |\d{4}-\d\d-\d\dT[\d:.]+Z )/.exec(lines[middle] ?? '')?.[0] ?? '';
    const extra = filler(format, size).replace(/^(?=.)/gm, stamp);
    // (After the end where the middle may be inside an object or before a lower step number.)
    const grown =
      format === 'rawjson' || format === 'legacy'
        ? `${text}\n${extra}`
        : [...lines.slice(0, middle), extra + (lines[middle] ?? ''), ...lines.slice(middle + 1)].join('\n');
    const whole = readLog(grown, name);
    if (whole.ok) expect(whole.value.steps.length + whole.value.internal.length).toBeGreaterThan(1000);
    await expectSameRead(encoder.encode(grown), name, 7000 + i, 65_536);
  });
});

describe('a head that takes more than 1 MB to decide', () => {
  // CI logs open with checkout and install output: the format is decided only once build lines show up,
  // here 1.5 MB into the log, so the stream holds its head longer (and tries again at twice the size).
  const preamble = Array.from({ length: 30_000 }, (_, i) => `npm WARN deprecated package-${i}@1.0.${i % 10}: no longer supported — é`).join('\n');
  it.each([
    ['lab/seed-replica/b.log', ''],
    ['lab/seed-replica/b.log', '12:00:00 '],
    ['lab/copy-file-content/legacy-b.log', ''],
    ['lab-modern/copy-file-content/b.rawjson.log', ''],
  ])('%s after a preamble (prefix "%s")', async (name, prefix) => {
    const text = readFileSync(join(FIXTURES, name), 'utf8');
    const log = `${preamble}\n${text}`.replace(/^/gm, prefix);
    expect(log.length).toBeGreaterThan(1.5 * 1024 * 1024);
    await expectSameRead(encoder.encode(log), name, 8000, 65_536);
  });
});

describe('CommandLines keeps what findBuildCommands needs', () => {
  // A GitHub Actions step (the `Run` header, the indented script, the `+` trace: one command), the same
  // command again after build output (counted again), a continued command cut across pieces, a CRLF log.
  const log = [
    '2026-11-29T10:00:00.0000000Z ##[group]Run docker build --build-arg A=1 -t app .',
    '  docker build --build-arg A=1 -t app .',
    '  shell: /usr/bin/bash -e {0}',
    '##[endgroup]',
    '+ docker build --build-arg A=1 -t app .',
    '#1 [internal] load build definition from Dockerfile',
    '#1 DONE 0.0s',
    '   => indented tty output',
    '+ docker build --build-arg A=1 -t app .',
    '  continued output that is not a command',
    '+ docker buildx build \\',
    '    --build-arg B=2 \\',
    '    --target final .',
    'x\tdocker build --no-cache .\texit=0',
    'Successfully built 0123456789ab',
    '',
  ].join('\n');

  it.each([
    ['LF', log],
    ['CRLF', log.replace(/\n/g, '\r\n')],
    ['no final line end', log.trimEnd() + ' \\'],
  ])('%s, cut anywhere', (_n, text) => {
    const expected = findBuildCommands(text);
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const rand = random(42);
    for (let round = 0; round < 50; round++) {
      const lines = new CommandLines();
      for (let at = 0; at < text.length;) {
        const size = 1 + Math.floor(rand() * 40);
        lines.write(text.slice(at, at + size));
        at += size;
      }
      expect(findBuildCommands(lines.text())).toEqual(expected);
    }
  });
});
