/**
 * The history record itself (the manifest's config, `application/vnd.buildkit.historyrecord.v0`): the
 * frontend attributes the build was asked with (build args, `no-cache`, `target`, the pull mode), step
 * counts, and the descriptors of its layers. Field names as BuildKit's `BuildHistoryRecord` marshals them.
 */
type Json = Record<string, unknown>;

export interface HistoryConfig {
  ref: string | null;
  frontendAttrs: Record<string, string>;
  imageNames: string[];
  counts: { total: number | null; completed: number | null; cached: number | null; warnings: number | null };
  failed: boolean;
  target: string | null;
}

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

export function readHistoryConfig(value: unknown): HistoryConfig {
  const c = obj(value);
  const frontendAttrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(c.FrontendAttrs))) if (typeof v === 'string') frontendAttrs[k] = v;
  const imageNames = (Array.isArray(c.Exporters) ? c.Exporters : [])
    .map((e) => obj(obj(e).Attrs).name)
    .filter((n): n is string => typeof n === 'string')
    .flatMap((n) => n.split(','));
  return {
    ref: typeof c.Ref === 'string' ? c.Ref : null,
    frontendAttrs,
    imageNames,
    counts: { total: num(c.numTotalSteps), completed: num(c.numCompletedSteps), cached: num(c.numCachedSteps), warnings: num(c.numWarnings) },
    failed: c.Error !== undefined && c.Error !== null,
    target:
      frontendAttrs.target ??
      (typeof obj(c.localState).Target === 'string' && obj(c.localState).Target !== 'default' ? String(obj(c.localState).Target) : null),
  };
}

/** `build-arg:NAME` attributes (and `--build-arg`s from inspect's `BuildArgs`), by name. */
export function buildArgsOf(attrs: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (k.startsWith('build-arg:')) out[k.slice('build-arg:'.length)] = v;
  return out;
}
