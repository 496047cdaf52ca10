/**
 * Entry digests computed by a pool of hashing workers (Web Workers in the app, worker_threads in the
 * CLI), while this thread reads the tar. The builder's bytes are packed into packets (1 MiB): small
 * files whole (the worker hashes them four at a time), big files as segments of one streaming hash that
 * stays on one worker. A packet's buffer is transferred to the worker and back, never copied, and at
 * most `maxInFlight` packets are out at once (backpressure), so memory is bounded whatever the tar size.
 *
 * Never stall: a worker must say `ready` (its hasher loaded) within `startTimeoutMs` or it is replaced
 * once; a packet must come back within `replyTimeoutMs`; a worker that dies is noticed. A posted packet
 * cannot be sent again (its buffer went with it), so any of these fails the whole pool with
 * `PoolFailedError`, and `indexContextParallel` (index.ts) hashes the context again in this thread.
 *
 * Work sharing: the reading thread is a hasher too. When every worker already has a packet queued behind
 * the one it hashes, the next packet is hashed here (`PooledHashing` with a `local` hasher) instead of
 * waiting for room: on 2 cores the pool has one worker, and waiting left the reader's core idle.
 */
import { digestText, writeText } from './digest.ts';
import { reservation, SMALL_FILE, type DigestTarget, type EntryHashing } from './entry-hashing.ts';
import type { Sha256, StreamingSha256 } from './hasher.ts';

/** Op flags. A segment opens a stream (OPEN), ends it with a digest (FINISH), both (a whole small message) or neither. */
export const OPEN = 1;
export const FINISH = 2;
/** A whole message: OPEN | FINISH; the worker hashes these in batches of four. */
export const WHOLE = 3;
/** u32 words per op: flags, stream id, segment start, segment end. */
export const OP_WORDS = 4;

export type ToWorker = { type: 'hash'; seq: number; buffer: ArrayBuffer; ops: Uint32Array };
export type FromWorker = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'done'; seq: number; digests: ArrayBuffer; buffer: ArrayBuffer };

/** A hashing worker as the pool sees it, whatever kind of worker it is. */
export interface HashEndpoint {
  post(message: ToWorker, transfer: ArrayBuffer[]): void;
  /** Called once, right after spawning. `onFailure`: the worker died or its script failed. */
  listen(onMessage: (message: FromWorker) => void, onFailure: (reason: string) => void): void;
  terminate(): void;
}

export class PoolFailedError extends Error {}

export interface HashPoolOptions {
  size: number;
  spawn: () => HashEndpoint;
  packetBytes?: number;
  /** Packets posted or waiting for a worker, at most (the memory bound is this × packetBytes). */
  maxInFlight?: number;
  startTimeoutMs?: number;
  replyTimeoutMs?: number;
}

interface Sent {
  seq: number;
  worker: Slot;
  postedAt: number;
  message: ToWorker;
  resolve: (digests: Uint8Array) => void;
  reject: (error: Error) => void;
}

interface Slot {
  endpoint: HashEndpoint;
  ready: boolean;
  spawnedAt: number;
  respawned: boolean;
  /** Packets posted and not answered. */
  posted: Set<Sent>;
  /** Packets assigned while the worker was not ready yet: still ours, so they can move to another worker. */
  waiting: Sent[];
}

/** Checks the deadlines this often; cheap, and a stall is turned into a failure within a second of its deadline. */
const WATCH_MS = 500;

export class HashPool {
  readonly size: number;
  readonly packetBytes: number;
  private readonly maxInFlight: number;
  private readonly startTimeoutMs: number;
  private readonly replyTimeoutMs: number;
  private readonly spawn: () => HashEndpoint;
  private readonly slots: Slot[] = [];
  private readonly bySeq = new Map<number, Sent>();
  private readonly freeBuffers: ArrayBuffer[] = [];
  private nextSeq = 1;
  private nextStream = 1;
  private failure: PoolFailedError | null = null;
  private roomWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Packets hashed by the workers and by the reading thread itself (work sharing), for the bench and tests. */
  readonly packets = { posted: 0, here: 0 };
  private watch: ReturnType<typeof setInterval> | null = null;

  constructor(opts: HashPoolOptions) {
    this.size = Math.max(1, Math.floor(opts.size));
    // 1 MiB: with 4 MiB packets the CLI peaked at 237 MB RSS on a 200 MB tar, with 1 MiB at 204 MB.
    this.packetBytes = opts.packetBytes ?? 1024 * 1024;
    // One packet hashing and one queued per worker keeps every worker busy; the cap bounds memory.
    this.maxInFlight = opts.maxInFlight ?? Math.min(2 * this.size + 1, 16);
    this.startTimeoutMs = opts.startTimeoutMs ?? 5000;
    this.replyTimeoutMs = opts.replyTimeoutMs ?? 5000;
    this.spawn = opts.spawn;
    for (let i = 0; i < this.size; i++) this.slots.push(this.start(null));
  }

  private start(previous: Slot | null): Slot {
    const slot: Slot = {
      endpoint: this.spawn(),
      ready: false,
      spawnedAt: Date.now(),
      respawned: previous !== null,
      posted: new Set(),
      waiting: previous?.waiting ?? [],
    };
    slot.endpoint.listen(
      (message) => this.onMessage(slot, message),
      (reason) => this.onWorkerFailure(slot, reason),
    );
    this.watch ??= setInterval(() => this.checkDeadlines(), WATCH_MS);
    // Node: the watchdog alone must not keep the process alive.
    (this.watch as { unref?: () => void }).unref?.();
    return slot;
  }

  get failed(): PoolFailedError | null {
    return this.failure;
  }

  newStreamId(): number {
    return this.nextStream++;
  }

  /** A packet buffer: one a worker gave back, or a new one. */
  takeBuffer(): ArrayBuffer {
    return this.freeBuffers.pop() ?? new ArrayBuffer(this.packetBytes);
  }

  /** A packet buffer the reading thread hashed itself, kept for the next packet. */
  recycle(buffer: ArrayBuffer): void {
    if (this.freeBuffers.length < this.maxInFlight) this.freeBuffers.push(buffer);
  }

  private inFlight(): number {
    return this.bySeq.size;
  }

  /**
   * Every worker has at least `queued` packets out (one hashing, the rest waiting): another one sent now
   * would only wait, so the reading thread may hash it itself.
   */
  saturated(queued = 2): boolean {
    return this.slots.every((slot) => slot.posted.size + slot.waiting.length >= queued);
  }

  /** null when another packet may be sent now; else resolves when one may (rejects if the pool failed). */
  room(): Promise<void> | null {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inFlight() < this.maxInFlight) return null;
    return new Promise((resolve, reject) => this.roomWaiters.push({ resolve, reject }));
  }

  /**
   * Sends one packet: to `pin` (the worker holding an open stream) or the least busy worker. Returns the
   * worker's index and the digests, 32 bytes per op with FINISH, in op order.
   */
  send(buffer: ArrayBuffer, ops: Uint32Array, pin: number | null): { worker: number; digests: Promise<Uint8Array> } {
    const index = pin ?? this.leastBusy();
    const slot = this.slots[index]!;
    const seq = this.nextSeq++;
    const message: ToWorker = { type: 'hash', seq, buffer, ops };
    this.packets.posted++;
    const digests = new Promise<Uint8Array>((resolve, reject) => {
      const sent: Sent = { seq, worker: slot, postedAt: 0, message, resolve, reject };
      this.bySeq.set(seq, sent);
      if (this.failure) reject(this.failure);
      else if (slot.ready) this.post(sent);
      else slot.waiting.push(sent);
    });
    return { worker: index, digests };
  }

  private leastBusy(): number {
    let best = 0;
    let bestLoad = Infinity;
    this.slots.forEach((slot, i) => {
      // A worker still starting counts as busier, so a ready one is taken first.
      const load = slot.posted.size + slot.waiting.length + (slot.ready ? 0 : 0.5);
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    });
    return best;
  }

  private post(sent: Sent): void {
    sent.postedAt = Date.now();
    sent.worker.posted.add(sent);
    try {
      sent.worker.endpoint.post(sent.message, [sent.message.buffer, sent.message.ops.buffer as ArrayBuffer]);
    } catch (error) {
      this.fail(`a packet could not be posted: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (this.failure || !this.slots.includes(slot)) return;
    if (message.type === 'ready') {
      slot.ready = true;
      for (const sent of slot.waiting.splice(0)) this.post(sent);
    } else if (message.type === 'failed') this.onWorkerFailure(slot, message.message);
    else {
      const sent = this.bySeq.get(message.seq);
      if (!sent) return; // an answer nobody waits for any more
      this.bySeq.delete(message.seq);
      slot.posted.delete(sent);
      if (this.freeBuffers.length < this.maxInFlight) this.freeBuffers.push(message.buffer);
      sent.resolve(new Uint8Array(message.digests));
      this.wakeOne();
    }
  }

  private wakeOne(): void {
    while (this.roomWaiters.length > 0 && this.inFlight() < this.maxInFlight) this.roomWaiters.shift()!.resolve();
  }

  /** A worker that died with nothing posted is replaced once; one with packets out fails the pool. */
  private onWorkerFailure(slot: Slot, reason: string): void {
    if (this.failure || !this.slots.includes(slot)) return;
    if (slot.posted.size > 0 || slot.respawned) return this.fail(`a hashing worker failed: ${reason}`);
    this.replace(slot);
  }

  private replace(slot: Slot): void {
    slot.endpoint.terminate();
    const index = this.slots.indexOf(slot);
    this.slots[index] = this.start(slot);
    for (const sent of this.slots[index].waiting) sent.worker = this.slots[index]!;
  }

  private checkDeadlines(): void {
    if (this.failure) return;
    const now = Date.now();
    for (const slot of [...this.slots]) {
      if (!slot.ready && now - slot.spawnedAt > this.startTimeoutMs) {
        if (slot.respawned) return this.fail(`a hashing worker did not start within ${this.startTimeoutMs} ms, twice`);
        this.replace(slot);
        continue;
      }
      for (const sent of slot.posted) {
        if (now - sent.postedAt > this.replyTimeoutMs) return this.fail(`a hashing worker gave no answer within ${this.replyTimeoutMs} ms`);
      }
    }
  }

  private fail(reason: string): void {
    if (this.failure) return;
    this.failure = new PoolFailedError(reason);
    for (const sent of this.bySeq.values()) sent.reject(this.failure);
    this.bySeq.clear();
    for (const waiter of this.roomWaiters.splice(0)) waiter.reject(this.failure);
    this.close();
  }

  /** Ends every worker; pending packets are rejected. */
  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    for (const slot of this.slots) slot.endpoint.terminate();
    if (!this.failure) {
      this.failure = new PoolFailedError('the pool was closed');
      for (const sent of this.bySeq.values()) sent.reject(this.failure);
      this.bySeq.clear();
      for (const waiter of this.roomWaiters.splice(0)) waiter.reject(this.failure);
    }
  }
}

/**
 * Resolves in a new task, so queued messages are handled (the context worker's `cancel`, the hashing
 * workers' answers). A MessageChannel is not subject to the 4 ms clamp of nested `setTimeout(0)`.
 */
export function nextTask(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

type Open = { kind: 'whole'; start: number; limit: number } | { kind: 'stream'; id: number; start: number; opened: boolean };

/** The `pin` of a stream hashed by the reading thread itself: its next segments stay here too. */
export const HERE = -1;

/**
 * The builder's side of the pool: packs entries into packets and fills in digests as packets come back.
 * With a `local` hasher, a packet the saturated pool could only queue is hashed in this thread instead.
 */
export class PooledHashing implements EntryHashing {
  private readonly pool: HashPool;
  /** The workers' own packet handler, run here (its open streams live in its closure). */
  private readonly hashHere: ((message: ToWorker) => { reply: FromWorker }) | null;
  private packet: Uint8Array | null = null;
  private used = 0;
  private ops: number[] = [];
  private targets: DigestTarget[] = [];
  /** The worker the current packet must go to: the one holding the stream it continues (`HERE`: this thread). */
  private pin: number | null = null;
  private open: Open | null = null;
  private readonly results: Promise<void>[] = [];

  constructor(pool: HashPool, local?: Sha256) {
    this.pool = pool;
    this.hashHere = local ? hashPackets(local) : null;
  }

  private room(): number {
    return this.packet ? this.packet.length - this.used : 0;
  }

  private ensureRoom(bytes: number): Uint8Array {
    if (this.packet && this.room() >= bytes) return this.packet;
    this.ship();
    this.packet = new Uint8Array(this.pool.takeBuffer());
    this.used = 0;
    return this.packet;
  }

  begin(header: string, size: number): void {
    const needed = reservation(header, size);
    if (size <= SMALL_FILE && needed <= this.pool.packetBytes) {
      const packet = this.ensureRoom(needed);
      const start = this.used;
      this.used += writeText(header, packet, start);
      this.open = { kind: 'whole', start, limit: start + needed };
    } else {
      const packet = this.ensureRoom(header.length * 3);
      const start = this.used;
      this.used += writeText(header, packet, start);
      this.open = { kind: 'stream', id: this.pool.newStreamId(), start, opened: false };
    }
  }

  data(bytes: Uint8Array): void {
    const open = this.open;
    if (!open) return;
    if (open.kind === 'whole') {
      // As in-thread hashing: a file that grew past its announced size while read keeps its first bytes.
      if (this.used + bytes.length <= open.limit) {
        this.packet!.set(bytes, this.used);
        this.used += bytes.length;
      }
      return;
    }
    let at = 0;
    while (at < bytes.length) {
      if (this.room() === 0) {
        // The packet is full mid-stream: its segment goes out, and the stream stays on that worker.
        this.ops.push(open.opened ? 0 : OPEN, open.id, open.start, this.used);
        open.opened = true;
        const worker = this.ship();
        this.pin = worker;
        this.packet = new Uint8Array(this.pool.takeBuffer());
        this.used = 0;
        open.start = 0;
      }
      const n = Math.min(this.room(), bytes.length - at);
      this.packet!.set(bytes.subarray(at, at + n), this.used);
      this.used += n;
      at += n;
    }
  }

  end(target: DigestTarget): void {
    const open = this.open;
    if (!open) return;
    if (open.kind === 'whole') this.ops.push(WHOLE, 0, open.start, this.used);
    else this.ops.push(open.opened ? FINISH : WHOLE, open.id, open.start, this.used);
    this.targets.push(target);
    this.open = null;
  }

  /** Sends the current packet (if it holds anything); returns the worker it went to (`HERE`: hashed in this thread). */
  private ship(): number | null {
    if (!this.packet || this.ops.length === 0) return null;
    const targets = this.targets;
    const buffer = this.packet.buffer as ArrayBuffer;
    const ops = Uint32Array.from(this.ops);
    const hashHere = this.hashHere;
    let worker: number;
    if (hashHere && (this.pin === HERE || (this.pin === null && this.pool.saturated()))) {
      worker = HERE;
      const { reply } = hashHere({ type: 'hash', seq: 0, buffer, ops });
      if (reply.type === 'done') setDigests(targets, new Uint8Array(reply.digests));
      this.pool.recycle(buffer);
      this.pool.packets.here++;
    } else {
      const sent = this.pool.send(buffer, ops, this.pin);
      worker = sent.worker;
      const result = sent.digests.then((bytes) => setDigests(targets, bytes));
      // Observed by `settle`; a failed pool's rejections must not surface as unhandled before that.
      result.catch(() => undefined);
      this.results.push(result);
    }
    this.packet = null;
    this.used = 0;
    this.ops = [];
    this.targets = [];
    this.pin = null;
    return worker;
  }

  /**
   * The pool's backpressure; and when its workers look saturated, one turn of the event loop first:
   * their answers arrive as messages, which a reader whose reads are already resolved would not see
   * before it decides to hash the next packet itself (without this turn it hashed ~80% of them).
   */
  ready(): Promise<void> | null {
    return this.pool.room() ?? (this.hashHere && this.pool.saturated() ? nextTask() : null);
  }

  async settle(): Promise<void> {
    if (this.open) throw new Error('settle() while an entry is open');
    this.ship();
    await Promise.all(this.results);
    this.results.length = 0;
  }

  dispose(): void {
    this.packet = null;
    this.ops = [];
    this.targets = [];
    this.open = null;
  }
}

function setDigests(targets: DigestTarget[], digests: Uint8Array): void {
  for (let i = 0; i < targets.length; i++) targets[i]!.digest = digestText(digests.subarray(32 * i, 32 * i + 32));
}

/**
 * The worker's side: answers `hash` packets with their digests and gives the buffer back. Whole messages
 * are hashed together (`digestMany`, four at a time); streams live in `streams` between packets, which
 * arrive in order from one sender.
 */
export function hashPackets(hasher: Sha256): (message: ToWorker) => { reply: FromWorker; transfer: ArrayBuffer[] } {
  const streams = new Map<number, StreamingSha256>();
  return (message) => {
    const bytes = new Uint8Array(message.buffer);
    const ops = message.ops;
    let finished = 0;
    for (let i = 0; i < ops.length; i += OP_WORDS) if (ops[i]! & FINISH) finished++;
    const out = new Uint8Array(32 * finished);
    const whole: Uint8Array[] = [];
    const wholeAt: number[] = [];
    let d = 0;
    for (let i = 0; i < ops.length; i += OP_WORDS) {
      const flags = ops[i]!;
      const segment = bytes.subarray(ops[i + 2], ops[i + 3]);
      if (flags === WHOLE) {
        whole.push(segment);
        wholeAt.push(d++);
        continue;
      }
      const id = ops[i + 1]!;
      let stream = streams.get(id);
      if (flags & OPEN || !stream) {
        stream = hasher.create();
        streams.set(id, stream);
      }
      stream.update(segment);
      if (flags & FINISH) {
        out.set(stream.finish(), 32 * d++);
        streams.delete(id);
      }
    }
    const digests = hasher.digestMany(whole);
    for (let k = 0; k < digests.length; k++) out.set(digests[k]!, 32 * wholeAt[k]!);
    return { reply: { type: 'done', seq: message.seq, digests: out.buffer, buffer: message.buffer }, transfer: [out.buffer, message.buffer] };
  };
}
