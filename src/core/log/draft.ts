/**
 * The vertex-level facts a BuildKit reader (plain, tty, rawjson) collects while it reads, before they are
 * turned into a BuildTrace by `assemble.ts`. Keeping the readers down to "fill these records" is what
 * lets all three agree on statuses, ordering and notes.
 */
import type { BuildTrace, InputProblem, LinePrefixStyle, LogFormat } from '../model.ts';

export type VertexResult = 'done' | 'cached' | 'error' | 'canceled';

/** Bounds on what we keep per vertex, so a 50 MB log does not keep 50 MB of strings alive. */
export const MAX_STATUSES = 12;
export const MAX_OUTPUT = 20;
export const MAX_ERROR_LINES = 40;
/** Real builds have hundreds of vertices; a log with more is generated or hostile, and is read up to here. */
export const MAX_VERTICES = 20_000;
export const MAX_WARNINGS = 200;

/** The summary buildx prints after the progress (`2 warnings found (use docker --debug to expand):`) and its items. */
const WARNINGS_FOUND_RE = /^\s*\d+ warnings? found/;
const WARNING_ITEM_RE = /^\s*- (.+)$/;

/**
 * Reads the build checks' closing summary in any progress mode: `line` takes every line that is no
 * progress line and answers whether it was the summary's (its count line or one of its ` - Rule: …`
 * items); a progress line ends the list (`interrupt`).
 */
export interface WarningListReader {
  line(text: string): boolean;
  interrupt(): void;
}

export function warningListReader(draft: Draft): WarningListReader {
  let inList = false;
  return {
    line(text) {
      if (inList) {
        const item = WARNING_ITEM_RE.exec(text);
        if (item) {
          addWarning(draft, item[1] as string);
          return true;
        }
      }
      inList = WARNINGS_FOUND_RE.test(text);
      return inList;
    },
    interrupt() {
      inList = false;
    },
  };
}

export interface VertexRecord {
  name: string;
  /** `#N` numbers that carried this vertex (plain). */
  numbers: number[];
  digest: string | null;
  /** The last result printed wins (FROM can print `DONE 0.0s` and later `CACHED`). */
  result: VertexResult | null;
  durationS: number | null;
  error: string | null;
  statuses: string[];
  /** The last lines the step printed, filled by settleOutput from the ring. */
  output: string[];
  ring: (string | number)[];
  ringCount: number;
  /** The block (see `endBlock`) whose text the ring last took lines from. */
  ringBlock: number;
  /** Layer downloads or extraction were seen under it: for a FROM, the image was pulled. */
  pulled: boolean;
  /** `resolve ref@sha256:… done` status of a FROM. */
  resolvedDigest: string | null;
  startedAt: string | null;
  completedAt: string | null;
  /** Position of the first appearance in the stream. */
  order: number;
  /** Position in the stream of the last result, to tell results printed after the build failed. */
  resultOrder: number;
  inputs?: string[];
  /** rawjson lists vertices the solver planned but never started. */
  neverStarted: boolean;
  /** The printer cut the name (`PROGRESS_NO_TRUNC=0`, tty width). */
  nameTruncated: boolean;
  /** Bytes of a `transferring …: N done` status. */
  transferBytes: number | null;
  /** tty mode prints `CACHED`/`ERROR` but not whether a plain entry finished; see tty.ts. */
  ttyRunning?: boolean;
}

export interface Draft {
  source: string;
  format: LogFormat;
  linePrefix: LinePrefixStyle;
  builder: BuildTrace['builder'];
  records: VertexRecord[];
  /** Lines after the progress stream: `------` blocks, the Dockerfile excerpt, the final `ERROR:` line. */
  trailer: string[];
  warnings: string[];
  notes: string[];
  problems: InputProblem[];
  imageId: string | null;
  /** Stream position of the first ERROR result, or Infinity. */
  firstErrorOrder: number;
  /** The reader saw the build end normally (tty `FINISHED`, plain export DONE, rawjson last vertex done). */
  finished: boolean | null;
  /** The reader knows the text stops mid-build. */
  cut: boolean;
  startedAt: string | null;
  completedAt: string | null;
  /** Count of the blocks of text read so far (see `endBlock`). */
  block: number;
  /** Records whose output ring took lines from the current block. */
  touched: VertexRecord[];
  /** Lines that were neither build progress nor a known trailer (shell output, chatter around a paste). */
  unplaced: number;
}

/**
 * A reader is fed the log in blocks of whole lines (the whole text, or the pieces of a stream cut after
 * a line end; only the last block may end without one), then asked for its result once. `push` returns
 * false when the reader has read all it wants (a second build, too many vertices): the rest of the log
 * need not be read.
 */
export interface BlockReader<T> {
  push(block: string): boolean;
  /**
   * After `push` returned false because the next build begins in the block: where its first line starts
   * in that block (the text from there on is read as the next build). -1 or absent otherwise.
   */
  nextBuildAt?(): number;
  /** Text of earlier blocks that belongs before `nextBuildAt` (lines held while the reader made sure). */
  nextBuildHeld?(): string;
  finish(): T;
}

/** What a reader's line handler answers: false when the reader stops there (the next build begins, too many vertices). */
export type Going = boolean | void;

/**
 * A copy of `s` that does not keep alive the block of log text it was cut from. (V8 makes a substring
 * a view on its parent, so one kept 80-character line would otherwise pin a whole megabyte of a stream.)
 * Everything a reader keeps past the block it is reading goes through here.
 */
export function detach(s: string): string;
export function detach(s: string | null): string | null;
export function detach(s: string | null): string | null {
  // Below 13 characters V8 copies substrings anyway; `' ' + s` then slice flattens into a fresh string.
  return s === null || s.length < 13 ? s : (' ' + s).slice(1);
}

export function newDraft(source: string, format: LogFormat, linePrefix: LinePrefixStyle): Draft {
  return {
    source,
    format,
    linePrefix,
    builder: { name: null, driver: null, digestLines: false, era: 'buildkit-unknown' },
    records: [],
    trailer: [],
    warnings: [],
    notes: [],
    problems: [],
    imageId: null,
    firstErrorOrder: Number.POSITIVE_INFINITY,
    finished: null,
    cut: false,
    startedAt: null,
    completedAt: null,
    block: 0,
    touched: [],
    unplaced: 0,
  };
}

/** Registers a new vertex; false (and a note, once) when the log has more vertices than we keep. */
export function addRecord(draft: Draft, rec: VertexRecord): boolean {
  if (draft.records.length >= MAX_VERTICES) {
    if (!draft.notes.some((n) => n.startsWith('More than'))) {
      draft.notes.push(`More than ${MAX_VERTICES} vertices: the rest of the log was not read.`);
      draft.cut = true;
    }
    return false;
  }
  draft.records.push(rec);
  return true;
}

export function addWarning(draft: Draft, text: string): void {
  if (draft.warnings.length < MAX_WARNINGS) draft.warnings.push(detach(text));
}

export function newRecord(name: string, order: number): VertexRecord {
  return {
    name: detach(name),
    numbers: [],
    digest: null,
    result: null,
    durationS: null,
    error: null,
    statuses: [],
    output: [],
    ring: [],
    ringCount: 0,
    ringBlock: -1,
    pulled: false,
    resolvedDigest: null,
    startedAt: null,
    completedAt: null,
    order,
    resultOrder: -1,
    neverStarted: false,
    nameTruncated: false,
    transferBytes: null,
  };
}

/**
 * Keeps the last MAX_OUTPUT lines in a ring (a log can print millions). A number is the offset of a line
 * in the current block, so the hot path never has to cut a string; `endBlock` turns those into lines
 * before the block goes.
 */
export function pushOutput(draft: Draft, rec: VertexRecord, line: string | number): void {
  rec.ring[rec.ringCount % MAX_OUTPUT] = line;
  rec.ringCount++;
  if (rec.ringBlock !== draft.block) {
    rec.ringBlock = draft.block;
    draft.touched.push(rec);
  }
}

/** The reader is done with `block`: the output lines taken from it become strings of their own. */
export function endBlock(draft: Draft, block: string): void {
  for (const rec of draft.touched) {
    const ring = rec.ring;
    for (let i = 0; i < ring.length; i++) {
      const entry = ring[i] as string | number;
      ring[i] = detach(typeof entry === 'number' ? lineAt(block, entry) : entry);
    }
  }
  draft.touched = [];
  draft.block++;
}

/** Turns the output ring into lines in print order, each passed through `clean`. */
export function settleOutput(rec: VertexRecord, clean?: (line: string) => string): void {
  const ring = rec.ring;
  const start = rec.ringCount > MAX_OUTPUT ? rec.ringCount % MAX_OUTPUT : 0;
  const ordered = ring.slice(start).concat(ring.slice(0, start)) as string[];
  rec.output = clean ? ordered.map(clean) : ordered;
  rec.ring = [];
  rec.ringCount = 0;
}

function lineAt(text: string, start: number): string {
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end);
}

// `sha256:<blob> 12.3MB / 45.6MB 0.2s` and `extracting sha256:…`: layer work, i.e. the image was pulled.
// A layer download or extraction; the tty view cuts the digest to fit (`sha256:372f3cfc1738 10.29kB / 10.29kB`).
const LAYER_STATUS_RE = /^(?:extracting |pulling )?sha256:[0-9a-f]{64}(?: |$)|^sha256:[0-9a-f]{8,63} [\d.]+\s?[kMGT]?B \/ /;
const TRANSFER_RE = /^transferring (?:context|dockerfile): ([\d.]+\s?[kKMGTP]?i?B)/;
const RESOLVE_RE = /^resolve \S+@(sha256:[0-9a-f]{64})/;
const WRITING_IMAGE_RE = /^writing image (sha256:[0-9a-f]{64})/;

/** Applies one status line to a record: transfer sizes, layer pulls, resolved digests, the image ID. */
export function applyStatus(draft: Draft, rec: VertexRecord, status: string, parseBytes: (t: string) => number | null): void {
  // The same status is re-printed as it progresses; keep the latest form of each, bounded.
  status = detach(status);
  const key = status.slice(0, 24);
  const last = rec.statuses[rec.statuses.length - 1];
  if (last !== undefined && last.slice(0, 24) === key) rec.statuses[rec.statuses.length - 1] = status;
  else if (rec.statuses.length < MAX_STATUSES) rec.statuses.push(status);
  const c = status.charCodeAt(0);
  if (c === 116 /* t */) {
    const m = TRANSFER_RE.exec(status);
    if (m) rec.transferBytes = parseBytes(m[1] as string);
  } else if (c === 115 /* s */ || c === 101 /* e */ || c === 112 /* p */) {
    if (LAYER_STATUS_RE.test(status)) rec.pulled = true;
  } else if (c === 114 /* r */) {
    const m = RESOLVE_RE.exec(status);
    if (m) rec.resolvedDigest = m[1] as string;
  } else if (c === 119 /* w */) {
    const m = WRITING_IMAGE_RE.exec(status);
    if (m) draft.imageId = m[1] as string;
  }
}

export function setResult(draft: Draft, rec: VertexRecord, result: VertexResult, order: number): void {
  rec.result = result;
  rec.resultOrder = order;
  if (result === 'error' && order < draft.firstErrorOrder) draft.firstErrorOrder = order;
}
