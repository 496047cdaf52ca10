/**
 * `--progress=rawjson` (BuildKit ≥ v0.13): a stream of `client.SolveStatus` objects, pretty-printed over
 * many lines by buildx 0.13 and one per line elsewhere. A brace-depth splitter that knows JSON strings
 * (which may hold braces) cuts the stream into objects without caring about line breaks.
 *
 * Each object updates vertices by digest; an update replaces the vertex's state, so the last one wins.
 * The stream also lists vertices the solver planned but never started: those are `not-run`, never built.
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
} from './draft.ts';
import { LineCleaner, type PrefixPlan } from './lines.ts';
import { parseBytes, secondsBetween } from './units.ts';

interface RawVertex {
  digest?: string;
  inputs?: string[];
  name?: string;
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}
interface RawStatus {
  id?: string;
  vertex?: string;
  current?: number;
  total?: number;
  completed?: string;
}
interface RawLog {
  vertex?: string;
  data?: string;
}
interface RawWarning {
  vertex?: string;
  short?: string;
}
interface SolveStatus {
  vertexes?: RawVertex[];
  statuses?: RawStatus[];
  logs?: RawLog[];
  warnings?: RawWarning[];
}

/** The last state reported for each vertex, with where it was reported. */
interface VertexState {
  rec: VertexRecord;
  last: RawVertex;
  lastOrder: number;
  firstStarted: string | null;
}

/** More unreadable objects than this are counted in one note rather than one note each. */
const MAX_BAD_OBJECT_NOTES = 20;

interface RawJsonState {
  draft: Draft;
  byDigest: Map<string, VertexState>;
  /** Position of the object being read in the stream. */
  order: number;
  badObjects: number;
  decoder: TextDecoder;
  /** Updates for vertices beyond MAX_VERTICES land here and are dropped. */
  overflow: VertexState;
}

/**
 * The stream's grammar is JSON's: its "line kinds" are the lists of a `SolveStatus` object, each item read
 * by its list's handler over the reader's state (`RawJsonState`).
 */
export function rawJsonReader(source: string, plan: PrefixPlan): BlockReader<Draft> {
  const draft = newDraft(source, 'buildkit-rawjson', plan.style);
  draft.builder.era = 'buildkit-modern';
  const s: RawJsonState = {
    draft,
    byDigest: new Map(),
    order: 0,
    badObjects: 0,
    decoder: new TextDecoder(),
    overflow: { rec: newRecord('', 0), last: {}, lastOrder: 0, firstStarted: null },
  };
  // Pretty-printed objects span many lines: CI decoration is taken off each line first.
  const cleaner = plan.style !== 'none' || plan.ansi ? new LineCleaner(plan) : null;
  const splitter = new JsonStreamSplitter(
    (json) => readObject(s, json),
    (line) => {
      if (draft.trailer.length < 200) draft.trailer.push(detach(line));
    },
  );
  return {
    push(block: string): boolean {
      if (cleaner === null) splitter.write(block);
      else {
        cleaner.lines(block, (line) => {
          splitter.write(line);
          splitter.write('\n');
        });
      }
      endBlock(draft, block);
      return true;
    },
    finish: () => finish(s, splitter.finish()),
  };
}

function readObject(s: RawJsonState, json: string): void {
  s.order++;
  let obj: SolveStatus;
  try {
    obj = JSON.parse(json) as SolveStatus;
  } catch {
    s.badObjects++;
    if (s.badObjects <= MAX_BAD_OBJECT_NOTES) s.draft.notes.push(`A JSON object at position ${s.order} could not be read and was skipped.`);
    return;
  }
  // The JSON comes from the user: every field may have any type (a nested object where a list is due
  // threw "object is not iterable"). Only lists of objects and string fields are read.
  if (obj === null || typeof obj !== 'object') return;
  // Vertices first: the other lists name them.
  for (const v of objects(obj.vertexes)) LIST_HANDLERS.vertexes(s, v);
  for (const status of objects(obj.statuses)) LIST_HANDLERS.statuses(s, status);
  for (const l of objects(obj.logs)) LIST_HANDLERS.logs(s, l);
  for (const w of objects(obj.warnings)) LIST_HANDLERS.warnings(s, w);
}

type ListHandlers = { [K in keyof SolveStatus]-?: (s: RawJsonState, item: NonNullable<SolveStatus[K]>[number]) => void };

const LIST_HANDLERS: ListHandlers = {
  vertexes(s, v) {
    if (typeof v.digest !== 'string' || !v.digest) return;
    const st = vertexState(s, v.digest);
    // (Strings from JSON.parse can be views on the stream's text: what is kept is detached.)
    if (typeof v.name === 'string' && v.name) st.rec.name = detach(v.name);
    if (Array.isArray(v.inputs)) st.rec.inputs = v.inputs.filter((i): i is string => typeof i === 'string').map((i) => detach(i));
    st.lastOrder = s.order;
    if (typeof v.started === 'string' && v.started) st.firstStarted ??= detach(v.started);
    // Only what is read at the end is kept; times and errors of other types are dropped, so what
    // follows only meets strings.
    st.last = { cached: Boolean(v.cached) };
    if (typeof v.completed === 'string') st.last.completed = detach(v.completed);
    if (typeof v.started === 'string') st.last.started = detach(v.started);
    if (typeof v.error === 'string') st.last.error = detach(v.error);
  },
  statuses(s, status) {
    if (typeof status.vertex !== 'string' || !status.vertex || typeof status.id !== 'string' || !status.id) return;
    const st = vertexState(s, status.vertex);
    const size = typeof status.current === 'number' && status.current > 0 && status.id.startsWith('transferring') ? ` ${status.current}B` : '';
    applyStatus(s.draft, st.rec, `${status.id}${size}${status.completed ? ' done' : ''}`, parseBytes);
  },
  logs(s, l) {
    if (typeof l.vertex !== 'string' || !l.vertex || typeof l.data !== 'string' || !l.data) return;
    const st = vertexState(s, l.vertex);
    for (const line of decodeBase64(l.data, s.decoder).split('\n')) if (line !== '') pushOutput(s.draft, st.rec, line);
  },
  warnings(s, w) {
    if (typeof w.short === 'string' && w.short) addWarning(s.draft, decodeBase64(w.short, s.decoder));
  },
};

function vertexState(s: RawJsonState, digest: string): VertexState {
  let st = s.byDigest.get(digest);
  if (!st) {
    const key = detach(digest);
    const rec = newRecord('', s.order);
    rec.digest = key;
    rec.inputs = []; // rawjson always knows the input graph; a vertex without `inputs` has none
    if (!addRecord(s.draft, rec)) return s.overflow;
    st = { rec, last: {}, lastOrder: s.order, firstStarted: null };
    s.byDigest.set(key, st);
  }
  return st;
}

/** `complete`: the stream did not end inside an object. */
function finish(s: RawJsonState, complete: boolean): Draft {
  const draft = s.draft;
  if (s.badObjects > MAX_BAD_OBJECT_NOTES) draft.notes.push(`${s.badObjects - MAX_BAD_OBJECT_NOTES} more JSON objects could not be read and were skipped.`);
  if (!complete) {
    draft.cut = true;
    draft.notes.push('The JSON stream ends inside an object: the log is cut.');
  }
  for (const st of s.byDigest.values()) settleVertex(draft, st);
  if (s.byDigest.size > 0 && [...s.byDigest.values()].some((st) => st.rec.neverStarted)) {
    draft.notes.push('The rawjson stream lists steps that never started; they are marked not-run.');
  }
  return draft;
}

/** A vertex's result is its last update's; its times widen the build's. */
function settleVertex(draft: Draft, { rec, last, lastOrder, firstStarted }: VertexState): void {
  settleOutput(rec);
  rec.startedAt = firstStarted;
  rec.completedAt = last.completed ?? null;
  if (last.cached) setResult(draft, rec, 'cached', lastOrder);
  else if (last.error) {
    // BuildKit's own printers show a vertex whose error ends in "context canceled" as CANCELED.
    setResult(draft, rec, last.error.endsWith('context canceled') ? 'canceled' : 'error', lastOrder);
    rec.error = last.error;
  } else if (last.completed) setResult(draft, rec, 'done', lastOrder);
  else if (!last.started) rec.neverStarted = true;
  if (rec.result === 'done' || rec.result === 'error' || rec.result === 'canceled') rec.durationS = secondsBetween(last.started, last.completed);
  if (!rec.name) rec.name = `(vertex ${rec.digest ?? '?'} without a name)`;
  if (firstStarted) {
    if (draft.startedAt === null || firstStarted < draft.startedAt) draft.startedAt = firstStarted;
  }
  if (last.completed && (draft.completedAt === null || last.completed > draft.completedAt)) draft.completedAt = last.completed;
}

function decodeBase64(data: string, decoder: TextDecoder): string {
  try {
    const bin = atob(data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return decoder.decode(bytes);
  } catch {
    return data;
  }
}

/**
 * Cuts a stream into its top-level `{…}` objects (`onObject`) and the non-blank lines between them
 * (`onText`: buildx prints the Dockerfile excerpt and the final error as plain text after the stream),
 * fed in pieces cut anywhere. A brace-depth count that knows JSON strings (which may hold braces).
 */
export class JsonStreamSplitter {
  readonly #onObject: (json: string) => void;
  readonly #onText: (line: string) => void;
  /** Where the splitter is: between objects, inside one, or on a text line. */
  #mode: 'between' | 'object' | 'text' = 'between';
  /** The pieces of the object or text line not finished yet. */
  #parts: string[] = [];
  #depth = 0;
  #inString = false;
  /** The previous piece ended on a backslash inside a string: the next character is escaped. */
  #escaped = false;

  constructor(onObject: (json: string) => void, onText: (line: string) => void) {
    this.#onObject = onObject;
    this.#onText = onText;
  }

  write(text: string): void {
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (this.#mode === 'between') {
        const c = text.charCodeAt(i);
        if (c === 32 || c === 10 || c === 13 || c === 9) {
          i++;
          continue;
        }
        this.#mode = c === 123 /* { */ ? 'object' : 'text';
        this.#parts = [];
        this.#depth = 0;
        this.#inString = false;
        this.#escaped = false;
      }
      if (this.#mode === 'text') {
        const end = text.indexOf('\n', i);
        if (end === -1) {
          this.#parts.push(text.slice(i));
          return;
        }
        this.#parts.push(text.slice(i, end));
        this.#endText();
        i = end + 1;
        continue;
      }
      const start = i;
      if (this.#escaped) {
        this.#escaped = false;
        i++;
      }
      let depth = this.#depth;
      let inString = this.#inString;
      let closed = false;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (inString) {
          if (d === 92 /* \ */) {
            i++;
            if (i === n) this.#escaped = true;
          } else if (d === 34 /* " */) inString = false;
        } else if (d === 34) inString = true;
        else if (d === 123) depth++;
        else if (d === 125 /* } */) {
          depth--;
          if (depth === 0) {
            closed = true;
            break;
          }
        }
      }
      this.#depth = depth;
      this.#inString = inString;
      if (!closed) {
        this.#parts.push(text.slice(start));
        return;
      }
      this.#parts.push(text.slice(start, i + 1));
      const json = this.#parts.length === 1 ? (this.#parts[0] as string) : this.#parts.join('');
      this.#parts = [];
      this.#mode = 'between';
      this.#onObject(json);
      i++;
    }
  }

  /** False when the stream ends inside an object. */
  finish(): boolean {
    if (this.#mode === 'text') this.#endText();
    return this.#mode !== 'object';
  }

  #endText(): void {
    const line = this.#parts.join('').trimEnd();
    this.#parts = [];
    this.#mode = 'between';
    if (line !== '') this.#onText(line);
  }
}

/** The objects of a list from untrusted JSON; anything that is not a list of objects gives none. */
function objects<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value.filter((item) => item !== null && typeof item === 'object') : [];
}
