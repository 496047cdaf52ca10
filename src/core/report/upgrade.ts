/**
 * Older report JSON → the current shape, so every report file and share link ever written still opens.
 *
 * `cachewhy.report/v1` mixed snake_case and camelCase field names; v2 (model.ts REPORT_SCHEMA) is
 * snake_case throughout. The renames are the only difference, so upgrading is renaming fields where
 * they sit. A field is renamed where it sits only, never by name anywhere: build-arg names and other
 * user data inside maps (`commands[].command.build_args`) are values, and stay as they were written.
 *
 * Readers decode first (share links restore their packed form on the v1 names, see share-predict.ts),
 * then upgrade, then validate (validate.ts `readReport`).
 */
import { REPORT_SCHEMA } from '../model.ts';

const V1 = 'cachewhy.report/v1';

/** A step content key's three digests, under each context and each side of a context comparison. */
const CONTENT_KEY_V1_NAMES = { contentKey: 'content_key', cacheDbKey: 'cache_db_key', edgeSelector: 'edge_selector' };

/**
 * Where each v1 camelCase field sits (`[]`: every item of a list) and its v2 name. Every camelCase key a
 * v1 report could hold is here (tests/unit/report/upgrade-keys.test.ts lists the keys of real reports).
 */
export const V1_RENAMES: readonly { at: string; names: Readonly<Record<string, string>> }[] = [
  { at: 'builds[].builder', names: { digestLines: 'digest_lines' } },
  { at: 'builds[].base_images[]', names: { metadataDigest: 'metadata_digest', imageId: 'image_id' } },
  {
    at: 'commands[].command',
    names: { buildArgs: 'build_args', noCache: 'no_cache', noCacheFilter: 'no_cache_filter', cacheFrom: 'cache_from', cacheTo: 'cache_to' },
  },
  { at: 'contexts[]', names: { modesKnown: 'modes_known', rootDigest: 'root_digest' } },
  { at: 'contexts[].keys[]', names: CONTENT_KEY_V1_NAMES },
  { at: 'diagnosis.context_diffs[]', names: { buildFiles: 'build_files' } },
  { at: 'diagnosis.context_diffs[].before', names: CONTENT_KEY_V1_NAMES },
  { at: 'diagnosis.context_diffs[].after', names: CONTENT_KEY_V1_NAMES },
  { at: 'diagnosis.causes[]', names: { toTellApart: 'to_tell_apart' } },
  { at: 'diagnosis.hash_notes[]', names: { contextUpstream: 'context_upstream', keyParts: 'key_parts' } },
];

/** `builds[].builder` → `['builds', '[]', 'builder']`. */
const pathOf = (at: string): string[] => at.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));

const RENAMES = V1_RENAMES.map(({ at, names }) => ({ path: pathOf(at), names }));

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A v1 report in the current shape (a new value: the input is not changed); anything else as it is —
 * the current schema needs nothing, and what is not a v1 report is for the validator to judge.
 * Total on any input: a damaged report is upgraded as far as its shape goes, never thrown on.
 */
export function upgradeReport(json: unknown): unknown {
  if (!isObj(json) || json.schema !== V1) return json;
  let out: unknown = { ...json, schema: REPORT_SCHEMA };
  for (const { path, names } of RENAMES) out = renameAt(out, path, names);
  return out;
}

/** Copies only the objects on `path`, so the input is left as it was. */
function renameAt(value: unknown, path: string[], names: Readonly<Record<string, string>>): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return isObj(value) ? renamed(value, names) : value;
  if (head === '[]') return Array.isArray(value) ? value.map((item) => renameAt(item, rest, names)) : value;
  if (!isObj(value) || !Object.hasOwn(value, head)) return value;
  return { ...value, [head]: renameAt(value[head], rest, names) };
}

/** The same fields in the same order, the old names replaced (a field already under its new name wins). */
function renamed(value: Obj, names: Readonly<Record<string, string>>): Obj {
  const entries = Object.entries(value).flatMap(([key, field]): [string, unknown][] => {
    const to = Object.hasOwn(names, key) ? names[key] : undefined;
    if (to === undefined) return [[key, field]];
    return Object.hasOwn(value, to) ? [] : [[to, field]];
  });
  // fromEntries defines own properties, so a hostile `__proto__` key stays a plain key as JSON.parse made it.
  return Object.fromEntries(entries);
}
