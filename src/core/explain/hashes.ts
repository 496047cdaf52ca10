/**
 * Hash notes: what the `#N sha256:…` a step printed means, and what its cache key is made of.
 *
 * The printed digest (BuildKit v0.8 plain logs, rawjson `digest`) is the LLB *vertex* digest: a hash of
 * the marshalled op and its inputs' vertex digests. It is not the cache key. The build context's source
 * op carries a per-session ID, so every step downstream of a COPY/ADD from the context prints a new
 * digest every build, CACHED or not. Only for a step with no context upstream do equal digests mean
 * equal keys. (Observed in the real builds under tests/fixtures/lab*: `vertex_digest_facts` in each
 * case's truth.json, described in tests/fixtures/README.md.)
 */
import type { HashNote, SourceDiff, StepContentKey, StepStatus } from '../model.ts';
import type { Alignment, AlignedRow } from './align.ts';
import { planStepOf, rowLabel } from './align.ts';
import { diffForRow } from './causes/context.ts';
import { shortDigest } from './evidence.ts';
import { contextUpstream, directUpstream, readsContext, stagesReadBy } from './upstream.ts';

export interface HashInputs {
  al: Alignment;
  sources: string[];
  /** The pair the diagnosis is about, when there is one. */
  pair: { earlier: number; later: number } | null;
  missed: Set<string>;
  diffs: SourceDiff[] | null;
  /** The context given for each build (its file or folder name), null when none. */
  contextSources: (string | null)[];
  /** Content keys of the latest build's context, when it was given (used when there is no diff). */
  keys: { source: string; keys: StepContentKey[] } | null;
}

function distinct(values: (string | null)[]): string[] {
  return [...new Set(values.filter((d): d is string => d !== null))];
}

function statusWord(s: StepStatus | null): string {
  return s === 'cached' ? 'CACHED' : s === 'built' ? 'DONE' : (s ?? 'absent');
}

function explain(h: HashInputs, row: AlignedRow, ctx: boolean): string {
  const digests = row.logs.map((s) => s?.digest ?? null);
  const shown = distinct(digests);
  const vertexIsNotKey = "The printed digest is the LLB vertex digest (the op and its inputs' vertex digests), not the cache key.";
  if (shown.length === 0) {
    return `No log printed a vertex digest for this step (BuildKit ≥ v0.9 dropped the \`#N sha256:\` line from plain output; \`--progress=rawjson\` still has it). ${
      ctx
        ? 'It has the build context upstream, so its digest would differ every build anyway.'
        : 'With no build context upstream, equal digests in two rawjson logs would mean equal cache keys.'
    }`;
  }
  const perBuild = digests
    .map((d, b) => (d ? `${h.sources[b] ?? `build ${b + 1}`}: ${shortDigest(d)} ${statusWord(row.statuses[b] ?? null)}` : null))
    .filter((x): x is string => x !== null)
    .join(', ');
  if (row.keyword === 'FROM') {
    return `${vertexIsNotKey} For a FROM it identifies the image reference (and the digest it was pinned to, if any) and platform; DONE or CACHED only says whether its result had to be loaded. (${perBuild})`;
  }
  if (ctx) {
    const cachedTwiceDiffering =
      shown.length > 1 && row.statuses.filter((s) => s === 'cached').length >= 2 ? ' Here it was CACHED with different digests — exactly this effect.' : '';
    return `${vertexIsNotKey} The build context is upstream of this step, and the context's source op carries a per-session ID, so this step prints a new digest every build even when CACHED: a different digest here says nothing about the cache.${cachedTwiceDiffering} (${perBuild})`;
  }
  if (shown.length === 1 && digests.filter((d) => d !== null).length > 1) {
    const missedHere = h.missed.has(row.key)
      ? ' It still missed: the key was the same, so the cached result was not available to the later build (pruned, garbage-collected, another builder, --no-cache) — or its base is a local tag that moved, which changes the image key but not this digest.'
      : '';
    return `${vertexIsNotKey} No build context is upstream, so equal digests mean the same op on the same inputs: the same cache key.${missedHere} (${perBuild})`;
  }
  if (shown.length > 1) {
    return `${vertexIsNotKey} No build context is upstream, so a different digest means the op itself or an input changed (its command or text, an ENV or ARG value, the base image digest): the cache key changed too. (${perBuild})`;
  }
  return `${vertexIsNotKey} Only one build printed it, so there is nothing to compare. (${perBuild})`;
}

const CHECKSUM_FIELDS = 'mode, type, size, symlink target, xattrs and bytes of each file — no mtime, no owner';

/** The content checksum part of a COPY/ADD from the context, with the keys the contexts give. */
function contextChecksumPart(h: HashInputs, row: AlignedRow, paths: string[] | null): string {
  const sameStep = (k: StepContentKey) => k.step.index === row.index && (k.step.stage ?? null) === (row.stage ?? null);
  const diff = h.diffs ? diffForRow(h.diffs, row) : null;
  if (diff && h.pair && (diff.before || diff.after)) {
    const side = (key: StepContentKey | null, build: number, missing: string) =>
      key ? `${shortDigest(key.content_key)} in ${h.contextSources[build] ?? `build ${build + 1}'s context`}` : missing;
    const verdict = diff.before && diff.after ? (diff.before.content_key === diff.after.content_key ? ' (the same)' : ' (different)') : '';
    return `the content checksum of its sources (${CHECKSUM_FIELDS}): ${side(diff.before, h.pair.earlier, 'absent earlier')}, ${side(diff.after, h.pair.later, 'absent later')}${verdict}`;
  }
  const key = h.keys?.keys.find(sameStep);
  if (key && h.keys) return `the content checksum of its sources (${CHECKSUM_FIELDS}): ${shortDigest(key.content_key)} in ${h.keys.source}`;
  const named = paths && paths.length > 0 ? ` ${paths.map((p) => `\`${p}\``).join(', ')}` : '';
  return `the content checksum of its sources${named} in the build context (${CHECKSUM_FIELDS})`;
}

function keyParts(h: HashInputs, row: AlignedRow, build: number): string[] {
  const ps = planStepOf(row, build);
  const parts: string[] = [];
  const deps = directUpstream(h.al, row, build);
  const previous = deps.find((d) => d.stagePosition === row.stagePosition) ?? deps[0] ?? null;
  const prevText = previous ? `the cache key of the step before it, ${rowLabel(previous)} \`${previous.instruction}\`` : null;
  switch (row.keyword) {
    case 'FROM':
      parts.push('the resolved image manifest digest and platform (a tag is resolved to a digest first)');
      parts.push("the image config's layer chain (a re-tagged image with the same layers keeps the key)");
      break;
    case 'RUN': {
      parts.push(`the exec op: the command \`${row.instruction.replace(/^RUN\s+/i, '')}\`, working directory, user, network and security mode`);
      const args = ps ? Object.keys(ps.args) : [];
      const env = ps ? Object.keys(ps.env) : [];
      if (args.length + env.length > 0)
        parts.push(`the environment: ${[...env.map((n) => `ENV ${n}`), ...args.map((n) => `ARG ${n} (declared, so in every later RUN's env)`)].join(', ')}`);
      const mounts = ps?.mounts ?? [];
      for (const mount of mounts) {
        const m = mount.written;
        if (mount.type === 'cache') parts.push(`the cache mount's id and target (${m}), never its contents: a CACHED result may be stale`);
        else if (mount.type === 'secret' || mount.type === 'ssh')
          parts.push(`the ${mount.type === 'secret' ? 'secret' : 'SSH'} mount's target, never its value`);
        else if (mount.type === 'bind') parts.push(`the content checksum of the bind-mounted path (${m})`);
      }
      if (prevText) parts.push(prevText);
      break;
    }
    case 'COPY':
    case 'ADD': {
      const copy = ps?.copy;
      parts.push(
        `the file op: destination ${copy?.dest ?? '(as written)'}${copy?.chown ? `, --chown=${copy.chown}` : ''}${copy?.chmod ? `, --chmod=${copy.chmod}` : ''}, and the base names of its sources`,
      );
      if (prevText) parts.push(`${prevText} (the destination it writes into)`);
      if (readsContext(row, build)) {
        parts.push(contextChecksumPart(h, row, copy?.paths ?? null));
      } else {
        const from = stagesReadBy(h.al, row, build);
        if (from.length > 0 || copy?.from)
          parts.push(
            `the content checksum of ${copy ? copy.paths.join(', ') : 'its sources'} in ${copy?.from ? `\`${copy.from}\`` : 'the stage it copies from'} — not that stage's key, so an identical rebuild stays CACHED`,
          );
        else if (copy?.remote) parts.push('the downloaded content (and its Last-Modified header), or the --checksum given');
      }
      break;
    }
    case 'WORKDIR':
      parts.push(`the mkdir op for \`${row.instruction.replace(/^WORKDIR\s+/i, '')}\``);
      if (prevText) parts.push(prevText);
      break;
    default:
      if (prevText) parts.push(prevText);
  }
  return parts;
}

export function hashNotes(h: HashInputs): HashNote[] {
  const build = h.pair?.later ?? h.al.plans.length - 1;
  return h.al.rows.map((row) => {
    const ctx = contextUpstream(h.al, row, build);
    return {
      step: { stage: row.stage, index: row.index },
      digests: row.logs.map((s) => s?.digest ?? null),
      context_upstream: ctx,
      explanation: explain(h, row, ctx),
      key_parts: keyParts(h, row, build),
    };
  });
}
