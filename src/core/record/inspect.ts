/**
 * `docker buildx history inspect --format json <ref>`: what a user can copy from a terminal without
 * exporting. No steps (those come from `docker buildx history logs <ref>`, a plain log, or any log of
 * the build), but the build args, `--no-cache`, the pull mode and the base image digests, which a log
 * does not show. Field names as docker/buildx's `commands/history/inspect.go` writes them.
 */
import type { RecordFacts, Result } from '../model.ts';
import { mergeFacts } from './facts.ts';
import { refOfPackageUrl } from './provenance.ts';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** One file = one build (a bake or compose inspect is an array: its targets are one build). */
export function readHistoryInspect(name: string, text: string): Result<RecordFacts> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      problem: {
        input: name,
        message: `${name} looks like \`docker buildx history inspect\` output but is not valid JSON (cut?).`,
        hint: 'Give the whole output of `docker buildx history inspect --format json <ref>`.',
      },
    };
  }
  const items = (Array.isArray(value) ? value : [value]).map(obj).filter((o) => typeof o.Ref === 'string');
  if (items.length === 0)
    return {
      ok: false,
      problem: { input: name, message: `${name} holds no build record.`, hint: 'Give the output of `docker buildx history inspect --format json <ref>`.' },
    };
  return { ok: true, value: mergeFacts(items.map(factsOf)) };
}

function factsOf(o: Json): RecordFacts {
  const config = obj(o.Config);
  const buildArgs: Record<string, string> = {};
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a scalar (string, number or bool) in every record BuildKit writes; String() is its text
  for (const arg of (Array.isArray(o.BuildArgs) ? o.BuildArgs : []).map(obj)) if (typeof arg.Name === 'string') buildArgs[arg.Name] = String(arg.Value ?? '');
  const materials = (Array.isArray(o.Materials) ? o.Materials : []).map(obj).flatMap((m) => {
    const uri = str(m.URI);
    if (!uri) return [];
    const digests = Array.isArray(m.Digests) ? m.Digests.map(String) : [];
    return [{ uri, ref: refOfPackageUrl(uri) ?? uri, digest: digests.find((d) => d.startsWith('sha256:')) ?? null }];
  });
  return {
    kind: 'history-inspect',
    ref: str(o.Ref),
    name: str(o.Name),
    provenance: 'none',
    // Inspect never carries the LLB or the Dockerfile text; its attachments point at them in the store.
    gaps: ['llb', 'dockerfile-text'],
    buildArgs,
    noCache: config.NoCache === true || (Array.isArray(config.NoCache) && config.NoCache.length > 0),
    pull: config.ImageResolveMode === 'pull',
    target: str(o.Target),
    filename: str(o.Dockerfile),
    materials,
    dockerfile: null,
    llb: [],
    counts: { total: num(o.NumTotalSteps), completed: num(o.NumCompletedSteps), cached: num(o.NumCachedSteps), warnings: num(o.NumWarnings) },
    status: str(o.Status),
  };
}
