// @ts-check
/**
 * @rust-wasm/sha256 — loader for cachewhy's Rust SHA-256 (`sha256.wasm`, built from wasm/sha256/src).
 *
 * Hand-written because wasm-bindgen cannot be installed here; the module exports plain C functions
 * over its linear memory (see src/lib.rs). This file copies input into wasm memory, calls them and
 * copies digests out; `createBatch` lets a caller write messages straight into wasm memory instead. It runs unchanged in Node, in the browser and in (module) workers.
 */

/** Bytes copied into wasm memory per call by `update`/`digest`: memory never grows with the input. */
const IO_CHUNK = 256 * 1024;
/** Size of the region `digestMany` packs buffers into; bigger buffers go through the streaming path. */
const PACK_BYTES = 8 * 1024 * 1024;
/** Most buffers per `sha256_digest_many` call (bounds the offsets table and the output region). */
const PACK_ENTRIES = 16 * 1024;
const DIGEST_BYTES = 32;
/** Limits of one `createBatch`: offsets in the table are u32, and a region is allocated whole. */
const MAX_BATCH_BYTES = 1024 * 1024 * 1024;
const MAX_BATCH_MESSAGES = 16 * 1024 * 1024;

/** @typedef {import('./index.d.ts').Sha256} Sha256 */
/** @typedef {import('./index.d.ts').StreamingSha256} StreamingSha256 */
/** @typedef {import('./index.d.ts').InitInput} InitInput */
/** @typedef {import('./index.d.ts').Sha256Batch} Sha256Batch */
/** @typedef {{ data: number, table: number, out: number, capacity: number, maxMessages: number }} Region */

/**
 * @typedef {object} RawExports The functions of src/lib.rs, as wasm sees them.
 * @property {WebAssembly.Memory} memory
 * @property {(len: number) => number} sha256_alloc
 * @property {(ptr: number, len: number, out: number) => void} sha256_digest
 * @property {(data: number, table: number, count: number, out: number) => void} sha256_digest_many
 * @property {() => number} sha256_new
 * @property {(handle: number, ptr: number, len: number) => number} sha256_update
 * @property {(handle: number, out: number) => number} sha256_finish
 * @property {(handle: number) => number} sha256_discard
 */

/** @type {Promise<Sha256> | null} */
let pending = null;
/** @type {Sha256 | null} */
let ready = null;

/**
 * Loads and instantiates the module once; later calls return the same promise (a failed attempt is
 * forgotten, so the next call retries). Without `source` it loads `sha256.wasm` next to this file.
 * @param {InitInput} [source]
 * @returns {Promise<Sha256>}
 */
export default function init(source) {
  if (ready) return Promise.resolve(ready);
  if (!pending) {
    pending = instantiate(source).then(
      (instance) => (ready = createSha256(instance)),
      (error) => {
        pending = null;
        throw error;
      },
    );
  }
  return pending;
}

/**
 * Instantiates synchronously from the module's bytes (or a compiled module) and memoises the result
 * like `init`. Browsers only allow this off the main thread or for small modules; prefer `init`.
 * @param {BufferSource | WebAssembly.Module} bytes
 * @returns {Sha256}
 */
export function initSync(bytes) {
  if (!ready) {
    const module = bytes instanceof WebAssembly.Module ? bytes : new WebAssembly.Module(bytes);
    ready = createSha256(new WebAssembly.Instance(module, {}));
    pending = Promise.resolve(ready);
  }
  return ready;
}

/**
 * @param {InitInput | undefined} source
 * @returns {Promise<WebAssembly.Instance>}
 */
async function instantiate(source) {
  // Kept literally in this form: Vite (and other bundlers) rewrite `new URL('…', import.meta.url)`
  // into the URL of an emitted asset.
  const input = source ?? new URL('./sha256.wasm', import.meta.url);
  if (input instanceof WebAssembly.Module) {
    return WebAssembly.instantiate(input, {});
  }
  if (typeof input === 'string' || input instanceof URL) {
    return instantiateUrl(input);
  }
  if (typeof Response !== 'undefined' && input instanceof Response) {
    return instantiateResponse(input, input.url);
  }
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) {
    return (await WebAssembly.instantiate(input, {})).instance;
  }
  throw new TypeError('@rust-wasm/sha256: init() takes bytes, a WebAssembly.Module, a URL or a Response');
}

/**
 * @param {string | URL} url
 * @returns {Promise<WebAssembly.Instance>}
 */
async function instantiateUrl(url) {
  if (String(url).startsWith('file:')) {
    // Node: its fetch cannot read file: URLs. The module name sits in a variable so bundlers do not try
    // to resolve a Node built-in for the browser; this branch only runs where `file:` URLs exist.
    const fsModule = 'node:fs/promises';
    /** @type {{ readFile(path: URL): Promise<Uint8Array<ArrayBuffer>> }} */
    const fs = await import(/* @vite-ignore */ fsModule);
    const bytes = await fs.readFile(new URL(url));
    return (await WebAssembly.instantiate(bytes, {})).instance;
  }
  return instantiateResponse(await fetch(url), String(url));
}

/**
 * @param {Response} response
 * @param {string} what
 * @returns {Promise<WebAssembly.Instance>}
 */
async function instantiateResponse(response, what) {
  if (!response.ok) {
    throw new Error(`@rust-wasm/sha256: could not load ${what}: HTTP ${response.status}`);
  }
  const isWasm = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() === 'application/wasm';
  if (isWasm && typeof WebAssembly.instantiateStreaming === 'function') {
    return (await WebAssembly.instantiateStreaming(response, {})).instance;
  }
  // Servers that send another MIME type make instantiateStreaming throw; compiling from bytes works.
  return (await WebAssembly.instantiate(await response.arrayBuffer(), {})).instance;
}

/**
 * The `Sha256` API over one instance.
 * @param {WebAssembly.Instance} instance
 * @returns {Sha256}
 */
function createSha256(instance) {
  const raw = /** @type {RawExports} */ (/** @type {unknown} */ (instance.exports));
  /** @param {number} len */
  const alloc = (len) => {
    const ptr = raw.sha256_alloc(len);
    if (ptr === 0) throw new RangeError(`@rust-wasm/sha256: out of wasm memory allocating ${len} bytes`);
    return ptr;
  };

  // Any allocation may grow the memory, which detaches the previous ArrayBuffer: always go through
  // `memory()` to get a current view. A detached view has length 0 (wasm memory never has 0 bytes: it
  // holds the module's statics), which is cheaper to check per message than the `memory.buffer` getter.
  let view = new Uint8Array(raw.memory.buffer);
  const memory = () => (view.length !== 0 ? view : (view = new Uint8Array(raw.memory.buffer)));
  let wordView = new Uint32Array(raw.memory.buffer);
  const words = () => (wordView.length !== 0 ? wordView : (wordView = new Uint32Array(raw.memory.buffer)));

  const io = alloc(IO_CHUNK);
  const out = alloc(DIGEST_BYTES);
  const readDigest = (/** @type {number} */ at) => memory().slice(at, at + DIGEST_BYTES);

  /**
   * Batch regions (message bytes, offsets table, digests) not in use by a batch. Wasm memory is never
   * freed, so a released region waits here for the next batch instead of the memory growing again.
   * @type {Region[]}
   */
  const freeRegions = [];

  /** A region of at least `capacity` bytes and `maxMessages` table slots: a free one, else new pages. */
  const acquireRegion = (/** @type {number} */ capacity, /** @type {number} */ maxMessages) => {
    const at = freeRegions.findIndex((r) => r.capacity >= capacity && r.maxMessages >= maxMessages);
    if (at >= 0) return /** @type {Region} */ (freeRegions.splice(at, 1)[0]);
    return { data: alloc(capacity), table: alloc(maxMessages * 8), out: alloc(maxMessages * DIGEST_BYTES), capacity, maxMessages };
  };

  // Puts a batch's region back if its owner drops it without calling release().
  const abandonedBatches =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((/** @type {Region} */ region) => freeRegions.push(region))
      : null;

  // Returns a streaming hasher's slot to the module if its owner drops it without calling finish().
  const abandoned =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry((/** @type {number} */ handle) => raw.sha256_discard(handle))
      : null;

  /** @returns {StreamingSha256} */
  function create() {
    const handle = raw.sha256_new();
    if (handle === 0) {
      throw new RangeError(
        '@rust-wasm/sha256: 1024 hashers are unfinished; call finish() on the ones you are done with ' +
          '(abandoned hashers are only released when garbage-collected)',
      );
    }
    let finished = false;
    const hasher = {
      /** @param {Uint8Array} data */
      update(data) {
        if (finished) throw new Error('@rust-wasm/sha256: update() after finish(); call create() for a new hasher');
        for (let at = 0; at < data.length; at += IO_CHUNK) {
          const part = data.subarray(at, at + IO_CHUNK);
          memory().set(part, io);
          if (raw.sha256_update(handle, io, part.length) !== 0) throw new Error('@rust-wasm/sha256: hasher handle is no longer live');
        }
      },
      finish() {
        if (finished) throw new Error('@rust-wasm/sha256: finish() called twice; a hasher gives one digest');
        finished = true;
        abandoned?.unregister(hasher);
        if (raw.sha256_finish(handle, out) !== 0) throw new Error('@rust-wasm/sha256: hasher handle is no longer live');
        return readDigest(out);
      },
    };
    abandoned?.register(hasher, handle, hasher);
    return hasher;
  }

  /** @param {Uint8Array} data */
  function digest(data) {
    if (data.length > IO_CHUNK) {
      const hasher = create();
      hasher.update(data);
      return hasher.finish();
    }
    memory().set(data, io);
    raw.sha256_digest(io, data.length, out);
    return readDigest(out);
  }

  /**
   * @param {number} capacity
   * @param {number} [maxMessages]
   * @returns {Sha256Batch}
   */
  function createBatch(capacity, maxMessages = Math.max(1, Math.ceil(capacity / 64))) {
    if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > MAX_BATCH_BYTES) {
      throw new RangeError(`@rust-wasm/sha256: batch capacity must be 1…${MAX_BATCH_BYTES} bytes, not ${capacity}`);
    }
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1 || maxMessages > MAX_BATCH_MESSAGES) {
      throw new RangeError(`@rust-wasm/sha256: a batch holds 1…${MAX_BATCH_MESSAGES} messages, not ${maxMessages}`);
    }
    // The region is taken now, once: reserve/commit never allocate, so memory never grows mid-batch
    // because of the batch itself.
    /** @type {Region | null} */
    let region = acquireRegion(capacity, maxMessages);
    const { data, table, out } = region;
    let used = 0;
    let count = 0;
    /** Length of the open reservation, or -1. */
    let reserved = -1;

    const live = () => {
      if (!region) throw new Error('@rust-wasm/sha256: this batch was released; call createBatch() for a new one');
    };
    const viewOfReservation = () => new Uint8Array(raw.memory.buffer, data + used, reserved);

    const batch = {
      capacity,
      maxMessages,
      get count() {
        return count;
      },
      get used() {
        return used;
      },
      /** @param {number} len */
      fits(len) {
        return region !== null && reserved < 0 && count < maxMessages && len >= 0 && used + len <= capacity;
      },
      /** @param {number} len */
      reserve(len) {
        live();
        if (reserved >= 0) throw new Error('@rust-wasm/sha256: commit() the reserved message before reserving the next');
        if (!batch.fits(len)) {
          throw new RangeError(`@rust-wasm/sha256: ${len} more bytes do not fit the batch (${used} of ${capacity} bytes, ${count} of ${maxMessages} messages used); digestAll() first`);
        }
        reserved = len;
        return viewOfReservation();
      },
      current() {
        live();
        if (reserved < 0) throw new Error('@rust-wasm/sha256: no message is reserved');
        return viewOfReservation();
      },
      /** @param {number} [len] */
      commit(len = reserved) {
        live();
        if (reserved < 0) throw new Error('@rust-wasm/sha256: commit() without reserve()');
        if (!Number.isSafeInteger(len) || len < 0 || len > reserved) {
          throw new RangeError(`@rust-wasm/sha256: commit(${len}) is outside the ${reserved} bytes reserved`);
        }
        // wasm memory is little-endian; so are the typed arrays of every platform browsers and Node run on.
        const entries = words();
        entries[table / 4 + count * 2] = used; // `table` is page-aligned, so a whole number of words
        entries[table / 4 + count * 2 + 1] = len;
        used += len;
        reserved = -1;
        return count++;
      },
      digestAll() {
        live();
        if (reserved >= 0) throw new Error('@rust-wasm/sha256: commit() the reserved message before digestAll()');
        const n = count;
        if (n > 0) raw.sha256_digest_many(data, table, n, out);
        used = 0;
        count = 0;
        return memory().slice(out, out + n * DIGEST_BYTES);
      },
      reset() {
        used = 0;
        count = 0;
        reserved = -1;
      },
      release() {
        if (!region) return;
        abandonedBatches?.unregister(batch);
        freeRegions.push(region);
        region = null;
      },
    };
    abandonedBatches?.register(batch, region, batch);
    return batch;
  }

  /**
   * The same packing as a batch, without a batch object: per message only a copy into wasm memory and two
   * table words, so the JS side stays small next to the kernel (views are taken once per pack).
   * @param {Uint8Array[]} buffers
   */
  function digestMany(buffers) {
    /** @type {Uint8Array[]} */
    const digests = new Array(buffers.length);
    if (buffers.length === 0) return digests;
    const region = acquireRegion(PACK_BYTES, PACK_ENTRIES);
    const { data, table, out } = region;
    const tableWord = table / 4; // page-aligned, so a whole number of words
    /** Indices (into `buffers`) of the packed messages, in table order. */
    const packed = new Uint32Array(Math.min(PACK_ENTRIES, buffers.length));
    let count = 0;
    let used = 0;
    let bytes = memory();
    let entries = words();
    const flush = () => {
      raw.sha256_digest_many(data, table, count, out);
      bytes = memory();
      for (let k = 0; k < count; k++) {
        const at = out + k * DIGEST_BYTES;
        digests[/** @type {number} */ (packed[k])] = bytes.slice(at, at + DIGEST_BYTES);
      }
      count = 0;
      used = 0;
    };
    try {
      for (let index = 0; index < buffers.length; index++) {
        const buffer = /** @type {Uint8Array} */ (buffers[index]);
        const length = buffer.length;
        if (length > PACK_BYTES) {
          digests[index] = digest(buffer);
          continue;
        }
        if (count === PACK_ENTRIES || used + length > PACK_BYTES) flush();
        if (bytes.length === 0) bytes = memory();
        if (entries.length === 0) entries = words();
        bytes.set(buffer, data + used);
        entries[tableWord + 2 * count] = used;
        entries[tableWord + 2 * count + 1] = length;
        packed[count++] = index;
        used += length;
      }
      if (count > 0) flush();
    } finally {
      freeRegions.push(region);
    }
    return digests;
  }

  return { digest, digestMany, create, createBatch };
}
