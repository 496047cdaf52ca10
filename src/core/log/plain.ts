/**
 * BuildKit `--progress=plain`, every era:
 *  - v0.8 (Docker 20.10, buildx 0.5): `#N sha256:<digest>` directly under each header;
 *  - v0.9+ and buildx: no digest line; buildx ≥ 0.11 opens with `#0 building with "X" instance using Y driver`;
 *  - Docker 18.09: field lines `#N       digest: …`, `#N       cached: true`, `#N     duration: 31.61µs`.
 * Vertices interleave: `#N ...` marks a switch away, and the header is re-printed on the way back.
 * After the stream: `------` error blocks, the Dockerfile excerpt and the final `ERROR: failed to solve`.
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
  type VertexRecord,
  warningListReader,
} from './draft.ts';
import { cleanLine, isUndecorated, LineCleaner, needsCleaning, type PrefixPlan } from './lines.ts';
import { parseBytes, parseDurationS, secondOfDay } from './units.ts';

const BUILDER_RE = /^building with "([^"]*)" instance using (\S+) driver/;
const OLD_FIELD_RE = /^\s+(digest|name|started|completed|duration|cached|error):\s?(.*)$/;
const MAX_TRAILER = 200;

export function plainReader(source: string, plan: PrefixPlan): BlockReader<Draft> {
  const draft = newDraft(source, 'buildkit-plain', plan.style);
  const byNumber = new Map<number, VertexRecord>();
  let order = 0;
  /** The `#N` whose header was the previous line: only there can a `#N sha256:` line be a digest. */
  let headerJustPrinted = -1;
  let inTrailer = false;
  const warningList = warningListReader(draft);
  let buildersSeen = 0;
  /** The reader stopped where the next build begins. */
  let nextBuild = false;
  /** Second of the day of the last stamped line. */
  let lastSecond: number | null = null;
  let interleaved = false;

  // Hot path: most lines of a big log are `#N 12.345 output` of the vertex printed just before, so
  // they are recognised with a few charCode checks and kept whole (the prefix is cut off at the end).
  let lastNumber = -1;
  let lastPrefix = '#-1 ';
  let lastRecord: VertexRecord | null = null;
  /** The vertex the printer is on: its output lines usually follow. */
  const focus = (n: number, rec: VertexRecord): void => {
    if (n !== lastNumber) {
      lastNumber = n;
      lastPrefix = `#${n} `;
    }
    lastRecord = rec;
  };
  /**
   * `#1 [internal] load …` printed again after later vertices finished: the next build (a CI retry, a
   * script building twice) — or the same build revisiting #1 (Depot loads the definition up to three
   * times). Its lines are held until a later header tells: an `#N` already in use starts numbering over
   * (next build); a new number goes on counting (same build).
   */
  let held: { lines: [string, string | null][]; raw: string; at: number; highest: number; lowest: number } | null = null;
  /** Where the line being read starts in its block. */
  let lineStart = 0;
  const holdVerdict = (line: string, h: NonNullable<typeof held>): 'next' | 'same' | 'wait' => {
    const n = vertexNumber(line);
    if (n >= 2) {
      // A number already used by a vertex that finished: the numbering started over. (Not just any lower
      // number: BuildKit v0.8 prints vertices out of number order.)
      const known = byNumber.get(n);
      const below = n < h.lowest; // lower than any number printed so far: a paste cut after the first build's start
      return n <= h.highest && ((known !== undefined && known.result !== null) || below) ? 'next' : 'same';
    }
    return h.lines.length > MAX_HELD_LINES ? 'same' : 'wait';
  };
  /** True while held lines are read as the same build's (the `#1` among them is no restart). */
  let releasing = false;
  const release = (): void => {
    const lines = (held as NonNullable<typeof held>).lines;
    held = null;
    releasing = true;
    for (const [raw, time] of lines) readLine(raw, time);
    releasing = false;
  };
  const readLine = (raw: string, time: string | null): boolean | void => {
    if (held !== null) {
      const verdict = holdVerdict(raw.trimStart(), held);
      if (verdict === 'wait') {
        held.lines.push([raw, time]);
        return;
      }
      if (verdict === 'next') {
        nextBuild = true;
        return false;
      }
      release();
    }
    order++;
    // A stamper that pads its prefix leaves a space before `#N`.
    const line = raw.charCodeAt(0) === 32 && raw.trimStart().charCodeAt(0) === 35 ? raw.trimStart() : raw;
    if (time !== null) {
      const seconds = secondOfDay(time);
      // Stamps that go back by minutes: another build's excerpt (a forum post quoting a bad and a good run).
      if (
        seconds !== null &&
        lastSecond !== null &&
        lastSecond - seconds > CLOCK_BACK_S &&
        lastSecond - seconds < HALF_DAY_S &&
        draft.records.some((r) => r.result !== null)
      ) {
        nextBuild = true;
        return false;
      }
      if (seconds !== null) lastSecond = seconds;
      if (draft.startedAt === null) draft.startedAt = detach(time);
      draft.completedAt = time;
    }
    if (lastRecord !== null && isOutputOf(line, 0, line.length, lastNumber)) {
      pushOutput(draft, lastRecord, line);
      headerJustPrinted = -1;
      return;
    }
    const n = vertexNumber(line);
    if (n === -1) {
      headerJustPrinted = -1;
      if (line.length === 0) return;
      if (draft.records.length > 0 && LEGACY_START_RE.test(line)) {
        // The same script went on with the legacy builder or the tty display: that is another build.
        nextBuild = true;
        return false;
      }
      collectOutsideLine(line);
      return;
    }
    const rest = line.slice(line.indexOf(' ') + 1);
    inTrailer = false;
    warningList.interrupt();
    if (n === 0) {
      const m = BUILDER_RE.exec(rest);
      if (m) {
        buildersSeen++;
        if (buildersSeen > 1 || draft.records.some((r) => r.result !== null)) {
          nextBuild = true;
          return false;
        }
        draft.builder.name = detach(m[1] as string);
        draft.builder.driver = detach(m[2] as string);
        draft.builder.era = 'buildkit-modern';
        return;
      }
    }
    if (n === 1 && held === null && !releasing && isNextBuildHeader(rest, byNumber)) {
      const numbers = [...byNumber.keys()].filter((k) => k > 1);
      held = { lines: [[raw, time]], raw: '', at: lineStart, highest: Math.max(0, ...numbers), lowest: Math.min(Infinity, ...numbers) };
      order--;
      return;
    }
    let rec = byNumber.get(n);
    if (rec === undefined) {
      rec = newRecord(looksLikeHeader(rest) ? rest : headerless(n), order);
      rec.numbers.push(n);
      rec.startedAt = detach(time);
      if (!addRecord(draft, rec)) return false;
      byNumber.set(n, rec);
      focus(n, rec);
      if (rec.name === rest) {
        headerJustPrinted = n;
        return;
      }
    } else if (rest === rec.name) {
      headerJustPrinted = n;
      focus(n, rec);
      return;
    } else if (rec.name === headerless(n) && looksLikeHeader(rest) && isVertexName(rest)) {
      // A paste that began inside this vertex: its header shows up when the printer comes back to it.
      rec.name = detach(rest);
      headerJustPrinted = n;
      focus(n, rec);
      return;
    } else if (rest.charCodeAt(0) === 91 /* [ */ && sameStepOtherTarget(rest, rec.name)) {
      // One vertex serves several compose services or bake targets built from one Dockerfile; the printer
      // names it after whichever it is showing (`[beat stage-1 6/6]`, later `[worker stage-1 6/6]`).
      headerJustPrinted = n;
      focus(n, rec);
      return;
    } else if (rest.charCodeAt(0) === 91 /* [ */ && rest.includes('] ')) {
      // Statuses never start with `[`: this is another vertex under a number already in use, which only
      // happens when two builds print into one console. Keep both; assembling tells them apart.
      interleaved = true;
      rec = newRecord(rest, order);
      rec.numbers.push(n);
      rec.startedAt = detach(time);
      if (!addRecord(draft, rec)) return false;
      byNumber.set(n, rec);
      headerJustPrinted = n;
      focus(n, rec);
      return;
    }
    const afterHeader = headerJustPrinted === n;
    headerJustPrinted = -1;
    focus(n, rec);
    readVertexLine(rec, rest, time, afterHeader);
  };

  const fast = isUndecorated(plan);
  const cleaner = new LineCleaner(plan);
  let stopped = false;

  /** Reads the lines of one block; false when the reader stopped (a second build, too many vertices). */
  let stopOffset = -1;
  const readBlock = (text: string): boolean => {
    if (!fast) {
      const going = cleaner.lines(text, (line, time) => {
        lineStart = cleaner.lineStart;
        return readLine(line, time);
      });
      stopOffset = cleaner.stoppedAt;
      return going;
    }
    // The common case gets its own loop, so the hot test runs on the text itself and the line is not
    // even cut out (a shared line iterator with callbacks measured markedly slower).
    const length = text.length;
    let start = 0;
    while (start < length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = length;
      // (Output lines need no stream position: only headers and results are ordered.)
      if (held === null && lastRecord !== null && text.startsWith(lastPrefix, start) && isLogLineAt(text, start + lastPrefix.length, end)) {
        pushOutput(draft, lastRecord, start);
        headerJustPrinted = -1;
      } else {
        let line = text.slice(start, end);
        if (needsCleaning(line)) line = cleanLine(line);
        lineStart = start;
        if (readLine(line, null) === false) {
          stopOffset = start;
          return false;
        }
      }
      start = end + 1;
    }
    return true;
  };

  return {
    push(text: string): boolean {
      if (stopped) return false;
      stopped = !readBlock(text);
      endBlock(draft, text);
      if (!stopped && held !== null) {
        // The held lines go on in the next block: keep their text for a handoff.
        held.raw += text.slice(held.at);
        held.at = 0;
      }
      return !stopped;
    },
    nextBuildAt: () => (!nextBuild ? -1 : held !== null ? held.at : stopOffset),
    nextBuildHeld: () => (nextBuild && held !== null ? held.raw : ''),
    finish(): Draft {
      if (held !== null) release();
      for (const rec of draft.records) settleOutput(rec, (l) => withoutLogPrefix(cleanLine(l)));
      if (interleaved) {
        draft.notes.push('Some #N numbers carry two different vertices: two builds were printed into one log.');
      }
      if (draft.builder.era === 'buildkit-unknown' && draft.builder.digestLines) draft.builder.era = 'buildkit-v0.8';
      return draft;
    },
  };

  function readVertexLine(rec: VertexRecord, rest: string, time: string | null, afterHeader: boolean): void {
    const c = rest.charCodeAt(0);
    if (afterHeader && c === 115 /* s */ && rest.length === 71 && rest.startsWith('sha256:')) {
      rec.digest = detach(rest);
      draft.builder.digestLines = true;
      if (draft.builder.era === 'buildkit-unknown') draft.builder.era = 'buildkit-v0.8';
      return;
    }
    if (c === 68 /* D */ && (rest === 'DONE' || rest.startsWith('DONE '))) {
      setResult(draft, rec, 'done', order);
      rec.durationS = rest.length > 5 ? parseDurationS(rest.slice(5)) : null;
      rec.completedAt = detach(time);
      return;
    }
    if (c === 67 /* C */) {
      if (rest === 'CACHED') {
        setResult(draft, rec, 'cached', order);
        rec.durationS = null;
        rec.completedAt = detach(time);
        return;
      }
      if (rest === 'CANCELED') {
        setResult(draft, rec, 'canceled', order);
        rec.completedAt = detach(time);
        return;
      }
    }
    if (c === 69 /* E */ && (rest === 'ERROR' || rest.startsWith('ERROR: ') || rest.startsWith('ERROR '))) {
      setResult(draft, rec, 'error', order);
      rec.error = rest.length > 6 ? detach(rest.slice(rest.charCodeAt(5) === 58 ? 7 : 6)) : null;
      rec.completedAt = detach(time);
      return;
    }
    if (c === 87 /* W */ && rest.startsWith('WARN: ')) {
      addWarning(draft, rest.slice(6));
      if (draft.builder.era === 'buildkit-unknown') draft.builder.era = 'buildkit-modern';
      return;
    }
    if (c >= 48 && c <= 57 && isLogLine(rest)) {
      pushOutput(draft, rec, `#0 ${rest}`);
      return;
    }
    if (c === 32 /* space */) {
      const m = OLD_FIELD_RE.exec(rest);
      if (m) {
        readOldField(rec, m[1] as string, detach(m[2] as string), detach(time));
        return;
      }
    }
    if (rest === '...') return;
    applyStatus(draft, rec, rest, parseBytes);
  }

  /** Docker 18.09 printed the vertex fields one per line. */
  function readOldField(rec: VertexRecord, field: string, value: string, time: string | null): void {
    draft.builder.era = 'buildkit-old';
    switch (field) {
      case 'digest':
        rec.digest = value.trim();
        draft.builder.digestLines = true;
        break;
      case 'cached':
        if (value.trim() === 'true') setResult(draft, rec, 'cached', order);
        break;
      case 'completed':
        if (rec.result === null) setResult(draft, rec, 'done', order);
        rec.completedAt = value.trim() || time;
        break;
      case 'started':
        rec.startedAt = value.trim() || time;
        break;
      case 'duration':
        rec.durationS = parseDurationS(value);
        break;
      case 'error': {
        const msg = value.trim().replace(/^"|"$/g, '');
        setResult(draft, rec, msg.endsWith('context canceled') ? 'canceled' : 'error', order);
        rec.error = msg;
        break;
      }
      default:
        break;
    }
  }

  function collectOutsideLine(line: string): void {
    const trimmed = line.trim();
    if (warningList.line(line)) return;
    if (!inTrailer) {
      inTrailer =
        trimmed === '------' ||
        trimmed.startsWith('------ ') ||
        trimmed.startsWith('ERROR: failed to') ||
        trimmed.startsWith('error: failed to') ||
        trimmed.startsWith('failed to solve') ||
        trimmed.startsWith('executor failed running') ||
        /^Dockerfile(?:\S*)?:\d+$/.test(trimmed);
    }
    if (inTrailer && draft.trailer.length < MAX_TRAILER) draft.trailer.push(detach(line));
    else if (!inTrailer && trimmed !== '') draft.unplaced++;
  }
}

/** `#12 …` → 12; -1 when the line is not a vertex line. */
function vertexNumber(line: string): number {
  if (line.charCodeAt(0) !== 35 /* # */) return -1;
  let n = 0;
  let i = 1;
  for (; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32) break;
    if (c < 48 || c > 57 || i > 9) return -1;
    n = n * 10 + (c - 48);
  }
  if (i === 1 || i >= line.length - 1) return -1;
  return n;
}

/** `0.225 text`, `12.34 text`, `123.4`: seconds since the vertex started, then the output. */
function isLogLine(rest: string): boolean {
  return isLogLineAt(rest, 0);
}

function isLogLineAt(line: string, from: number, end = line.length): boolean {
  let i = from;
  let dot = false;
  for (; i < end; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) {
      if (dot) return false;
      dot = true;
    } else if (c < 48 || c > 57) break;
  }
  return dot && i > from + 1 && (i === end || line.charCodeAt(i) === 32 || line.charCodeAt(i) === 13);
}

/** `#<expected> 1.234 …` between start and end: an output line of the vertex printed just before. */
function isOutputOf(text: string, start: number, end: number, expected: number): boolean {
  if (text.charCodeAt(start) !== 35 /* # */) return false;
  let n = 0;
  let i = start + 1;
  const limit = Math.min(end, start + 11);
  for (; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 32) break;
    if (c < 48 || c > 57) return false;
    n = n * 10 + (c - 48);
  }
  if (i === start + 1 || n !== expected || text.charCodeAt(i) !== 32) return false;
  const c = text.charCodeAt(i + 1);
  return c >= 48 && c <= 57 && isLogLineAt(text, i + 1, end);
}

/** `#7 0.225 color=red` → `color=red` (the output ring holds whole lines while reading). */
function withoutLogPrefix(line: string): string {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  return b === -1 ? '' : line.slice(b + 1);
}

/** A first line of an unseen `#N` is its header, unless a paste began mid-stream. */
function looksLikeHeader(rest: string): boolean {
  if (rest === '...' || rest === 'CACHED' || rest === 'CANCELED' || rest === 'DONE') return false;
  if (rest.startsWith('DONE ') || rest.startsWith('ERROR') || rest.startsWith('WARN: ') || isLogLine(rest)) return false;
  return !STATUS_START_RE.test(rest);
}

// Status lines a paste can begin with (the vertex header scrolled away above it).
// (`resolve image config for …` and `exporting to image`/`exporting cache` are vertex names, not statuses.)
const STATUS_START_RE =
  /^(?:sha256:[0-9a-f]{6,}|extracting |transferring |resolve (?!image config)|exporting (?!to |cache)|writing |naming |unpacking |preparing |pulling |pushing |copying |reading from )/;

/** Vertex names the printer re-prints: Dockerfile steps and internal or export vertices. */
function isVertexName(rest: string): boolean {
  return rest.charCodeAt(0) === 91 /* [ */ || /^(?:exporting to|importing cache|resolve image config|docker-image:\/\/)/.test(rest);
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
  if ((first !== undefined && first.result === null) || rest.charCodeAt(0) !== 91 /* [ */ || !INTERNAL_LOAD_RE.test(rest)) return false;
  for (const [n, r] of byNumber) if (n > 2 && r.result !== null) return true;
  return false;
}

/** Stamps going back more than this start another build; less is a stamper's jitter. */
const CLOCK_BACK_S = 120;
/** Going back by half a day or more is the clock passing midnight. */
const HALF_DAY_S = 12 * 3600;

/** `[beat stage-1 6/6] RUN x` and `[worker stage-1 6/6] RUN x`: the same step, named after two targets. */
function sameStepOtherTarget(a: string, b: string): boolean {
  const ma = TARGETED_STEP_RE.exec(a);
  const mb = TARGETED_STEP_RE.exec(b);
  return ma !== null && mb !== null && ma[1] !== mb[1] && ma[2] === mb[2];
}

const TARGETED_STEP_RE = /^\[([^\s/]+) (\S+ \d+\/\d+\] .*)$/;

/** Lines held at a possible next build before it counts as the same build. */
const MAX_HELD_LINES = 400;

const INTERNAL_LOAD_RE = /^\[(?:[^\]]* )?internal\] load /;
/** The legacy builder starting (a script that builds with both). */
const LEGACY_START_RE = /^(?:Sending build context to Docker daemon|Step 1(?:\/\d+)? : |\s*\[\+\] Building [\d.]+s \()/;
