/**
 * SLSA v0.2 provenance of a record (`application/vnd.in-toto+json`): the base images the build really
 * used (`materials`), the Dockerfile text (`metadata` source infos) and the LLB of every op
 * (`buildConfig.llbDefinition` with `digestMapping`), flattened into the fields a cache key is made of.
 * BuildKit writes `buildConfig` and the source text in max mode only; min mode leaves materials and
 * parameters.
 */
import type { RecordCopy, RecordLlbOp, RecordMaterial } from '../model.ts';

export interface Provenance {
  materials: RecordMaterial[];
  /** `invocation.parameters.args` (`build-arg:V`, …). */
  args: Record<string, string>;
  dockerfile: { filename: string; text: string } | null;
  /** Empty in min mode. */
  llb: RecordLlbOp[];
  hasBuildConfig: boolean;
}

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The in-toto statement, or its predicate alone (both shapes are found in exports). */
export function readProvenance(statement: unknown): Provenance {
  const root = obj(statement);
  const predicate = 'predicate' in root ? obj(root.predicate) : root;
  const parameters = obj(obj(predicate.invocation).parameters);
  const args: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(parameters.args))) if (typeof v === 'string') args[k] = v;
  const buildConfig = obj(predicate.buildConfig);
  const source = obj(obj(obj(predicate.metadata)['https://mobyproject.org/buildkit@v1#metadata']).source);
  return {
    materials: arr(predicate.materials).flatMap((m) => material(obj(m))),
    args,
    dockerfile: dockerfileOf(arr(source.infos)),
    llb: llbOps(arr(buildConfig.llbDefinition), obj(buildConfig.digestMapping)),
    hasBuildConfig: Array.isArray(buildConfig.llbDefinition),
  };
}

/** `pkg:docker/127.0.0.1:5000/lab/base@latest?platform=linux%2Famd64` → `127.0.0.1:5000/lab/base:latest`. */
export function refOfPackageUrl(uri: string): string | null {
  const m = /^pkg:docker\/([^?#]+)/.exec(uri);
  if (!m) return null;
  const path = decodeURIComponent(m[1]!);
  const at = path.lastIndexOf('@');
  if (at <= 0) return path;
  const version = path.slice(at + 1);
  // A digest version (`@sha256:…`) stays a digest reference; a tag is written `name:tag`.
  return version.includes(':') ? path : `${path.slice(0, at)}:${version}`;
}

function material(m: Json): RecordMaterial[] {
  const uri = str(m.uri);
  if (!uri) return [];
  const sha = str(obj(m.digest).sha256);
  return [{ uri, ref: refOfPackageUrl(uri) ?? uri, digest: sha ? `sha256:${sha}` : null }];
}

function dockerfileOf(infos: unknown[]): Provenance['dockerfile'] {
  for (const info of infos.map(obj)) {
    const data = str(info.data);
    if (data === null || (str(info.language) ?? 'Dockerfile') !== 'Dockerfile') continue;
    try {
      return { filename: str(info.filename) ?? 'Dockerfile', text: new TextDecoder().decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0))) };
    } catch {
      return null;
    }
  }
  return null;
}

/** The ops by LLB digest: `digestMapping` names each digest's `stepN` id, inputs are `stepN:output`. */
function llbOps(definition: unknown[], mapping: Json): RecordLlbOp[] {
  const digestOf = new Map<string, string>();
  for (const [digest, id] of Object.entries(mapping)) if (typeof id === 'string') digestOf.set(id, digest);
  const entries = definition.map(obj);
  const byId = new Map(entries.map((e) => [str(e.id) ?? '', e]));
  const ops: RecordLlbOp[] = [];
  for (const entry of entries) {
    const id = str(entry.id);
    const digest = id ? digestOf.get(id) : undefined;
    if (!digest) continue;
    const inputIds = arr(entry.inputs).map((i) => String(i).split(':')[0]!);
    const inputs = inputIds.map((i) => digestOf.get(i) ?? i);
    const op = obj(obj(entry.op).Op);
    const sourceOf = (index: number): Json => obj(obj(obj(byId.get(inputIds[index] ?? '')).op).Op).source as Json;
    ops.push(describeOp(digest, op, inputs, (index) => obj(sourceOf(index))));
  }
  return ops;
}

function describeOp(digest: string, op: Json, inputs: string[], sourceAt: (index: number) => Json): RecordLlbOp {
  const fields: Record<string, string> = {};
  if ('exec' in op) {
    const exec = obj(op.exec);
    const meta = obj(exec.meta);
    fields.args = JSON.stringify(arr(meta.args));
    for (const env of arr(meta.env).map(String)) {
      const eq = env.indexOf('=');
      fields[`env ${eq < 0 ? env : env.slice(0, eq)}`] = eq < 0 ? '' : env.slice(eq + 1);
    }
    for (const key of ['cwd', 'user', 'hostname']) if (str(meta[key])) fields[key] = str(meta[key])!;
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar (string, number or bool) in every record BuildKit writes; String() is its text
    for (const key of ['network', 'security']) if (exec[key] !== undefined) fields[key] = String(exec[key]);
    for (const mount of arr(exec.mounts).map(obj)) {
      const { dest, ...rest } = mount;
      if (dest === '/' && Object.keys(rest).length === 0) continue;
      fields[`mount ${String(dest)}`] = JSON.stringify(rest);
    }
    return { digest, kind: 'exec', inputs, fields };
  }
  if ('file' in op) {
    const copies: RecordCopy[] = [];
    arr(obj(op.file).actions)
      .map(obj)
      .forEach((action, i) => {
        const [name, body] = Object.entries(obj(action.Action))[0] ?? ['none', {}];
        const b = obj(body);
        for (const [key, value] of Object.entries(b)) fields[`${name} ${i} ${key}`] = typeof value === 'string' ? value : JSON.stringify(value);
        if (name !== 'copy') return;
        const secondary = typeof action.secondaryInput === 'number' ? action.secondaryInput : -1;
        const source = secondary >= 0 ? sourceAt(secondary) : {};
        const identifier = str(source.identifier);
        const attrs: Record<string, string> = {};
        for (const key of ['mode', 'chown', 'includePatterns', 'excludePatterns', 'followSymlink', 'allowWildcard'])
          if (b[key] !== undefined) attrs[key] = JSON.stringify(b[key]);
        copies.push({
          src: str(b.src) ?? '',
          dest: str(b.dest) ?? '',
          from: secondary >= 0 ? (inputs[secondary] ?? null) : null,
          local: identifier?.startsWith('local://') ? identifier.slice('local://'.length) : null,
          attrs,
        });
      });
    return { digest, kind: 'file', inputs, fields, ...(copies.length ? { copies } : {}) };
  }
  if ('source' in op) {
    const source = obj(op.source);
    const identifier = str(source.identifier) ?? '';
    fields.identifier = identifier;
    const attrs = obj(source.attrs);
    for (const [key, value] of Object.entries(attrs)) fields[`attr ${key}`] = String(value);
    const described: RecordLlbOp = { digest, kind: 'source', inputs, fields };
    if (identifier.startsWith('local://')) {
      const list = (key: string): string[] => {
        try {
          // eslint-disable-next-line @typescript-eslint/no-base-to-string -- an attribute value is a JSON string in every record BuildKit writes
          return arr(JSON.parse(String(attrs[key] ?? '[]'))).map(String);
        } catch {
          return [];
        }
      };
      described.local = {
        name: identifier.slice('local://'.length),
        followPaths: list('local.followpaths'),
        includePatterns: list('local.includepattern'),
        excludePatterns: list('local.excludepatterns'),
      };
    }
    return described;
  }
  const kind = (['build', 'merge', 'diff'] as const).find((k) => k in op) ?? 'other';
  if (kind !== 'other') fields[kind] = JSON.stringify(op[kind]);
  return { digest, kind, inputs, fields };
}
