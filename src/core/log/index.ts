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
import type { BuildTrace, InputProblem, Result, TransitRepair } from '../model.ts';
import { assemble } from './assemble.ts';
import type { BlockReader, Draft } from './draft.ts';
import { legacyReader } from './legacy.ts';
import { HEAD_BYTES, LineCleaner, type PrefixPlan } from './lines.ts';
import { plainReader } from './plain.ts';
import { rawJsonReader } from './rawjson.ts';
import { hasCursorMovement } from './screen.ts';
import { sniffHead } from './sniff.ts';
import { planRepairs, REPAIR_HEAD_CHARS, TransitRepairer } from './transit.ts';
import { ttyReader } from './tty.ts';

export { sniffLogFormat } from './sniff.ts';
export { FROM_RESOLVE_NOTE, REMOTE_CACHE_NOTE } from './assemble.ts';
export { CommandLines } from './command-lines.ts';

const HINT =
  'Give the output of `docker build --progress=plain …` (or `docker buildx build`), the tty output copied from a terminal, a `--progress=rawjson` stream, a legacy-builder log, or `docker compose build` output.';
const BUG_HINT = 'This is a bug in cachewhy; please report it with the log (redacted).';

/**
 * A log with more builds than this is generated or a loop gone wrong; each build re-reads the rest of
 * the text it starts, so the bound also keeps a hostile text from costing quadratic time.
 */
const MAX_BUILDS = 64;

/** A stream's pieces are gathered into blocks of about this many characters before a reader sees them. */
const BLOCK_CHARS = 1 << 16;

export interface ReadLogOptions {
  /**
   * Called with every piece of the log's text, in order (their concatenation is the text `readLog` would
   * get). With it, `readLogStream` reads the stream to its end even when the reader needs no more.
   */
  onText?: (piece: string) => void;
}

/**
 * The first build of a log (the others, if the log holds more, are named in a problem). Most callers
 * want every build: `readLogBuilds`.
 */
export function readLog(text: string, source: string): Result<BuildTrace> {
  return firstBuild(readLogBuilds(text, source), source);
}

/** Every build a log holds, in the order they appear (a script that builds twice, CI retries, …). */
export function readLogBuilds(text: string, source: string): Result<BuildTrace[]> {
  if (typeof text !== 'string') return notText(source);
  const reading = new LogReading(source);
  reading.push(text);
  return reading.finish();
}

/**
 * Reads a log from a stream of bytes (UTF-8) or strings: a `ReadableStream` from `Blob.stream()`, a Node
 * file stream. The result is the one `readLogBuilds` gives on the whole text; only the head of the log
 * and what the report keeps are held in memory. A stream that fails gives a problem naming `source`,
 * never a throw.
 */
export async function readLogStream(
  chunks: AsyncIterable<Uint8Array | string> | ReadableStream<Uint8Array | string>,
  source: string,
  options: ReadLogOptions = {},
): Promise<Result<BuildTrace[]>> {
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
      // Leaving the loop cancels the stream: the reader has all it wants (too many vertices, not a log).
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

/** The first of a log's builds, with a problem naming the others. */
export function firstBuild(read: Result<BuildTrace[]>, source: string): Result<BuildTrace> {
  if (!read.ok) return read;
  const [first, ...others] = read.value;
  if (first === undefined) return { ok: false, problem: { input: 'log', message: 'The log holds no build.', hint: HINT } };
  const problems = [...(read.problems ?? [])];
  first.source = source;
  if (others.length > 0) {
    problems.push({
      input: source,
      message: `This log holds ${others.length + 1} builds; only the first one was used.`,
      hint: 'Pick the builds to compare (CLI: `file.log#2`, or `--build 2`).',
    });
  }
  return problems.length > 0 ? { ok: true, value: first, problems } : { ok: true, value: first };
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
 * One log read in pieces: the transit damage is repaired first (decided on the head of the text), then
 * the text goes to one `BuildReading` after another — a reader that sees the next build begin hands the
 * text from that line on to a fresh reading, which decides its own format and decoration.
 */
class LogReading {
  readonly #source: string;
  #rawHead = '';
  #repairer: TransitRepairer | null = null;
  #repairs: TransitRepair[] | null = null;
  readonly #done: BuildReading[] = [];
  #current: BuildReading;

  constructor(source: string) {
    this.#source = source;
    this.#current = new BuildReading(source, true);
  }

  get refused(): boolean {
    return this.#done.length === 0 && this.#current.refused;
  }

  /** Feeds the next piece of text; false once nothing more is needed. */
  push(text: string): boolean {
    if (this.#repairs === null) {
      this.#rawHead += text;
      if (this.#rawHead.length < REPAIR_HEAD_CHARS) return true;
      text = this.#decideRepairs();
    } else if (this.#repairer !== null) text = this.#repairer.push(text);
    return this.#route(text);
  }

  finish(): Result<BuildTrace[]> {
    if (this.#repairs === null) this.#route(this.#decideRepairs());
    if (this.#repairer !== null) this.#route(this.#repairer.flush());
    // Ending a reading decides a short one's format and reads its last line: the next build can begin there.
    for (;;) {
      const reading = this.#current;
      reading.end();
      const next = reading.takeHandoff();
      if (next === null) break;
      this.#done.push(reading);
      this.#current = new BuildReading(this.#source, this.#done.length + 1 < MAX_BUILDS);
      this.#route(next);
    }
    const readings = [...this.#done, this.#current];
    const builds: BuildTrace[] = [];
    const problems: InputProblem[] = [];
    let refusal: Result<BuildTrace[]> | null = null;
    for (const reading of readings) {
      const result = reading.finish();
      if (!result.ok) {
        refusal ??= result;
        continue;
      }
      builds.push(...result.value);
      if (result.problems) problems.push(...result.problems);
    }
    // A piece before the first real build that held no vertex (the tail of a display cut at its head) is
    // no build of its own.
    if (builds.length > 1) builds.splice(0, builds.length, ...builds.filter((t, i) => i > 0 || t.steps.length > 0 || t.internal.length > 0));
    if (builds.length === 0) {
      const problem = refusal !== null && !refusal.ok ? refusal.problem : { input: this.#source, message: `${this.#source} holds no build.`, hint: HINT };
      return { ok: false, problem };
    }
    builds.forEach((trace, i) => {
      trace.reading = {
        repairs: this.#repairs ?? [],
        learnedPrefix: trace.reading?.learnedPrefix ?? null,
        build: i + 1,
        builds: builds.length,
        unplacedLines: trace.reading?.unplacedLines ?? 0,
      };
      if (builds.length > 1) trace.source = `${this.#source}#${i + 1}`;
    });
    return problems.length > 0 ? { ok: true, value: builds, problems } : { ok: true, value: builds };
  }

  /** Decides the repairs on the head held so far and returns the head, repaired. */
  #decideRepairs(): string {
    const plan = planRepairs(this.#rawHead);
    this.#repairs = plan.repairs;
    const head = this.#rawHead;
    this.#rawHead = '';
    if (plan.repairs.length === 0) return head;
    this.#repairer = new TransitRepairer(plan);
    return this.#repairer.push(head);
  }

  #route(text: string): boolean {
    let reading = this.#current;
    let wanted = reading.push(text);
    for (let next = reading.takeHandoff(); next !== null; next = reading.takeHandoff()) {
      this.#done.push(reading);
      reading = new BuildReading(this.#source, this.#done.length + 1 < MAX_BUILDS);
      this.#current = reading;
      wanted = reading.push(next);
    }
    return wanted;
  }
}

/**
 * One build read in pieces. While the head is undecided it is kept whole; once the format and the
 * decoration plan are known, the head is the first block and later text goes to the reader in blocks
 * cut after a line end (so each reader sees the same lines, in the same order, as on the whole text).
 * When the reader sees the next build begin, the text from there on is its handoff.
 */
class BuildReading {
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
  /** The shape of the prefix learned from this build's head, for the report. */
  #learnedPrefix: string | null = null;
  /** The text of the next build, from its first line, not yet taken by the next reading. */
  #handoff: string | null = null;

  /** `split`: a next build found in the text is read as its own (false past MAX_BUILDS: the rest is dropped). */
  readonly #split: boolean;

  constructor(source: string, split: boolean) {
    this.#source = source;
    this.#split = split;
  }

  /** The log was refused (empty, binary, not a build log) or could not be read. */
  get refused(): boolean {
    return this.#refused !== null;
  }

  takeHandoff(): string | null {
    const text = this.#handoff;
    this.#handoff = null;
    return text;
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
          const last = text.lastIndexOf('\n');
          const carry = this.#carry;
          this.#carry = '';
          if (!this.#give(carry + text.slice(0, first + 1), text.slice(first + 1))) return false;
          if (last > first && !this.#give(text.slice(first + 1, last + 1), text.slice(last + 1))) return false;
          this.#carry = text.slice(last + 1);
          return true;
        }
      }
      // Small pieces are gathered first: a reader's work per block is not worth doing per line.
      this.#carry += text;
      if (this.#carry.length >= BLOCK_CHARS) {
        const cut = this.#carry.lastIndexOf('\n') + 1;
        if (cut > 0) {
          const block = this.#carry.slice(0, cut);
          const rest = this.#carry.slice(cut);
          this.#carry = '';
          if (!this.#give(block, rest)) return false;
          this.#carry = rest;
        }
      }
    } catch (err) {
      this.#refuse(bug(this.#source, err));
    }
    return !this.#stopped;
  }

  /** No more text comes: decides the format of a short log and reads the last line. */
  end(): void {
    try {
      if (this.#refused === null && this.#reader === null) this.#decide(true);
      if (this.#refused !== null) return;
      const carry = this.#carry;
      this.#carry = '';
      if (!this.#stopped && carry !== '') this.#give(carry, '');
    } catch (err) {
      this.#refuse(bug(this.#source, err));
    }
  }

  /** The build (two when two builds printed into it at once and could be told apart), once `end` was called. */
  finish(): Result<BuildTrace[]> {
    const result = this.#result();
    if (result.ok) {
      for (const trace of result.value) {
        const unplaced = trace.reading?.unplacedLines ?? 0;
        trace.reading = { repairs: [], learnedPrefix: this.#learnedPrefix, build: 1, builds: 1, unplacedLines: unplaced };
      }
    }
    return result;
  }

  #result(): Result<BuildTrace[]> {
    try {
      if (this.#refused !== null) return { ok: false, problem: (this.#refused as { ok: false; problem: InputProblem }).problem };
      const reader = this.#reader as AnyReader;
      if (this.#legacy) {
        const value = [(reader as BlockReader<BuildTrace>).finish()];
        return this.#problems.length > 0 ? { ok: true, value, problems: this.#problems } : { ok: true, value };
      }
      const assembled = assemble((reader as BlockReader<Draft>).finish());
      if (!assembled.ok || this.#problems.length === 0) return assembled;
      return { ok: true, value: assembled.value, problems: [...(assembled.problems ?? []), ...this.#problems] };
    } catch (err) {
      return bug(this.#source, err);
    }
  }

  /**
   * Gives the reader one block; `rest` is the text after it not yet given. False when the reader stopped:
   * if the next build begins in the block, the text from there (and `rest`) becomes the handoff.
   */
  #give(block: string, rest: string): boolean {
    const reader = this.#reader as AnyReader;
    if (reader.push(block)) return true;
    this.#stopped = true;
    const at = reader.nextBuildAt?.() ?? -1;
    if (at >= 0 && this.#split) this.#handoff = (reader.nextBuildHeld?.() ?? '') + block.slice(at) + rest + this.#carry;
    else if (at >= 0)
      this.#problems.push({ input: this.#source, message: `This log holds more than ${MAX_BUILDS} builds; the ones after build ${MAX_BUILDS} were not read.` });
    this.#carry = '';
    return false;
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
    this.#learnedPrefix = plan.learned?.shape ?? null;
    switch (format) {
      case 'legacy':
        this.#legacy = true;
        this.#reader = legacyReader(source, plan);
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
        const start = cleanedStart(head.slice(0, 65536), plan);
        const ttyLike = /^[ \t]*(?:\[\+\] Building|=> )/m.test(start) && !/^#\d+ \[/m.test(start);
        this.#reader = ttyLike ? ttyReader(source, plan, hasCursorMovement(head)) : plainReader(source, plan);
        break;
      }
    }
    this.#head = '';
    // The head is the first block, up to its last line end; the rest waits for the next piece.
    const cut = complete ? head.length : head.lastIndexOf('\n') + 1;
    const rest = cut === head.length ? '' : head.slice(cut);
    if (cut === 0) this.#carry = rest;
    else if (this.#give(cut === head.length ? head : head.slice(0, cut), rest)) this.#carry = rest;
  }
}

/** The first lines of a head as the readers will see them (decoration off), for a quick look. */
function cleanedStart(head: string, plan: PrefixPlan): string {
  const lines: string[] = [];
  new LineCleaner(plan).lines(head, (line) => {
    lines.push(line);
  });
  return lines.join('\n');
}

function notText<T>(source: string): Result<T> {
  return { ok: false, problem: { input: source, message: `${source} is not text.`, hint: HINT } };
}

function bug<T>(source: string, err: unknown): Result<T> {
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
