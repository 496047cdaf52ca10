/**
 * A compact binary form of any JSON value, for share links (format 2, see share-v2.ts).
 *
 * Why not JSON: a report repeats itself far more than deflate can take away cheaply. The same step
 * reference, instruction, status list or whole content key appears in builds, diagnosis, hash notes,
 * contexts and context diffs; deflate pays 2–4 bytes for each repeat, this form pays one. Digests are the
 * other cost: a `sha256:<64 hex>` string is 71 characters that deflate can only squeeze to ~36 bytes;
 * here it is its 32 raw bytes.
 *
 * The form (never change it: a new form is a new link version):
 * - every value starts with one tag byte; small numbers and references live in the tag itself;
 * - every string is kept in a table on first sight, later sights are a reference to it;
 * - every object key list ("shape") is kept likewise, so an object is its shape plus its values;
 * - every non-empty array or object is kept once it is whole (children before parents, in the same
 *   order on both sides), and a later deep-equal one is a reference to it;
 * - a list of objects that share one shape is written column by column (a table);
 * - a `sha256:` digest in lowercase hex is stored as its 32 bytes (and kept in the string table).
 * Decoding is bounded: references expand, so the decoder counts the values it builds and stops.
 */

/** The tags. The ranges at the end carry their number in the tag: fewer bytes for the common case. */
const TAG = {
  null: 0,
  false: 1,
  true: 2,
  /** A zigzag varint follows. */
  int: 3,
  /** A non-integer: its shortest decimal text follows as a length-prefixed string (exact round trip). */
  decimal: 4,
  /** A new string: varint byte length, then UTF-8. */
  string: 5,
  /** A new digest: 32 bytes. */
  digest: 6,
  stringRef: 7,
  valueRef: 8,
  shapeRef: 9,
  /** An array: varint length, then the items. */
  array: 10,
  /** An object of a new shape: varint key count, the keys (as strings), then the values. */
  object: 11,
  /**
   * A list of two or more objects of one shape, column by column: varint length, the shape (a shapeRef or a
   * new shape as in `object`, without values), then each key's values. Columns put alike values side by
   * side (statuses, durations), which deflate then takes as runs.
   */
  table: 12,
  /** 16–47: the integers 0–31. */
  smallInt: 16,
  /** 48–111: string references 0–63. */
  smallStringRef: 48,
  /** 112–175: value references 0–63. */
  smallValueRef: 112,
  /** 176–239: shape references 0–63. */
  smallShapeRef: 176,
} as const;
const SMALL = { int: 32, ref: 64 } as const;

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const DIGEST_PREFIX = 'sha256:';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// --- writing ------------------------------------------------------------------------------------------

class Writer {
  #bytes = new Uint8Array(1024);
  #at = 0;

  byte(value: number): void {
    if (this.#at === this.#bytes.length) this.#grow(1);
    this.#bytes[this.#at++] = value;
  }

  bytes(values: Uint8Array): void {
    if (this.#at + values.length > this.#bytes.length) this.#grow(values.length);
    this.#bytes.set(values, this.#at);
    this.#at += values.length;
  }

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.byte((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.byte(rest);
  }

  done(): Uint8Array {
    return this.#bytes.slice(0, this.#at);
  }

  #grow(need: number): void {
    const next = new Uint8Array(Math.max(this.#bytes.length * 2, this.#at + need));
    next.set(this.#bytes.subarray(0, this.#at));
    this.#bytes = next;
  }
}

/** Tables the encoder fills in the same order as the decoder will. */
interface PackState {
  out: Writer;
  strings: Map<string, number>;
  shapes: Map<string, number>;
  values: Map<string, number>;
}

/** Packs a JSON value (what `JSON.parse(JSON.stringify(v))` gives: no undefined, no NaN). */
export function pack(value: Json): Uint8Array {
  const state: PackState = { out: new Writer(), strings: new Map(), shapes: new Map(), values: new Map() };
  packValue(state, value);
  return state.out.done();
}

function packValue(state: PackState, value: Json): void {
  const { out } = state;
  if (value === null) return out.byte(TAG.null);
  if (typeof value === 'boolean') return out.byte(value ? TAG.true : TAG.false);
  if (typeof value === 'number') return packNumber(out, value);
  if (typeof value === 'string') return packString(state, value);
  // Containers: a deep-equal one seen before is a reference. JSON text is the identity (key order counts,
  // so the decoded value is the same text too).
  const identity = value.length === 0 || Object.keys(value).length === 0 ? null : JSON.stringify(value);
  const seen = identity === null ? undefined : state.values.get(identity);
  if (seen !== undefined) return packRef(out, TAG.smallValueRef, TAG.valueRef, seen);
  const table = Array.isArray(value) ? tableShape(value) : null;
  if (table) {
    packTable(state, value as { [key: string]: Json }[], table);
  } else if (Array.isArray(value)) {
    out.byte(TAG.array);
    out.varint(value.length);
    for (const item of value) packValue(state, item);
  } else {
    packObject(state, value);
  }
  if (identity !== null) state.values.set(identity, state.values.size);
}

function packObject(state: PackState, value: { [key: string]: Json }): void {
  const keys = Object.keys(value);
  packShape(state, keys, TAG.object);
  for (const key of keys) packValue(state, value[key]!);
}

/** The keys every item has, in the same order, when the list is a table (two or more such objects). */
function tableShape(items: Json[]): string[] | null {
  if (items.length < 2) return null;
  let keys: string[] | null = null;
  for (const item of items) {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return null;
    const own = Object.keys(item);
    if (own.length === 0) return null;
    if (keys === null) keys = own;
    else if (own.length !== keys.length || own.some((key, i) => key !== keys![i])) return null;
  }
  return keys;
}

function packTable(state: PackState, rows: { [key: string]: Json }[], keys: string[]): void {
  state.out.byte(TAG.table);
  state.out.varint(rows.length);
  packShape(state, keys, TAG.object);
  for (const key of keys) for (const row of rows) packValue(state, row[key]!);
}

/** A shape seen before is its reference; a new one is `tag`, the key count and the keys. */
function packShape(state: PackState, keys: string[], tag: number): void {
  const shape = JSON.stringify(keys);
  const known = state.shapes.get(shape);
  if (known !== undefined) return packRef(state.out, TAG.smallShapeRef, TAG.shapeRef, known);
  state.out.byte(tag);
  state.out.varint(keys.length);
  for (const key of keys) packString(state, key);
  state.shapes.set(shape, state.shapes.size);
}

function packNumber(out: Writer, value: number): void {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    if (value >= 0 && value < SMALL.int) return out.byte(TAG.smallInt + value);
    out.byte(TAG.int);
    out.varint(value < 0 ? -2 * value - 1 : 2 * value);
    return;
  }
  out.byte(TAG.decimal);
  writeUtf8(out, JSON.stringify(value));
}

function packString(state: PackState, value: string): void {
  const known = state.strings.get(value);
  if (known !== undefined) return packRef(state.out, TAG.smallStringRef, TAG.stringRef, known);
  state.strings.set(value, state.strings.size);
  if (DIGEST.test(value)) {
    state.out.byte(TAG.digest);
    state.out.bytes(hexBytes(value.slice(DIGEST_PREFIX.length)));
    return;
  }
  state.out.byte(TAG.string);
  writeUtf8(state.out, value);
}

function packRef(out: Writer, small: number, wide: number, index: number): void {
  if (index < SMALL.ref) return out.byte(small + index);
  out.byte(wide);
  out.varint(index);
}

function writeUtf8(out: Writer, text: string): void {
  const bytes = new TextEncoder().encode(text);
  out.varint(bytes.length);
  out.bytes(bytes);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

// --- reading ------------------------------------------------------------------------------------------

/** Why a packed value could not be read; `too-large` when its references expand past the budget. */
export class UnpackError extends Error {
  constructor(
    readonly reason: 'corrupt' | 'too-large',
    message: string,
  ) {
    super(message);
  }
}

/** Values nested deeper than this are not a report (and would overflow the stack). */
const MAX_DEPTH = 64;

interface UnpackState {
  bytes: Uint8Array;
  at: number;
  strings: string[];
  shapes: string[][];
  values: Json[];
  /** Sizes (in values) of `values`, so a reference is charged what it expands to. */
  sizes: number[];
  /** Values built so far, references counted at their expanded size. */
  built: number;
  budget: number;
}

/**
 * Reads what `pack` wrote. Throws UnpackError when the bytes are not a packed value, have bytes left
 * over, or expand to more than `budget` values (a few references can stand for an exponential tree).
 */
export function unpack(bytes: Uint8Array, budget: number): Json {
  const state: UnpackState = { bytes, at: 0, strings: [], shapes: [], values: [], sizes: [], built: 0, budget };
  const value = unpackValue(state, 0).value;
  if (state.at !== bytes.length) throw new UnpackError('corrupt', `${bytes.length - state.at} bytes after the end of the report`);
  return value;
}

/** A value and how many values it expands to. */
interface Unpacked {
  value: Json;
  size: number;
}

function unpackValue(state: UnpackState, depth: number): Unpacked {
  if (depth > MAX_DEPTH) throw new UnpackError('corrupt', 'values nested too deep');
  const tag = readByte(state);
  const leaf = (value: Json): Unpacked => charge(state, { value, size: 1 });
  if (tag >= TAG.smallInt && tag < TAG.smallInt + SMALL.int) return leaf(tag - TAG.smallInt);
  if (tag >= TAG.smallStringRef && tag < TAG.smallStringRef + SMALL.ref) return leaf(stringAt(state, tag - TAG.smallStringRef));
  if (tag >= TAG.smallValueRef && tag < TAG.smallValueRef + SMALL.ref) return valueAt(state, tag - TAG.smallValueRef);
  if (tag >= TAG.smallShapeRef && tag < TAG.smallShapeRef + SMALL.ref) return unpackObject(state, shapeAt(state, tag - TAG.smallShapeRef), depth);
  switch (tag) {
    case TAG.null:
      return leaf(null);
    case TAG.false:
      return leaf(false);
    case TAG.true:
      return leaf(true);
    case TAG.int: {
      const zigzag = readVarint(state);
      return leaf(zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2);
    }
    case TAG.decimal: {
      const value = Number(readUtf8(state));
      if (!Number.isFinite(value)) throw new UnpackError('corrupt', 'a number that is not a number');
      return leaf(value);
    }
    case TAG.string:
      return leaf(keepString(state, readUtf8(state)));
    case TAG.digest:
      return leaf(keepString(state, DIGEST_PREFIX + bytesHex(readBytes(state, 32))));
    case TAG.stringRef:
      return leaf(stringAt(state, readVarint(state)));
    case TAG.valueRef:
      return valueAt(state, readVarint(state));
    case TAG.shapeRef:
      return unpackObject(state, shapeAt(state, readVarint(state)), depth);
    case TAG.array:
      return unpackArray(state, depth);
    case TAG.object:
      return unpackObject(state, readShape(state), depth);
    case TAG.table:
      return unpackTable(state, depth);
    default:
      throw new UnpackError('corrupt', `unknown tag ${tag}`);
  }
}

function unpackArray(state: UnpackState, depth: number): Unpacked {
  const length = readVarint(state);
  // Each item takes at least one byte: a longer length is a lie.
  if (length > state.bytes.length - state.at) throw new UnpackError('corrupt', 'a list longer than the link');
  const value: Json[] = [];
  let size = 1;
  for (let i = 0; i < length; i++) {
    const item = unpackValue(state, depth + 1);
    value.push(item.value);
    size += item.size;
  }
  return keepValue(state, charge(state, { value, size: 1 }), size, length > 0);
}

function unpackObject(state: UnpackState, keys: string[], depth: number): Unpacked {
  const value: { [key: string]: Json } = {};
  let size = 1;
  for (const key of keys) {
    const item = unpackValue(state, depth + 1);
    setKey(value, key, item.value);
    size += item.size;
  }
  return keepValue(state, charge(state, { value, size: 1 }), size, keys.length > 0);
}

function unpackTable(state: UnpackState, depth: number): Unpacked {
  const length = readVarint(state);
  if (length < 2 || length > state.bytes.length - state.at) throw new UnpackError('corrupt', 'a table of a length that cannot be');
  const tag = readByte(state);
  let keys: string[];
  if (tag === TAG.object) keys = readShape(state);
  else if (tag === TAG.shapeRef) keys = shapeAt(state, readVarint(state));
  else if (tag >= TAG.smallShapeRef && tag < TAG.smallShapeRef + SMALL.ref) keys = shapeAt(state, tag - TAG.smallShapeRef);
  else throw new UnpackError('corrupt', 'a table without a shape');
  if (keys.length === 0) throw new UnpackError('corrupt', 'a table of empty rows');
  const rows: { [key: string]: Json }[] = [];
  for (let i = 0; i < length; i++) rows.push(charge(state, { value: {}, size: 1 }).value as { [key: string]: Json });
  let size = 1 + length;
  for (const key of keys) {
    for (const row of rows) {
      const item = unpackValue(state, depth + 2);
      setKey(row, key, item.value);
      size += item.size;
    }
  }
  return keepValue(state, charge(state, { value: rows, size: 1 }), size, true);
}

/** defineProperty: a key named `__proto__` must stay a plain key, as JSON.parse makes it. */
function setKey(target: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function readShape(state: UnpackState): string[] {
  const count = readVarint(state);
  if (count > state.bytes.length - state.at) throw new UnpackError('corrupt', 'an object with more keys than the link has bytes');
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = unpackValue(state, MAX_DEPTH).value;
    if (typeof key !== 'string') throw new UnpackError('corrupt', 'an object key that is not text');
    keys.push(key);
  }
  if (new Set(keys).size !== keys.length) throw new UnpackError('corrupt', 'an object with a key twice');
  state.shapes.push(keys);
  return keys;
}

/** Registers a whole container (non-empty only, as the encoder does) and reports its expanded size. */
function keepValue(state: UnpackState, built: Unpacked, size: number, keep: boolean): Unpacked {
  if (keep) {
    state.values.push(built.value);
    state.sizes.push(size);
  }
  return { value: built.value, size };
}

/** A reference: a fresh deep copy (readers may change what they get), charged at its whole size. */
function valueAt(state: UnpackState, index: number): Unpacked {
  const value = state.values[index];
  if (value === undefined) throw new UnpackError('corrupt', 'a reference to a value not yet seen');
  const size = state.sizes[index]!;
  charge(state, { value, size });
  return { value: structuredClone(value), size };
}

function charge(state: UnpackState, item: Unpacked): Unpacked {
  state.built += item.size;
  if (state.built > state.budget) throw new UnpackError('too-large', `the report expands to more than ${state.budget} values`);
  return item;
}

function keepString(state: UnpackState, value: string): string {
  state.strings.push(value);
  return value;
}

function stringAt(state: UnpackState, index: number): string {
  const value = state.strings[index];
  if (value === undefined) throw new UnpackError('corrupt', 'a reference to a text not yet seen');
  return value;
}

function shapeAt(state: UnpackState, index: number): string[] {
  const keys = state.shapes[index];
  if (keys === undefined) throw new UnpackError('corrupt', 'a reference to an object shape not yet seen');
  return keys;
}

function readByte(state: UnpackState): number {
  if (state.at >= state.bytes.length) throw new UnpackError('corrupt', 'the report ends too early');
  return state.bytes[state.at++]!;
}

function readBytes(state: UnpackState, length: number): Uint8Array {
  if (state.at + length > state.bytes.length) throw new UnpackError('corrupt', 'the report ends too early');
  const out = state.bytes.subarray(state.at, state.at + length);
  state.at += length;
  return out;
}

function readVarint(state: UnpackState): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = readByte(state);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
  throw new UnpackError('corrupt', 'a number too long');
}

function readUtf8(state: UnpackState): string {
  const length = readVarint(state);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(readBytes(state, length));
  } catch (error) {
    if (error instanceof UnpackError) throw error;
    throw new UnpackError('corrupt', 'text that is not UTF-8');
  }
}

function bytesHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
