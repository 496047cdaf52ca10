/**
 * The message definitions of a record's status stream (`application/vnd.buildkit.status.v0`), for the
 * kept protobuf library (@bufbuild/protobuf) to decode. Written from moby/buildkit v0.25.2:
 * `api/services/control/control.proto` (StatusResponse, Vertex, VertexStatus, VertexLog, VertexWarning)
 * and `solver/pb/ops.proto` (ProgressGroup, SourceInfo, Range, Position). Only the fields cachewhy reads
 * are declared; the others (SourceInfo.definition, …) are skipped by the decoder as unknown fields.
 */
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
  file_google_protobuf_timestamp,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

type FieldSpec = [name: string, number: number, type: Type | string, repeated?: true];

const TIMESTAMP = '.google.protobuf.Timestamp';

function message(name: string, fields: FieldSpec[]) {
  return {
    name,
    field: fields.map(([fieldName, number, type, repeated]) => ({
      name: fieldName,
      number,
      label: repeated ? Label.REPEATED : Label.OPTIONAL,
      ...(typeof type === 'string' ? { type: Type.MESSAGE, typeName: type } : { type }),
    })),
  };
}

const OPS: FileDescriptorProto = create(FileDescriptorProtoSchema, {
  name: 'github.com/moby/buildkit/solver/pb/ops.proto',
  package: 'pb',
  syntax: 'proto3',
  messageType: [
    message('ProgressGroup', [
      ['id', 1, Type.STRING],
      ['name', 2, Type.STRING],
      ['weak', 3, Type.BOOL],
    ]),
    message('SourceInfo', [
      ['filename', 1, Type.STRING],
      ['data', 2, Type.BYTES],
      ['language', 4, Type.STRING],
    ]),
    message('Range', [
      ['start', 1, '.pb.Position'],
      ['end', 2, '.pb.Position'],
    ]),
    message('Position', [
      ['line', 1, Type.INT32],
      ['character', 2, Type.INT32],
    ]),
  ],
});

const CONTROL: FileDescriptorProto = create(FileDescriptorProtoSchema, {
  name: 'github.com/moby/buildkit/api/services/control/control.proto',
  package: 'moby.buildkit.v1',
  syntax: 'proto3',
  dependency: ['github.com/moby/buildkit/solver/pb/ops.proto', 'google/protobuf/timestamp.proto'],
  messageType: [
    message('StatusResponse', [
      ['vertexes', 1, '.moby.buildkit.v1.Vertex', true],
      ['statuses', 2, '.moby.buildkit.v1.VertexStatus', true],
      ['logs', 3, '.moby.buildkit.v1.VertexLog', true],
      ['warnings', 4, '.moby.buildkit.v1.VertexWarning', true],
    ]),
    message('Vertex', [
      ['digest', 1, Type.STRING],
      ['inputs', 2, Type.STRING, true],
      ['name', 3, Type.STRING],
      ['cached', 4, Type.BOOL],
      ['started', 5, TIMESTAMP],
      ['completed', 6, TIMESTAMP],
      ['error', 7, Type.STRING],
      ['progressGroup', 8, '.pb.ProgressGroup'],
    ]),
    message('VertexStatus', [
      ['ID', 1, Type.STRING],
      ['vertex', 2, Type.STRING],
      ['name', 3, Type.STRING],
      ['current', 4, Type.INT64],
      ['total', 5, Type.INT64],
      ['timestamp', 6, TIMESTAMP],
      ['started', 7, TIMESTAMP],
      ['completed', 8, TIMESTAMP],
    ]),
    message('VertexLog', [
      ['vertex', 1, Type.STRING],
      ['timestamp', 2, TIMESTAMP],
      ['stream', 3, Type.INT64],
      ['msg', 4, Type.BYTES],
    ]),
    message('VertexWarning', [
      ['vertex', 1, Type.STRING],
      ['level', 2, Type.INT64],
      ['short', 3, Type.BYTES],
      ['detail', 4, Type.BYTES, true],
      ['url', 5, Type.STRING],
      ['info', 6, '.pb.SourceInfo'],
      ['ranges', 7, '.pb.Range', true],
    ]),
  ],
});

const registry = createFileRegistry(CONTROL, (file) => {
  if (file === OPS.name) return OPS;
  if (file === 'google/protobuf/timestamp.proto') return file_google_protobuf_timestamp;
  return undefined;
});

function messageDesc(name: string): DescMessage {
  const desc = registry.getMessage(name);
  if (!desc) throw new Error(`${name} is missing from the status definitions`);
  return desc;
}

export const StatusResponseDesc = messageDesc('moby.buildkit.v1.StatusResponse');

// The decoded shapes, as the library builds them (field names as declared above; int64 as bigint).
export interface PbTimestamp {
  seconds: bigint;
  nanos: number;
}
export interface PbVertex {
  digest: string;
  inputs: string[];
  name: string;
  cached: boolean;
  started?: PbTimestamp;
  completed?: PbTimestamp;
  error: string;
}
export interface PbVertexStatus {
  ID: string;
  vertex: string;
  name: string;
  current: bigint;
  total: bigint;
  timestamp?: PbTimestamp;
  started?: PbTimestamp;
  completed?: PbTimestamp;
}
export interface PbVertexLog {
  vertex: string;
  timestamp?: PbTimestamp;
  stream: bigint;
  msg: Uint8Array;
}
export interface PbVertexWarning {
  vertex: string;
  level: bigint;
  short: Uint8Array;
  detail: Uint8Array[];
  url: string;
  info?: { filename: string; data: Uint8Array; language: string };
  ranges: { start?: { line: number; character: number }; end?: { line: number; character: number } }[];
}
export interface PbStatusResponse {
  vertexes: PbVertex[];
  statuses: PbVertexStatus[];
  logs: PbVertexLog[];
  warnings: PbVertexWarning[];
}
