/**
 * `--progress=rawjson` (BuildKit ≥ v0.13): a stream of `client.SolveStatus` objects, pretty-printed over
 * many lines by buildx 0.13 and one per line elsewhere. A brace-depth splitter that knows JSON strings
 * (which may hold braces) cuts the stream into objects without caring about line breaks.
 *
 * Each object updates vertices by digest; an update replaces the vertex's state, so the last one wins.
 * The stream also lists vertices the solver planned but never started: those are `not-run`, never built.
 */
import { addRecord, addWarning, applyStatus, newDraft, newRecord, pushOutput, setResult, settleOutput, type Draft, type VertexRecord } from './draft.ts';
import { eachLine, type PrefixPlan } from './lines.ts';
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

export function readRawJson(text: string, source: string, plan: PrefixPlan): Draft {
  const draft = newDraft(source, 'buildkit-rawjson', plan.style);
  draft.builder.era = 'buildkit-modern';
  if (plan.style !== 'none' || plan.ansi) text = undecorated(text, plan);
  const byDigest = new Map<string, VertexState>();
  let order = 0;
  const decoder = new TextDecoder();

  // Updates for vertices beyond MAX_VERTICES land here and are dropped.
  const overflow: VertexState = { rec: newRecord('', 0), last: {}, lastOrder: 0, firstStarted: null };
  const vertexRecord = (digest: string): VertexState => {
    let st = byDigest.get(digest);
    if (!st) {
      const rec = newRecord('', order);
      rec.digest = digest;
      rec.inputs = []; // rawjson always knows the input graph; a vertex without `inputs` has none
      if (!addRecord(draft, rec)) return overflow;
      st = { rec, last: {}, lastOrder: order, firstStarted: null };
      byDigest.set(digest, st);
    }
    return st;
  };

  const complete = splitJsonStream(
    text,
    (json) => {
      order++;
      let obj: SolveStatus;
      try {
        obj = JSON.parse(json) as SolveStatus;
      } catch {
        draft.notes.push(`A JSON object at position ${order} could not be read and was skipped.`);
        return;
      }
      // The JSON comes from the user: every field may have any type (a nested object where a list is due
      // threw "object is not iterable"). Only lists of objects and string fields are read.
      if (obj === null || typeof obj !== 'object') return;
      for (const v of objects(obj.vertexes)) {
        if (typeof v.digest !== 'string' || !v.digest) continue;
        const st = vertexRecord(v.digest);
        if (typeof v.name === 'string' && v.name) st.rec.name = v.name;
        if (Array.isArray(v.inputs)) st.rec.inputs = v.inputs.filter((i): i is string => typeof i === 'string');
        st.last = v;
        st.lastOrder = order;
        if (typeof v.started === 'string' && v.started) st.firstStarted ??= v.started;
        // Times and errors of other types are dropped here, so what follows only meets strings.
        if (typeof v.completed !== 'string') delete v.completed;
        if (typeof v.started !== 'string') delete v.started;
        if (typeof v.error !== 'string') delete v.error;
      }
      for (const s of objects(obj.statuses)) {
        if (typeof s.vertex !== 'string' || !s.vertex || typeof s.id !== 'string' || !s.id) continue;
        const st = vertexRecord(s.vertex);
        const size = typeof s.current === 'number' && s.current > 0 && s.id.startsWith('transferring') ? ` ${s.current}B` : '';
        applyStatus(draft, st.rec, `${s.id}${size}${s.completed ? ' done' : ''}`, parseBytes);
      }
      for (const l of objects(obj.logs)) {
        if (typeof l.vertex !== 'string' || !l.vertex || typeof l.data !== 'string' || !l.data) continue;
        const st = vertexRecord(l.vertex);
        for (const line of decodeBase64(l.data, decoder).split('\n')) if (line !== '') pushOutput(st.rec, line);
      }
      for (const w of objects(obj.warnings)) if (typeof w.short === 'string' && w.short) addWarning(draft, decodeBase64(w.short, decoder));
    },
    (line) => {
      if (draft.trailer.length < 200) draft.trailer.push(line);
    },
  );

  if (!complete) {
    draft.cut = true;
    draft.notes.push('The JSON stream ends inside an object: the log is cut.');
  }
  for (const { rec, last, lastOrder, firstStarted } of byDigest.values()) {
    settleOutput(rec, null);
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
  if (byDigest.size > 0 && [...byDigest.values()].some((s) => s.rec.neverStarted)) {
    draft.notes.push('The rawjson stream lists steps that never started; they are marked not-run.');
  }
  return draft;
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

/** The stream with CI decoration taken off each line (pretty-printed objects span many lines). */
function undecorated(text: string, plan: PrefixPlan): string {
  const parts: string[] = [];
  eachLine(text, plan, (line) => {
    parts.push(line);
  });
  return parts.join('\n');
}

/**
 * Calls `onObject` with the text of each top-level `{…}` and `onText` with each non-blank line between
 * objects (buildx prints the Dockerfile excerpt and the final error as plain text after the stream).
 * Returns false when the text ends inside an object.
 */
export function splitJsonStream(text: string, onObject: (json: string) => void, onText: (line: string) => void): boolean {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
      continue;
    }
    if (c !== 123 /* { */) {
      let end = text.indexOf('\n', i);
      if (end === -1) end = n;
      const line = text.slice(i, end).trimEnd();
      if (line !== '') onText(line);
      i = end + 1;
      continue;
    }
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const d = text.charCodeAt(i);
      if (inString) {
        if (d === 92 /* \ */) i++;
        else if (d === 34 /* " */) inString = false;
      } else if (d === 34) inString = true;
      else if (d === 123) depth++;
      else if (d === 125 /* } */) {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) return false;
    onObject(text.slice(start, i + 1));
    i++;
  }
  return true;
}

/** The objects of a list from untrusted JSON; anything that is not a list of objects gives none. */
function objects<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value.filter((item) => item !== null && typeof item === 'object') : [];
}
