/**
 * Messages between the bench driver (Node, through `page.evaluate`), the bench page and its worker.
 * Every case is timed inside the worker, so page/driver round trips never enter a measurement.
 */

export type StreamImpl = 'ours' | 'hashwasm' | 'noble' | 'webcrypto';
/** `ours-kernel`: diagnostic, the wasm `sha256_digest_many` export alone on data already in wasm memory. */
export type SmallImpl = 'ours' | 'hashwasm' | 'noble' | 'webcrypto-await' | 'webcrypto-all' | 'ours-kernel';
/**
 * `read` is the ceiling: `File.stream()` drained, nothing else. The rest are diagnostics that split the
 * pipeline's cost: `parse` = read + the tar reader with an empty sink; `nohash` = the whole indexContext
 * with a hasher that returns zeros (everything but SHA-256); `ours-readahead` = ours with the file read
 * ahead into an 8 MiB queue through a default reader; `read-byob` = the file drained by the pipeline's own
 * reader (`chunksOf`: BYOB into reused buffers, the next read started early), the fastest plain read.
 */
export type ContextImpl = 'ours' | 'hashwasm' | 'read' | 'parse' | 'nohash' | 'ours-readahead' | 'read-byob' | OursOn;
/**
 * The curve: ours with `k` hashing workers (`ours-w0`: no pool, the one-worker path). `ours` and
 * `hashwasm` themselves run on the app's pool size, `hardwareConcurrency` (workers/hash-pool.ts).
 */
export type OursOn = `ours-w${number}`;

export type BenchCommand =
  | { kind: 'info' }
  | { kind: 'setup-stream'; bytes: number; chunk: number }
  | { kind: 'stream'; impl: StreamImpl }
  | { kind: 'setup-small'; count: number; size: number }
  | { kind: 'small'; impl: SmallImpl }
  | { kind: 'free' }
  /** The page attaches the picked `File` before posting to the worker. */
  | { kind: 'context'; impl: ContextImpl; profile: boolean }
  /** Hashes the big files of the context both ways, to judge a WebCrypto hybrid (see worker). */
  | { kind: 'hybrid-probe'; thresholdBytes: number; ranges: [offset: number, size: number][] };

export interface Info {
  ours: string | null;
  indexContext: string | null;
  tarParser: boolean;
  oursKernel: boolean;
  userAgent: string;
  crossOriginIsolated: boolean;
  /** navigator.hardwareConcurrency */
  cores: number;
  /** Hashing workers the app's pool (and `ours`, `hashwasm`) uses here. */
  workers: number;
}

export interface Timed {
  ms: number;
  bytes: number;
  /** Hex digest(s) the run produced, so the driver can check every implementation agrees. */
  check: string;
}

/** Where the time of one profiled context run went (only with `profile: true`). */
export interface ContextProfile {
  hashMs: number;
  hashCalls: { digest: number; digestMany: number; digestManyBuffers: number; create: number; update: number; finish: number };
  hashedBytes: number;
  progressCalls: number;
  readChunks: number;
  /** Time the pipeline sat waiting for the next `File.stream()` chunk. */
  readWaitMs: number;
}

export interface ContextResult extends Timed {
  /** With a pool: packets hashed by its workers and by the reading thread itself (work sharing). */
  packets?: { posted: number; here: number };
  entries: number;
  rootDigest: string;
  problems: string[];
  profile?: ContextProfile;
}

export interface HybridProbe {
  files: number;
  bytes: number;
  /** Streaming create/update/finish per file, our WASM. */
  oursStreamMs: number;
  /** digestMany over the same files (the 4-lane batch). */
  oursManyMs: number;
  /** crypto.subtle.digest per file, ≤ 64 in flight. */
  webcryptoMs: number;
  /** Assembling each file's bytes into one buffer (what a hybrid must do before subtle.digest). */
  assembleMs: number;
}

export type BenchReply = { ok: true; value: unknown } | { ok: false; error: string };
