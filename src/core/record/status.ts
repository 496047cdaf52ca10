/**
 * The status stream of a record: `StatusResponse` messages, each framed by its length as 4 bytes
 * little-endian (BuildKit's `solver/llbsolver/history.go` writes and reads it so). Decoded here into
 * the same `SolveStatus` objects `--progress=rawjson` prints, so that the rawjson reader turns a record
 * into the very BuildTrace a rawjson log of that build gives.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { StatusResponseDesc, type PbStatusResponse, type PbTimestamp } from './status-proto.ts';

/** One `client.SolveStatus` as rawjson prints it (times RFC 3339, bytes base64). */
export interface JsonSolveStatus {
  vertexes?: Record<string, unknown>[];
  statuses?: Record<string, unknown>[];
  logs?: Record<string, unknown>[];
  warnings?: Record<string, unknown>[];
}

export type StatusRead = { ok: true; updates: JsonSolveStatus[]; messages: number } | { ok: false; reason: string };

export function decodeStatusStream(bytes: Uint8Array): StatusRead {
  const updates: JsonSolveStatus[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  let messages = 0;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) return { ok: false, reason: `the status stream ends inside a length (message ${messages + 1})` };
    const size = view.getUint32(at, true);
    at += 4;
    if (at + size > bytes.length) return { ok: false, reason: `the status stream is cut inside message ${messages + 1}` };
    let decoded: PbStatusResponse;
    try {
      decoded = fromBinary(StatusResponseDesc, bytes.subarray(at, at + size)) as unknown as PbStatusResponse;
    } catch (error) {
      return { ok: false, reason: `status message ${messages + 1} is not a StatusResponse: ${error instanceof Error ? error.message : String(error)}` };
    }
    at += size;
    messages++;
    updates.push(asJson(decoded));
  }
  return { ok: true, updates, messages };
}

/** Field names and value shapes as `client.SolveStatus` marshals them to JSON (empty values omitted). */
function asJson(r: PbStatusResponse): JsonSolveStatus {
  const out: JsonSolveStatus = {};
  if (r.vertexes.length > 0) {
    out.vertexes = r.vertexes.map((v) =>
      compact({
        digest: v.digest,
        inputs: v.inputs.length ? v.inputs : undefined,
        name: v.name,
        cached: v.cached || undefined,
        started: time(v.started),
        completed: time(v.completed),
        error: v.error || undefined,
      }),
    );
  }
  if (r.statuses.length > 0) {
    out.statuses = r.statuses.map((s) =>
      compact({
        id: s.ID,
        vertex: s.vertex,
        name: s.name || undefined,
        current: Number(s.current),
        total: s.total ? Number(s.total) : undefined,
        timestamp: time(s.timestamp),
        started: time(s.started),
        completed: time(s.completed),
      }),
    );
  }
  if (r.logs.length > 0)
    out.logs = r.logs.map((l) => compact({ vertex: l.vertex, stream: Number(l.stream), data: base64(l.msg), timestamp: time(l.timestamp) }));
  if (r.warnings.length > 0) {
    out.warnings = r.warnings.map((w) =>
      compact({
        vertex: w.vertex,
        level: Number(w.level),
        short: base64(w.short),
        detail: w.detail.map(base64),
        url: w.url || undefined,
        range: w.ranges.length ? w.ranges : undefined,
      }),
    );
  }
  return out;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(o)) if (o[key] === undefined) delete o[key];
  return o;
}

/** RFC 3339 with nanoseconds, as Go prints a time (`2026-12-07T16:41:41.87941147Z`). */
function time(t: PbTimestamp | undefined): string | undefined {
  if (!t) return undefined;
  const whole = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  const nanos = t.nanos ? `.${String(t.nanos).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${whole}${nanos}Z`;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
