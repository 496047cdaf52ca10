/**
 * `readLogStream` on a big stream and on broken ones. The big log (64 MB; 300 MB with CACHEWHY_FUZZ_RUNS)
 * is the seed replica's build with one RUN step printing millions of lines, generated piece by piece so
 * the whole text never exists: what the trace keeps must stay the size of the report, not of the log.
 * Broken streams (empty, binary, failing midway, not bytes) give a problem naming the input, never a throw.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sortInputs } from '../../../src/cli/inputs.ts';
import { readLogInput } from '../../../src/core/analyze.ts';
import { firstBuild, readLog, readLogStream } from '../../../src/core/log/index.ts';
import { FIXTURES, LONG } from './fuzz.ts';

const MB = 1024 * 1024;
const encoder = new TextEncoder();

/**
 * The seed replica's `b.log` with `mb` MB of output lines inserted under its first RUN step (which ran:
 * the build missed at step 2), yielded as byte pieces of about 64 KB (a file stream's size).
 */
async function* grownLog(mb: number): AsyncGenerator<Uint8Array> {
  const lines = readFileSync(join(FIXTURES, 'lab/seed-replica/b.log'), 'utf8').split('\n');
  const header = lines.findIndex((l) => /^#\d+ \[ ?\d+\/\d+\] RUN /.test(l));
  const n = /^#(\d+) /.exec(lines[header]!)![1];
  const at = header + 2; // after the header and its `#N sha256:` line
  yield encoder.encode(lines.slice(0, at).join('\n') + '\n');
  let piece: string[] = [];
  let pieceSize = 0;
  for (let i = 0, size = 0; size < mb * MB; i++) {
    const line = `#${n} ${(i / 1000).toFixed(3)} compiling module ${i} of a long build — ${'é'.repeat(i % 5)}${'x'.repeat(i % 60)}\n`;
    piece.push(line);
    pieceSize += line.length;
    size += line.length;
    if (pieceSize >= 64 * 1024) {
      yield encoder.encode(piece.join(''));
      piece = [];
      pieceSize = 0;
    }
  }
  yield encoder.encode(piece.join('') + lines.slice(at).join('\n'));
}

describe('a big log streamed', () => {
  const mb = LONG ? 300 : 64;
  it(`${mb} MB: the trace keeps the steps and the last output lines, not the output`, async () => {
    const small = readLog(readFileSync(join(FIXTURES, 'lab/seed-replica/b.log'), 'utf8'), 'b.log');
    const start = performance.now();
    const result = firstBuild(await readLogStream(grownLog(mb), 'big.log'), 'big.log');
    const seconds = (performance.now() - start) / 1000;
    console.info(`${mb} MB log streamed: ${seconds.toFixed(1)} s`);
    expect(result.ok).toBe(true);
    if (!result.ok || !small.ok) return;
    const trace = result.value;
    // The same build: the same steps with the same statuses.
    expect(trace.steps.map((s) => `${s.label} ${s.status}`)).toEqual(small.value.steps.map((s) => `${s.label} ${s.status}`));
    const grown = trace.steps.find((s) => s.output?.some((l) => l.startsWith('compiling module')));
    expect(grown).toBeDefined();
    // The last lines the step printed, bounded, whatever the log's size.
    expect(grown!.output!.length).toBeLessThanOrEqual(20);
    expect(grown!.output!.at(-1)).toMatch(/^compiling module \d{6,} of a long build/);
    // Everything the trace holds, as JSON, is the size of a report.
    expect(JSON.stringify(trace).length).toBeLessThan(256 * 1024);
  }, 300_000);
});

async function* pieces(...items: (Uint8Array | string)[]): AsyncGenerator<Uint8Array | string> {
  for (const item of items) yield item;
}

describe('broken streams give a problem naming the input', () => {
  it('an empty stream', async () => {
    const result = firstBuild(await readLogStream(pieces(), 'empty.log'), 'empty.log');
    expect(result).toMatchObject({ ok: false, problem: { input: 'empty.log', message: 'empty.log is empty.' } });
  });

  it('a stream of blank lines and a BOM', async () => {
    const result = firstBuild(await readLogStream(pieces(new Uint8Array([0xef, 0xbb]), new Uint8Array([0xbf, 10, 32, 13, 10])), 'blank.log'), 'blank.log');
    expect(result).toMatchObject({ ok: false, problem: { message: 'blank.log is empty.' } });
  });

  it('a binary stream', async () => {
    const bytes = new Uint8Array(3 * MB).map((_, i) => (i * 7919) % 256);
    const result = firstBuild(await readLogStream(pieces(bytes.subarray(0, MB), bytes.subarray(MB)), 'image.png'), 'image.png');
    expect(result).toMatchObject({ ok: false, problem: { message: 'image.png looks like binary data, not a build log.' } });
  });

  it('a text that is no build log', async () => {
    const result = firstBuild(await readLogStream(pieces('hello\n', 'world\n'), 'notes.txt'), 'notes.txt');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/^notes\.txt does not look like a Docker build log/);
  });

  it('a stream that fails midway', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield encoder.encode('#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n');
      throw new Error('EIO: i/o error, read');
    }
    const result = firstBuild(await readLogStream(failing(), 'b.log'), 'b.log');
    expect(result).toMatchObject({ ok: false, problem: { input: 'b.log', message: 'b.log could not be read to its end: EIO: i/o error, read.' } });
  });

  it('a ReadableStream that errors midway', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode('#1 [internal] load build definition from Dockerfile\n'));
        controller.error(new Error('the file changed on disk'));
      },
    });
    const result = firstBuild(await readLogStream(stream, 'b.log'), 'b.log');
    expect(result).toMatchObject({ ok: false, problem: { input: 'b.log' } });
    if (!result.ok) expect(result.problem.message).toContain('the file changed on disk');
  });

  it('pieces that are neither bytes nor text', async () => {
    const result = firstBuild(await readLogStream(pieces(42 as unknown as string), 'odd.log'), 'odd.log');
    expect(result).toMatchObject({ ok: false, problem: { message: 'odd.log is not text.' } });
  });

  it('a Blob stream, as the worker reads a dropped file, gives what its text gives', async () => {
    const text = readFileSync(join(FIXTURES, 'lab/seed-replica/b.jenkins.log'), 'utf8');
    const blob = new Blob([text]);
    const fromStream = await readLogInput('b.jenkins.log', blob.stream());
    const fromText = await readLogInput('b.jenkins.log', text);
    expect(fromStream).toEqual(fromText);
    expect(fromStream.read.ok).toBe(true);
  });
});

describe('the CLI streams a log from standard input', () => {
  async function* inPieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }

  it('a log piped in is read as its text reads', async () => {
    const text = readFileSync(join(FIXTURES, 'lab/seed-replica/b.jenkins.log'), 'utf8');
    const sorted = await sortInputs(['-'], () => inPieces(encoder.encode(text), 1000));
    expect(sorted.problems).toEqual([]);
    expect(sorted.logs).toEqual([await readLogInput('stdin', text)]);
  });

  it('a Dockerfile piped in is read whole, after its head was sniffed', async () => {
    const text = readFileSync(join(FIXTURES, 'lab/seed-replica/Dockerfile'), 'utf8');
    const sorted = await sortInputs(['-'], () => inPieces(encoder.encode(text), 7));
    expect(sorted.dockerfiles).toEqual([{ name: 'stdin', text }]);
  });

  it('standard input that fails midway through a log, or before it could be told apart', async () => {
    const log = readFileSync(join(FIXTURES, 'lab/seed-replica/b.log'), 'utf8');
    const failingAfter = (text: string) =>
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield encoder.encode(text);
        throw new Error('EPIPE: broken pipe');
      };
    // Past the sniffed head: the log's reading fails, named.
    const long = await sortInputs(['-'], failingAfter(log + '#40 0.1 more output\n'.repeat(20_000)));
    expect(long.problems).toEqual([]);
    expect(long.logs[0]?.read).toMatchObject({ ok: false, problem: { input: 'stdin' } });
    // Within the head: standard input itself cannot be read.
    const short = await sortInputs(['-'], failingAfter(log));
    expect(short.logs).toEqual([]);
    expect(short.problems).toMatchObject([{ input: 'standard input', message: expect.stringMatching(/^cannot be read/) }]);
  });
});
