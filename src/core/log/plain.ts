/**
 * BuildKit `--progress=plain`, every era:
 *  - v0.8 (Docker 20.10, buildx 0.5): `#N sha256:<digest>` directly under each header;
 *  - v0.9+ and buildx: no digest line; buildx ≥ 0.11 opens with `#0 building with "X" instance using Y driver`;
 *  - Docker 18.09: field lines `#N       digest: …`, `#N       cached: true`, `#N     duration: 31.61µs`.
 * Vertices interleave: `#N ...` marks a switch away, and the header is re-printed on the way back.
 * After the stream: `------` error blocks, the Dockerfile excerpt and the final `ERROR: failed to solve`.
 *
 * Each line is classified into a kind (plain-lines.ts), then a table maps the kind to a small handler over
 * the reader's state (`PlainState`). What is not a kind of line but a judgement over the lines read so far
 * (is this `#1` the next build? which record does `#N` name?) is done here, in `placeVertex` and `holdVerdict`.
 */
import {
  addRecord,
  addWarning,
  applyStatus,
  detach,
  endBlock,
  newDraft,
  newRecord,
  pushOutput,
  setResult,
  settleOutput,
  type BlockReader,
  type Draft,
  type Going,
  type VertexRecord,
  type WarningListReader,
  warningListReader,
} from './draft.ts';
import { cleanLine, isUndecorated, LineCleaner, needsCleaning, type PrefixPlan } from './lines.ts';
import {
  classifyPlainLine,
  classifyVertexBody,
  isInternalLoad,
  isLogLineAt,
  isOutputOf,
  isVertexName,
  looksLikeHeader,
  opensTrailer,
  sameStepOtherTarget,
  vertexNumber,
  withoutLogPrefix,
  type OldField,
  type PlainLine,
  type VertexBody,
} from './plain-lines.ts';
import { parseBytes, parseDurationS, secondOfDay } from './units.ts';

const MAX_TRAILER = 200;
/** Stamps going back more than this start another build; less is a stamper's jitter. */
const CLOCK_BACK_S = 120;
/** Going back by half a day or more is the clock passing midnight. */
const HALF_DAY_S = 12 * 3600;
/** Lines held at a possible next build before it counts as the same build. */
const MAX_HELD_LINES = 400;

/**
 * `#1 [internal] load …` printed again after later vertices finished: the next build (a CI retry, a
 * script building twice) — or the same build revisiting #1 (Depot loads the definition up to three
 * times). Its lines are held until a later header tells: an `#N` already in use starts numbering over
 * (next build); a new number goes on counting (same build).
 */
interface Held {
  lines: [string, string | null][];
  /** Text of earlier blocks from the first held line on (for a handoff to the next build). */
  raw: string;
  /** Where the first held line starts in the current block. */
  at: number;
  highest: number;
  lowest: number;
}

interface PlainState {
  draft: Draft;
  byNumber: Map<number, VertexRecord>;
  /** Stream position of the line being read (results are ordered by it). */
  order: number;
  /** The `#N` whose header was the previous line: only there can a `#N sha256:` line be a digest. */
  headerJustPrinted: number;
  inTrailer: boolean;
  warningList: WarningListReader;
  buildersSeen: number;
  /** The reader stopped where the next build begins. */
  nextBuild: boolean;
  /** Second of the day of the last stamped line. */
  lastSecond: number | null;
  interleaved: boolean;
  // The vertex the printer is on: its output lines usually follow, and the hot path in `readBlock`
  // recognises them by `lastPrefix` with a few charCode checks.
  lastNumber: number;
  lastPrefix: string;
  lastRecord: VertexRecord | null;
  held: Held | null;
  /** Where the line being read starts in its block. */
  lineStart: number;
  /** True while held lines are read as the same build's (the `#1` among them is no restart). */
  releasing: boolean;
}

export function plainReader(source: string, plan: PrefixPlan): BlockReader<Draft> {
  const draft = newDraft(source, 'buildkit-plain', plan.style);
  const s: PlainState = {
    draft,
    byNumber: new Map(),
    order: 0,
    headerJustPrinted: -1,
    inTrailer: false,
    warningList: warningListReader(draft),
    buildersSeen: 0,
    nextBuild: false,
    lastSecond: null,
    interleaved: false,
    lastNumber: -1,
    lastPrefix: '#-1 ',
    lastRecord: null,
    held: null,
    lineStart: 0,
    releasing: false,
  };
  const fast = isUndecorated(plan);
  const cleaner = new LineCleaner(plan);
  let stopped = false;
  let stopOffset = -1;

  /** Reads the lines of one block; false when the reader stopped (a second build, too many vertices). */
  const readBlock = (text: string): boolean => {
    if (fast) stopOffset = readUndecoratedBlock(s, text);
    else {
      cleaner.lines(text, (line, time) => {
        s.lineStart = cleaner.lineStart;
        return readLine(s, line, time);
      });
      stopOffset = cleaner.stoppedAt;
    }
    return stopOffset === -1;
  };

  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !readBlock(text);
      endBlock(draft, text);
      if (!stopped && s.held !== null) {
        // The held lines go on in the next block: keep their text for a handoff.
        s.held.raw += text.slice(s.held.at);
        s.held.at = 0;
      }
      return !stopped;
    },
    nextBuildAt: () => (!s.nextBuild ? -1 : s.held !== null ? s.held.at : stopOffset),
    nextBuildHeld: () => (s.nextBuild && s.held !== null ? s.held.raw : ''),
    finish(): Draft {
      if (s.held !== null) release(s);
      for (const rec of draft.records) settleOutput(rec, (l) => withoutLogPrefix(cleanLine(l)));
      if (s.interleaved) {
        draft.notes.push('Some #N numbers carry two different vertices: two builds were printed into one log.');
      }
      if (draft.builder.era === 'buildkit-unknown' && draft.builder.digestLines) draft.builder.era = 'buildkit-v0.8';
      return draft;
    },
  };
}

/**
 * The common case (no decoration to strip) gets its own loop, so the hot test runs on the text itself and
 * an output line is not even cut out (a shared line iterator with callbacks measured markedly slower).
 * Where the next build starts in `text`, or -1 when the reader goes on.
 */
function readUndecoratedBlock(s: PlainState, text: string): number {
  const length = text.length;
  let start = 0;
  while (start < length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = length;
    // (Output lines need no stream position: only headers and results are ordered.)
    if (s.held === null && s.lastRecord !== null && text.startsWith(s.lastPrefix, start) && isLogLineAt(text, start + s.lastPrefix.length, end)) {
      pushOutput(s.draft, s.lastRecord, start);
      s.headerJustPrinted = -1;
    } else {
      let line = text.slice(start, end);
      if (needsCleaning(line)) line = cleanLine(line);
      s.lineStart = start;
      if (readLine(s, line, null) === false) return start;
    }
    start = end + 1;
  }
  return -1;
}

function readLine(s: PlainState, raw: string, time: string | null): Going {
  if (s.held !== null) {
    const verdict = holdVerdict(s, raw.trimStart(), s.held);
    if (verdict === 'wait') {
      s.held.lines.push([raw, time]);
      return;
    }
    if (verdict === 'next') return startsNextBuild(s);
    release(s);
  }
  s.order++;
  // A stamper that pads its prefix leaves a space before `#N`.
  const line = raw.charCodeAt(0) === 32 && raw.trimStart().charCodeAt(0) === 35 ? raw.trimStart() : raw;
  if (time !== null && !readStamp(s, time)) return startsNextBuild(s);
  if (s.lastRecord !== null && isOutputOf(line, 0, line.length, s.lastNumber)) {
    pushOutput(s.draft, s.lastRecord, line);
    s.headerJustPrinted = -1;
    return;
  }
  const kind = classifyPlainLine(line);
  return (LINE_HANDLERS[kind.kind] as LineHandler<PlainLine>)(s, kind, raw, time);
}

type LineHandler<L extends PlainLine> = (s: PlainState, line: L, raw: string, time: string | null) => Going;

const LINE_HANDLERS: { [K in PlainLine['kind']]: LineHandler<Extract<PlainLine, { kind: K }>> } = {
  blank(s) {
    s.headerJustPrinted = -1;
  },
  'other-mode-start'(s, { line }) {
    s.headerJustPrinted = -1;
    // The same script went on with the legacy builder or the tty display: that is another build.
    if (s.draft.records.length > 0) return startsNextBuild(s);
    readOutside(s, line);
  },
  outside(s, { line }) {
    s.headerJustPrinted = -1;
    readOutside(s, line);
  },
  builder(s, { name, driver }) {
    leaveOutside(s);
    s.buildersSeen++;
    if (s.buildersSeen > 1 || s.draft.records.some((r) => r.result !== null)) return startsNextBuild(s);
    s.draft.builder.name = detach(name);
    s.draft.builder.driver = detach(driver);
    s.draft.builder.era = 'buildkit-modern';
  },
  vertex(s, { n, rest }, raw, time) {
    leaveOutside(s);
    if (n === 1 && s.held === null && !s.releasing && isNextBuildHeader(rest, s.byNumber)) {
      hold(s, raw, time);
      return;
    }
    const rec = placeVertex(s, n, rest, time);
    if (rec === 'stop') return false;
    if (rec === 'header') return;
    const afterHeader = s.headerJustPrinted === n;
    s.headerJustPrinted = -1;
    focus(s, n, rec);
    const body = classifyVertexBody(rest, afterHeader);
    (BODY_HANDLERS[body.kind] as BodyHandler<VertexBody>)(s, rec, body, rest, time);
  },
};

type BodyHandler<B extends VertexBody> = (s: PlainState, rec: VertexRecord, body: B, rest: string, time: string | null) => void;

const BODY_HANDLERS: { [K in VertexBody['kind']]: BodyHandler<Extract<VertexBody, { kind: K }>> } = {
  digest(s, rec, { digest }) {
    rec.digest = detach(digest);
    s.draft.builder.digestLines = true;
    if (s.draft.builder.era === 'buildkit-unknown') s.draft.builder.era = 'buildkit-v0.8';
  },
  done(s, rec, { durationText }, _rest, time) {
    setResult(s.draft, rec, 'done', s.order);
    rec.durationS = durationText !== null ? parseDurationS(durationText) : null;
    rec.completedAt = detach(time);
  },
  cached(s, rec, _body, _rest, time) {
    setResult(s.draft, rec, 'cached', s.order);
    rec.durationS = null;
    rec.completedAt = detach(time);
  },
  canceled(s, rec, _body, _rest, time) {
    setResult(s.draft, rec, 'canceled', s.order);
    rec.completedAt = detach(time);
  },
  error(s, rec, { message }, _rest, time) {
    setResult(s.draft, rec, 'error', s.order);
    rec.error = detach(message);
    rec.completedAt = detach(time);
  },
  warn(s, _rec, { text }) {
    addWarning(s.draft, text);
    if (s.draft.builder.era === 'buildkit-unknown') s.draft.builder.era = 'buildkit-modern';
  },
  output(s, rec, _body, rest) {
    // Output of a vertex other than the one just printed: kept whole, like the hot path's lines.
    pushOutput(s.draft, rec, `#0 ${rest}`);
  },
  'old-field'(s, rec, { field, value }, _rest, time) {
    s.draft.builder.era = 'buildkit-old';
    OLD_FIELD_HANDLERS[field](s, rec, detach(value), detach(time));
  },
  'switch-away'() {},
  status(s, rec, _body, rest) {
    applyStatus(s.draft, rec, rest, parseBytes);
  },
};

/** Docker 18.09 printed the vertex fields one per line. */
const OLD_FIELD_HANDLERS: Record<OldField, (s: PlainState, rec: VertexRecord, value: string, time: string | null) => void> = {
  digest(s, rec, value) {
    rec.digest = value.trim();
    s.draft.builder.digestLines = true;
  },
  cached(s, rec, value) {
    if (value.trim() === 'true') setResult(s.draft, rec, 'cached', s.order);
  },
  completed(s, rec, value, time) {
    if (rec.result === null) setResult(s.draft, rec, 'done', s.order);
    rec.completedAt = value.trim() || time;
  },
  started(_s, rec, value, time) {
    rec.startedAt = value.trim() || time;
  },
  duration(_s, rec, value) {
    rec.durationS = parseDurationS(value);
  },
  error(s, rec, value) {
    const msg = value.trim().replace(/^"|"$/g, '');
    setResult(s.draft, rec, msg.endsWith('context canceled') ? 'canceled' : 'error', s.order);
    rec.error = msg;
  },
  name() {},
};

/**
 * The record a `#N` line belongs to, made when N is new; 'header' when the line was the vertex's header
 * (printed first, again on the way back, or late for a paste that began inside the vertex).
 */
function placeVertex(s: PlainState, n: number, rest: string, time: string | null): VertexRecord | 'header' | 'stop' {
  const known = s.byNumber.get(n);
  if (known === undefined) {
    const rec = newRecord(looksLikeHeader(rest) ? rest : headerless(n), s.order);
    rec.numbers.push(n);
    rec.startedAt = detach(time);
    if (!addRecord(s.draft, rec)) return 'stop';
    s.byNumber.set(n, rec);
    focus(s, n, rec);
    if (rec.name !== rest) return rec;
    s.headerJustPrinted = n;
    return 'header';
  }
  if (rest === known.name) return headerAgain(s, n, known);
  if (known.name === headerless(n) && looksLikeHeader(rest) && isVertexName(rest)) {
    // A paste that began inside this vertex: its header shows up when the printer comes back to it.
    known.name = detach(rest);
    return headerAgain(s, n, known);
  }
  // One vertex serves several compose services or bake targets built from one Dockerfile; the printer
  // names it after whichever it is showing (`[beat stage-1 6/6]`, later `[worker stage-1 6/6]`).
  if (rest.charCodeAt(0) === 91 /* [ */ && sameStepOtherTarget(rest, known.name)) return headerAgain(s, n, known);
  if (rest.charCodeAt(0) === 91 /* [ */ && rest.includes('] ')) {
    // Statuses never start with `[`: this is another vertex under a number already in use, which only
    // happens when two builds print into one console. Keep both; assembling tells them apart.
    s.interleaved = true;
    const rec = newRecord(rest, s.order);
    rec.numbers.push(n);
    rec.startedAt = detach(time);
    if (!addRecord(s.draft, rec)) return 'stop';
    s.byNumber.set(n, rec);
    return headerAgain(s, n, rec);
  }
  return known;
}

function headerAgain(s: PlainState, n: number, rec: VertexRecord): 'header' {
  s.headerJustPrinted = n;
  focus(s, n, rec);
  return 'header';
}

/** The vertex the printer is on: its output lines usually follow. */
function focus(s: PlainState, n: number, rec: VertexRecord): void {
  if (n !== s.lastNumber) {
    s.lastNumber = n;
    s.lastPrefix = `#${n} `;
  }
  s.lastRecord = rec;
}

/** A `#N` line ends the trailer and the warnings list: the progress went on. */
function leaveOutside(s: PlainState): void {
  s.inTrailer = false;
  s.warningList.interrupt();
}

function readOutside(s: PlainState, line: string): void {
  const trimmed = line.trim();
  if (s.warningList.line(line)) return;
  if (!s.inTrailer) s.inTrailer = opensTrailer(trimmed);
  if (s.inTrailer && s.draft.trailer.length < MAX_TRAILER) s.draft.trailer.push(detach(line));
  else if (!s.inTrailer && trimmed !== '') s.draft.unplaced++;
}

/** A line's stamp: false when the clock went back far enough to be another build's excerpt. */
function readStamp(s: PlainState, time: string): boolean {
  const seconds = secondOfDay(time);
  // Stamps that go back by minutes: another build's excerpt (a forum post quoting a bad and a good run).
  if (seconds !== null && s.lastSecond !== null) {
    const back = s.lastSecond - seconds;
    if (back > CLOCK_BACK_S && back < HALF_DAY_S && s.draft.records.some((r) => r.result !== null)) return false;
  }
  if (seconds !== null) s.lastSecond = seconds;
  if (s.draft.startedAt === null) s.draft.startedAt = detach(time);
  s.draft.completedAt = time;
  return true;
}

function startsNextBuild(s: PlainState): false {
  s.nextBuild = true;
  return false;
}

function hold(s: PlainState, raw: string, time: string | null): void {
  const numbers = [...s.byNumber.keys()].filter((k) => k > 1);
  s.held = { lines: [[raw, time]], raw: '', at: s.lineStart, highest: Math.max(0, ...numbers), lowest: Math.min(Infinity, ...numbers) };
  s.order--;
}

function holdVerdict(s: PlainState, line: string, held: Held): 'next' | 'same' | 'wait' {
  const n = vertexNumber(line);
  if (n >= 2) {
    // A number already used by a vertex that finished: the numbering started over. (Not just any lower
    // number: BuildKit v0.8 prints vertices out of number order.)
    const known = s.byNumber.get(n);
    const below = n < held.lowest; // lower than any number printed so far: a paste cut after the first build's start
    return n <= held.highest && ((known !== undefined && known.result !== null) || below) ? 'next' : 'same';
  }
  return held.lines.length > MAX_HELD_LINES ? 'same' : 'wait';
}

/** The held lines are the same build's after all: read them as such. */
function release(s: PlainState): void {
  const lines = (s.held as Held).lines;
  s.held = null;
  s.releasing = true;
  for (const [raw, time] of lines) readLine(s, raw, time);
  s.releasing = false;
}

function headerless(n: number): string {
  return `(vertex #${n}, its header is not in the log)`;
}

/**
 * `#1 [internal] load …` again after later vertices finished: the next build begins (BuildKit numbers
 * each build from 1; a retry, a second `docker build` in the same script).
 */
function isNextBuildHeader(rest: string, byNumber: Map<number, VertexRecord>): boolean {
  const first = byNumber.get(1);
  // (No #1 at all: the paste began after it, and this is the next build's.)
  if ((first !== undefined && first.result === null) || !isInternalLoad(rest)) return false;
  for (const [n, r] of byNumber) if (n > 2 && r.result !== null) return true;
  return false;
}
