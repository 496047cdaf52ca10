/**
 * Build logs → BuildTrace. One reader per format, chosen by content:
 *   buildkit-plain (plain.ts), buildkit-tty (tty.ts), buildkit-rawjson (rawjson.ts), legacy (legacy.ts);
 *   `docker compose build` output is plain or tty with the service inside the brackets.
 * CI decoration (timestamps, job prefixes, ANSI) is stripped first (lines.ts).
 *
 * One reading path for a whole text (`readLog`) and a stream (`readLogStream`): `LogReading` is fed the
 * text in pieces, holds the head until the format and the decoration are decided from it, then hands the
 * readers blocks of whole lines. A whole text is simply one piece.
 */
import type { BuildTrace, InputProblem, Result } from '../model.ts';
import { assemble } from './assemble.ts';
import type { BlockReader, Draft } from './draft.ts';
import { legacyReader } from './legacy.ts';
import { HEAD_BYTES } from './lines.ts';
import { plainReader } from './plain.ts';
import { rawJsonReader } from './rawjson.ts';
import { hasCursorMovement } from './screen.ts';
import { sniffHead } from './sniff.ts';
import { ttyReader } from './tty.ts';

export { sniffLogFormat } from './sniff.ts';
export { FROM_RESOLVE_NOTE, REMOTE_CACHE_NOTE } from './assemble.ts';
export { CommandLines } from './command-lines.ts';

const HINT =
  'Give the output of `docker build --progress=plain …` (or `docker buildx build`), the tty output copied from a terminal, a `--progress=rawjson` stream, a legacy-builder log, or `docker compose build` output.';
const BUG_HINT = 'This is a bug in cachewhy; please report it with the log (redacted).';

/** A stream's pieces are gathered into blocks of about this many characters before a reader sees them. */
const BLOCK_CHARS = 1 << 16;

export interface ReadLogOptions {
  /**
   * Called with every piece of the log's text, in order (their concatenation is the text `readLog` would
   * get). With it, `readLogStream` reads the stream to its end even when the reader needs no more.
   */
  onText?: (piece: string) => void;
}

export function readLog(text: string, source: string): Result<BuildTrace> {
  if (typeof text !== 'string') return notText(source);
  const reading = new LogReading(source);
  reading.push(text);
  return reading.finish();
}

/**
 * Reads a log from a stream of bytes (UTF-8) or strings: a `ReadableStream` from `Blob.stream()`, a Node
 * file stream. The result is the one `readLog` gives on the whole text; only the head of the log and what
 * the report keeps are held in memory. A stream that fails gives a problem naming `source`, never a throw.
 */
export async function readLogStream(
  chunks: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>,
  source: string,
  options: ReadLogOptions = {},
): Promise<Result<BuildTrace>> {
  const reading = new LogReading(source);
  const decoder = new TextDecoder();
  const onText = options.onText;
  const feed = (text: string): boolean => {
    if (text === '') return true;
    onText?.(text);
    // With onText the rest is read for it, unless the log was refused (nothing will be asked of it).
    return reading.push(text) || (onText !== undefined && !reading.refused);
  };
  try {
    for await (const chunk of iterate(chunks)) {
      let text: string;
      if (typeof chunk === 'string') text = decoder.decode() + chunk;
      else if (chunk instanceof Uint8Array) text = decoder.decode(chunk, { stream: true });
      else return notText(source);
      // Leaving the loop cancels the stream: the reader has all it wants (a second build, not a log).
      if (!feed(text)) break;
    }
    feed(decoder.decode());
  } catch (err) {
    return {
      ok: false,
      problem: {
        input: source,
        message: `${source} could not be read to its end: ${err instanceof Error ? err.message : String(err)}.`,
        hint: 'Check that the file is still there and readable, then give it again.',
      },
    };
  }
  return reading.finish();
}

/** A `ReadableStream` as an async iterable (Chromium's streams are not iterable yet). */
async function* iterate<T>(chunks: AsyncIterable<T> | ReadableStream<T>): AsyncGenerator<T> {
  if (Symbol.asyncIterator in chunks) {
    yield* chunks as AsyncIterable<T>;
    return;
  }
  const reader = (chunks as ReadableStream<T>).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stopping early (or failing) cancels the rest of the stream rather than leave it pending.
    reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

type AnyReader = BlockReader<Draft> | BlockReader<BuildTrace>;

/**
 * One log read in pieces. While the head is undecided it is kept whole; once the format and the
 * decoration plan are known, the head is the first block and later text goes to the reader in blocks
 * cut after a line end (so each reader sees the same lines, in the same order, as on the whole text).
 */
class LogReading {
  readonly #source: string;
  #started = false;
  /** The text so far, while the head is undecided. */
  #head = '';
  /** The head length at which to try deciding again. */
  #decideAt = HEAD_BYTES;
  #reader: AnyReader | null = null;
  #legacy = false;
  readonly #problems: InputProblem[] = [];
  /** The text after the last block, up to the next line end. */
  #carry = '';
  /** The reader wants no more, or the log was refused. */
  #stopped = false;
  #refused: Result<BuildTrace> | null = null;

  constructor(source: string) {
    this.#source = source;
  }

  /** The log was refused (empty, binary, not a build log) or could not be read. */
  get refused(): boolean {
    return this.#refused !== null;
  }

  /** Feeds the next piece of text; false once nothing more is needed. */
  push(text: string): boolean {
    if (this.#stopped) return false;
    try {
      if (!this.#started && text !== '') {
        this.#started = true;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (this.#reader === null) {
        this.#head += text;
        if (this.#head.length >= this.#decideAt) this.#decide(false);
        return !this.#stopped;
      }
      if (text.length >= BLOCK_CHARS / 4) {
        // A big piece is read where it lies: the line the carry began ends in it and is read on its own,
        // then the piece's whole lines, so the piece is never copied into a bigger string.
        const first = text.indexOf('\n');
        if (first !== -1) {
          this.#block(this.#carry + text.slice(0, first + 1));
          const last = text.lastIndexOf('\n');
          if (last > first && !this.#stopped) this.#block(text.slice(first + 1, last + 1));
          this.#carry = text.slice(last + 1);
          return !this.#stopped;
        }
      }
      // Small pieces are gathered first: a reader's work per block is not worth doing per line.
      this.#carry += text;
      if (this.#carry.length >= BLOCK_CHARS) {
        const cut = this.#carry.lastIndexOf('\n') + 1;
        if (cut > 0) {
          const block = this.#carry.slice(0, cut);
          this.#carry = this.#carry.slice(cut);
          this.#block(block);
        }
      }
    } catch (err) {
      this.#refuse(bug(this.#source, err));
    }
    return !this.#stopped;
  }

  finish(): Result<BuildTrace> {
    try {
      if (this.#refused === null && this.#reader === null) this.#decide(true);
      if (this.#refused !== null) return this.#refused;
      const reader = this.#reader as AnyReader;
      if (!this.#stopped && this.#carry !== '') this.#block(this.#carry);
      this.#carry = '';
      if (this.#legacy) {
        const value = (reader as BlockReader<BuildTrace>).finish();
        return this.#problems.length > 0 ? { ok: true, value, problems: this.#problems } : { ok: true, value };
      }
      return assemble((reader as BlockReader<Draft>).finish());
    } catch (err) {
      return bug(this.#source, err);
    }
  }

  #block(block: string): void {
    if (!(this.#reader as AnyReader).push(block)) this.#stopped = true;
  }

  #refuse(result: Result<BuildTrace>): void {
    this.#refused = result;
    this.#stopped = true;
    this.#head = '';
    this.#carry = '';
  }

  /** Decides the format from the head (all of the log when `complete`) and starts its reader. */
  #decide(complete: boolean): void {
    const head = this.#head;
    const source = this.#source;
    if (!/\S/.test(head)) {
      if (complete) this.#refuse({ ok: false, problem: { input: source, message: `${source} is empty.`, hint: HINT } });
      else this.#decideAt = head.length * 2;
      return;
    }
    if (looksBinary(head)) {
      this.#refuse({ ok: false, problem: { input: source, message: `${source} looks like binary data, not a build log.`, hint: HINT } });
      return;
    }
    const sniffed = sniffHead(head, complete);
    if (sniffed === 'more') {
      // Twice as much before the next try, so a head that takes long to decide is not rescanned per piece.
      this.#decideAt = head.length * 2;
      return;
    }
    if (sniffed === null) {
      this.#refuse({
        ok: false,
        problem: {
          input: source,
          message: `${source} does not look like a Docker build log: no BuildKit step lines (\`#1 [internal] …\`, \`=> [2/5] …\`), no legacy \`Step 1/5 : …\` lines, no rawjson objects.`,
          hint: HINT,
        },
      });
      return;
    }
    const { format, plan } = sniffed;
    switch (format) {
      case 'legacy':
        this.#legacy = true;
        this.#reader = legacyReader(source, plan, this.#problems);
        break;
      case 'buildkit-rawjson':
        this.#reader = rawJsonReader(source, plan);
        break;
      case 'buildkit-tty':
        this.#reader = ttyReader(source, plan, hasCursorMovement(head));
        break;
      case 'compose':
      case 'buildkit-plain': {
        // compose output is plain or tty; the service inside the brackets is found while assembling.
        // `[ \t]*`, not `\s*`: with /m, `\s*` runs across line ends from every `^`, which is quadratic on a
        // run of blank lines or bare CRs (200k CRs took 20 s).
        const start = head.slice(0, 65536);
        const ttyLike = /^[ \t]*(?:\[\+\] Building|=> )/m.test(start) && !/^#\d+ \[/m.test(start);
        this.#reader = ttyLike ? ttyReader(source, plan, hasCursorMovement(head)) : plainReader(source, plan);
        break;
      }
    }
    this.#head = '';
    // The head is the first block, up to its last line end; the rest waits for the next piece.
    const cut = complete ? head.length : head.lastIndexOf('\n') + 1;
    this.#carry = cut === head.length ? '' : head.slice(cut);
    if (cut > 0) this.#block(cut === head.length ? head : head.slice(0, cut));
  }
}

function notText(source: string): Result<BuildTrace> {
  return { ok: false, problem: { input: source, message: `${source} is not text.`, hint: HINT } };
}

function bug(source: string, err: unknown): Result<BuildTrace> {
  return {
    ok: false,
    problem: { input: source, message: `${source} could not be read: ${err instanceof Error ? err.message : String(err)}.`, hint: BUG_HINT },
  };
}

/** NUL bytes or many control characters in the first 4 KB mean this is not a text log. */
function looksBinary(text: string): boolean {
  const head = text.slice(0, 4096);
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0) return true;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 27) || c === 0xfffd) control++;
  }
  return control > head.length * 0.1;
}
