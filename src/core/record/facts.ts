/**
 * What a record brings beyond its steps, put where the rest of cachewhy already looks for it: the build
 * args, `--no-cache`, `--pull` and `--target` as the build's command (so they are compared, and
 * redacted, like any `--build-arg`), and the base image digests on the trace's base images.
 */
import type { BaseImage, BuildCommand, BuildTrace, RecordFacts } from '../model.ts';
import { imageRefKey as normalImageRef } from '../dockerfile/image-ref.ts';

/** The command a record stands for. Its text says where it comes from; it is not what the user typed. */
export function commandOfRecord(facts: RecordFacts, imageNames: string[] = []): BuildCommand {
  const flags = [
    ...Object.entries(facts.buildArgs).map(([k, v]) => `--build-arg ${k}=${v}`),
    ...(facts.noCache ? ['--no-cache'] : []),
    ...(facts.pull ? ['--pull'] : []),
    ...(facts.target ? [`--target ${facts.target}`] : []),
  ];
  return {
    text: ['docker buildx build', ...flags, '.', '# from the build record'].join(' '),
    tool: 'build record',
    build_args: { ...facts.buildArgs },
    no_cache: facts.noCache,
    no_cache_filter: [],
    pull: facts.pull,
    cache_from: [],
    cache_to: [],
    platform: [],
    target: facts.target,
    file: facts.filename,
    context: null,
    tags: imageNames,
    progress: null,
  };
}

/** `docker.io/library/alpine:3` and `alpine:3` name one image (the rule is in dockerfile/image-ref.ts). */
export { normalImageRef };

/** Gives each base image of the trace the digest the materials recorded; adds those the trace lacks. */
export function applyMaterials(trace: BuildTrace, facts: RecordFacts): void {
  for (const material of facts.materials) {
    if (!material.digest) continue;
    const key = normalImageRef(material.ref);
    const known = trace.baseImages.filter((b) => normalImageRef(b.ref) === key);
    if (known.length === 0) trace.baseImages.push({ ref: material.ref, digest: material.digest, stage: null } satisfies BaseImage);
    for (const base of known) base.digest = material.digest;
  }
}

/** Gives a trace what its record says; the record's command comes first (the log's own has no args). */
export function attachFacts(trace: BuildTrace, facts: RecordFacts, imageNames: string[] = []): void {
  trace.record = facts;
  trace.commands = [commandOfRecord(facts, imageNames), ...trace.commands];
  applyMaterials(trace, facts);
}

/** The facts of several records of one export (bake targets, compose services) as one build's. */
export function mergeFacts(all: RecordFacts[]): RecordFacts {
  const [first, ...rest] = all;
  if (!first) throw new Error('no record');
  if (rest.length === 0) return first;
  const seen = new Set<string>();
  return {
    ...first,
    name:
      all
        .map((f) => f.name ?? f.target ?? f.ref)
        .filter(Boolean)
        .join(', ') || null,
    gaps: [...new Set(all.flatMap((f) => f.gaps))],
    buildArgs: all.reduce<Record<string, string>>((args, f) => Object.assign(args, f.buildArgs), {}),
    noCache: all.some((f) => f.noCache),
    pull: all.some((f) => f.pull),
    target: null,
    materials: all.flatMap((f) => f.materials).filter((m) => !seen.has(m.uri) && seen.add(m.uri)),
    llb: [...new Map(all.flatMap((f) => f.llb).map((op) => [op.digest, op])).values()],
    counts: {
      total: sum(all.map((f) => f.counts.total)),
      completed: sum(all.map((f) => f.counts.completed)),
      cached: sum(all.map((f) => f.counts.cached)),
      warnings: sum(all.map((f) => f.counts.warnings)),
    },
  };
}

function sum(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}
