/**
 * Draft (vertex records from one BuildKit log) → BuildTrace: step statuses with the rules real logs
 * need, Dockerfile order, base images, transfers, cache import/export, errors, and honest notes.
 */
import type { BaseImage, BuildError, BuildTrace, CacheExport, CacheImport, InternalVertex, Result, Step, StepRef, StepStatus } from '../model.ts';
import { MAX_ERROR_LINES, type Draft, type VertexRecord } from './draft.ts';
import { classifyVertex, composeServiceOf, looksCutAt72, parseStepName, splitImageRef, withoutService, type StepName } from './names.ts';

export const FROM_RESOLVE_NOTE = 'FROM only resolves the base image; DONE here is not a rebuild';

interface StepDraft {
  name: StepName;
  rec: VertexRecord;
}

/**
 * The builds of one draft: one, or — when two builds printed into one console at once and their steps can
 * be told apart (a stage with two totals, one label with two instructions) — one per build, the second
 * with only its steps (the internal vertices cannot be told apart, so they stay with the first).
 */
export function assemble(draft: Draft): Result<BuildTrace[]> {
  const composeMode = draft.records.some((r) => composeServiceOf(r.name) !== null);
  if (composeMode && (draft.format === 'buildkit-plain' || draft.format === 'buildkit-tty')) draft.format = 'compose';

  const stepDrafts: StepDraft[] = [];
  const internalRecs: VertexRecord[] = [];
  for (const rec of draft.records) {
    const name = parseStepName(rec.name, composeMode);
    if (name) stepDrafts.push({ name, rec });
    else internalRecs.push(rec);
  }

  const [kept, ...others] = splitInterleaved(stepDrafts, draft);
  const first = assembleOne(draft, kept ?? [], internalRecs);
  const traces = [first, ...others.map((steps) => assembleOne(draft, steps, []))];
  if (traces.length > 1) {
    for (const t of traces) t.notes = [...t.notes, INTERLEAVED_NOTE];
  }
  return draft.problems.length > 0 ? { ok: true, value: traces, problems: draft.problems } : { ok: true, value: traces };
}

const INTERLEAVED_NOTE =
  'Two builds printed into this log at once; their steps were told apart by their labels (a stage with two step totals, or one label with two instructions). Vertices that are not steps (loading the context, exporting) stay with the first build.';

function assembleOne(draft: Draft, kept: StepDraft[], internalRecs: VertexRecord[]): BuildTrace {
  const records = [...kept.map((k) => k.rec), ...internalRecs];
  const failed = records.some((r) => r.result === 'error' && classifyVertex(r.name) !== 'cache-import');
  const unfinished = records.some((r) => r.result === null && !r.neverStarted);
  const truncated = draft.cut || (unfinished && !failed);

  const steps = kept.map(({ name, rec }) => toStep(name, rec, draft, failed, truncated));
  const recordOf = new Map<Step, VertexRecord>(steps.map((s, i) => [s, (kept[i] as StepDraft).rec]));
  noteSharedFrom(steps);
  const ordered = orderSteps(steps, kept);

  const internal = internalRecs.map(toInternal);
  const trace: BuildTrace = {
    source: draft.source,
    format: draft.format,
    builder: { ...draft.builder },
    linePrefix: draft.linePrefix,
    steps: ordered,
    internal,
    baseImages: baseImages(internalRecs, ordered, recordOf),
    transfers: transfers(internalRecs),
    cacheImports: cacheImports(internalRecs, draft),
    cacheExports: internalRecs
      .filter((r) => classifyVertex(r.name) === 'cache-export')
      .map((r): CacheExport => ({ name: r.name, ok: r.result === null ? null : r.result !== 'error' && r.result !== 'canceled' })),
    errors: buildErrors(kept, draft),
    warnings: dedupe(draft.warnings),
    commands: [],
    imageId: draft.imageId,
    truncated,
    notes: [...draft.notes],
    startedAt: draft.startedAt,
    completedAt: draft.completedAt,
    reading: { repairs: [], learnedPrefix: null, build: 1, builds: 1, unplacedLines: draft.unplaced },
  };
  if (truncated && !draft.notes.some((n) => n.startsWith('The log ends'))) {
    trace.notes.push('The log ends before the build finished (cut paste or killed build): steps without a result are marked not-run.');
  }
  if (failed && ordered.some((s) => s.status === 'canceled')) {
    trace.notes.push('A step failed, so BuildKit canceled the steps still running; a canceled step says nothing about its cache.');
  }
  return trace;
}

function stageKey(n: StepName): string {
  return `${n.platform ?? ''}|${n.service ?? ''}|${n.stage ?? ''}`;
}

/**
 * Two builds interleaved in one log (CI running two builds into one console) show as a stage with two
 * totals, or the same label with two instructions. Merging them would invent statuses, so such steps go
 * to a second build; the user is told.
 */
function splitInterleaved(stepDrafts: StepDraft[], draft: Draft): StepDraft[][] {
  const totals = new Map<string, number | null>();
  const byLabel = new Map<string, StepDraft>();
  const kept: StepDraft[] = [];
  const second: StepDraft[] = [];
  const secondByLabel = new Map<string, StepDraft>();
  const conflicts: string[] = [];
  for (const sd of stepDrafts) {
    const sk = stageKey(sd.name);
    const total = totals.get(sk);
    const lk = `${sk}|${sd.name.index}`;
    if (total === undefined) totals.set(sk, sd.name.total);
    else if (total !== sd.name.total) {
      conflicts.push(`${sd.name.label} after [${sd.name.stage ?? ''} …/${total}]`);
      addOnce(second, secondByLabel, lk, sd);
      continue;
    }
    const same = byLabel.get(lk);
    if (same) {
      // A helper vertex under the step's label (`[3/5] LINK …` behind `COPY --link`) is not a second build.
      if (!INSTRUCTION_RE.test(sd.name.instruction)) continue;
      if (same.name.instruction !== sd.name.instruction && !same.rec.nameTruncated && !sd.rec.nameTruncated) {
        conflicts.push(`${sd.name.label} ${sd.name.instruction} next to ${same.name.instruction}`);
        addOnce(second, secondByLabel, lk, sd);
        continue;
      }
      // The same step on another vertex (a rawjson re-list): keep the later facts on the first entry.
      mergeInto(same.rec, sd.rec);
      continue;
    }
    byLabel.set(lk, sd);
    kept.push(sd);
  }
  if (conflicts.length > 0) {
    const message = `This log seems to hold two builds interleaved (${conflicts[0]}); their steps were read as two builds by their labels.`;
    draft.notes.push(message);
    draft.problems.push({
      input: draft.source,
      message,
      hint: 'If the split looks wrong, give each build its own log (run the builds one after the other, or write each to its own file).',
    });
  }
  return second.length > 0 ? [kept, second] : [kept];
}

function addOnce(list: StepDraft[], byLabel: Map<string, StepDraft>, key: string, sd: StepDraft): void {
  const same = byLabel.get(key);
  if (same) mergeInto(same.rec, sd.rec);
  else {
    byLabel.set(key, sd);
    list.push(sd);
  }
}

const INSTRUCTION_RE = /^(?:FROM|RUN|COPY|ADD|WORKDIR|ONBUILD|ENV|ARG|LABEL|USER|EXPOSE|VOLUME|CMD|ENTRYPOINT|SHELL|HEALTHCHECK|STOPSIGNAL|MAINTAINER)\b/;

function mergeInto(into: VertexRecord, from: VertexRecord): void {
  for (const n of from.numbers) if (!into.numbers.includes(n)) into.numbers.push(n);
  if (from.result !== null && from.resultOrder >= into.resultOrder) {
    into.result = from.result;
    into.resultOrder = from.resultOrder;
    into.durationS = from.durationS;
    into.error = from.error;
  }
  into.pulled ||= from.pulled;
  into.digest ??= from.digest;
}

const FROM_PULLED_NOTE = 'the log shows layer downloads under this FROM: the base image was pulled';
export const REMOTE_CACHE_LOADING_NOTE =
  'the log ends while layers are pulled under this step and it printed no output: its result was being loaded from an imported cache (--cache-from)';
export const REMOTE_CACHE_NOTE = 'DONE after layer downloads and no output: the result was loaded from an imported cache (--cache-from), the step did not run';

function toStep(name: StepName, rec: VertexRecord, draft: Draft, failed: boolean, truncated: boolean): Step {
  const isFrom = name.instruction.startsWith('FROM ');
  let status: StepStatus;
  let note: string | undefined;
  switch (rec.result) {
    case 'cached':
      status = 'cached';
      if (rec.resultOrder > draft.firstErrorOrder) {
        note = 'printed CACHED after the build had already failed: found in the cache, but it may never have been used';
      }
      break;
    case 'done':
      if (isFrom && !rec.pulled) {
        status = 'cached';
        note = FROM_RESOLVE_NOTE;
      } else if (isFrom) {
        status = 'built';
        note = FROM_PULLED_NOTE;
      } else if (rec.pulled && rec.output.length === 0) {
        // Layer downloads under a RUN/COPY vertex, and no output: BuildKit fetched the step's result
        // from an imported cache (--cache-from) instead of running it (docker/build-push-action#885).
        status = 'cached';
        note = REMOTE_CACHE_NOTE;
      } else {
        status = 'built';
      }
      break;
    case 'error':
      status = 'error';
      break;
    case 'canceled':
      status = 'canceled';
      note = 'canceled because another step failed; whether it would have been cached is unknown';
      break;
    default:
      status = 'not-run';
      if (!isFrom && !rec.neverStarted && rec.pulled && rec.output.length === 0 && !failed) {
        // Layers pulled under a RUN/COPY and nothing run: the imported cache was being loaded.
        status = 'cached';
        note = REMOTE_CACHE_LOADING_NOTE;
      } else if (!isFrom && !rec.neverStarted && rec.output.length > 0 && rec.result === null) {
        status = 'built';
        note = failed
          ? 'it printed output and had no result when the build failed: it ran, it was not cached'
          : 'the log ends while this step runs: it printed output, so it was not cached';
      } else if (isFrom && !rec.neverStarted && rec.pulled) {
        status = 'built';
        note = FROM_PULLED_NOTE;
      } else if (isFrom && !rec.neverStarted) {
        // A FROM without a result only resolved its image (or was still pulling, which shows above).
        status = 'cached';
        note = FROM_RESOLVE_NOTE;
      } else if (rec.neverStarted) note = 'BuildKit planned this step but never started it';
      else if (failed) note = 'the build failed before this step finished';
      else if (truncated) note = 'the log ends before this step finished';
      else note = 'the log shows no result for this step';
  }
  const step: Step = {
    stage: name.stage,
    index: name.index,
    total: name.total,
    label: name.label,
    instruction: name.instruction,
    truncated: rec.nameTruncated || looksCutAt72(rec.name),
    status,
    durationS: rec.durationS,
    vertices: rec.numbers.slice(),
    digest: rec.digest,
  };
  if (name.service !== null) step.service = name.service;
  if (name.platform !== null) step.platform = name.platform;
  if (note !== undefined) step.statusNote = note;
  if (rec.startedAt !== null) step.startedAt = rec.startedAt;
  if (rec.completedAt !== null) step.completedAt = rec.completedAt;
  if (rec.inputs) step.inputs = rec.inputs.slice();
  if (rec.output.length > 0) step.output = rec.output.slice();
  if (rec.error !== null) step.error = rec.error;
  return step;
}

/**
 * Stages that start from the same image share one FROM vertex, printed under one stage's label only
 * (which one can change between builds). Say so on the FROM, so nobody reads the other stage's
 * missing `1/N` as a difference.
 */
function noteSharedFrom(steps: Step[]): void {
  // One block per platform and compose service: stages only share FROM vertices within a build.
  const blocks = new Map<string, Step[]>();
  for (const s of steps) {
    const b = `${s.platform ?? ''}|${s.service ?? ''}`;
    if (!blocks.has(b)) blocks.set(b, []);
    blocks.get(b)?.push(s);
  }
  for (const block of blocks.values()) {
    const byStage = new Map<string | null, Step[]>();
    for (const s of block) {
      if (!byStage.has(s.stage)) byStage.set(s.stage, []);
      byStage.get(s.stage)?.push(s);
    }
    const withoutFrom = [...byStage.entries()].filter(([, list]) => !list.some((s) => s.index === 1));
    if (withoutFrom.length === 0) continue;
    const names = withoutFrom.map(([stage]) => stage ?? '(unnamed)');
    for (const s of block) {
      if (s.index !== 1 || !s.instruction.startsWith('FROM ')) continue;
      const shared = `this FROM vertex may also serve stage ${names.join(', ')}, whose own FROM is not printed: BuildKit prints a shared FROM once, under one stage's label`;
      s.statusNote = s.statusNote ? `${s.statusNote}; ${shared}` : shared;
    }
  }
}

// `COPY --from=builder`, `RUN --mount=…,from=builder`: the named stage must come first.
const FROM_FLAG_RE = /(?:--from=|[,\s]from=)([^\s,]+)/g;

/**
 * Dockerfile order. The log prints steps in completion order (cached builds are out of order) and does
 * not say where a named stage stands, so: group by stage, order the stages by
 *  1. `stage-N` labels, which give the stage's position N exactly;
 *  2. `--from=` references, which must come before the stage using them;
 *  3. first appearance in the log;
 * then by index within the stage.
 */
function orderSteps(steps: Step[], kept: StepDraft[]): Step[] {
  const groups = new Map<string, { steps: Step[]; first: number; stage: string | null; platform: string }>();
  steps.forEach((s, i) => {
    const k = `${s.platform ?? ''}|${s.service ?? ''}|${s.stage ?? ''}`;
    const order = kept[i]?.rec.order ?? i;
    const g = groups.get(k);
    if (g) {
      g.steps.push(s);
      g.first = Math.min(g.first, order);
    } else groups.set(k, { steps: [s], first: order, stage: s.stage, platform: `${s.platform ?? ''}|${s.service ?? ''}` });
  });
  // Platforms/services as blocks in order of first appearance, stages ordered within each block.
  const blocks = new Map<string, (typeof groups extends Map<string, infer G> ? G : never)[]>();
  for (const g of [...groups.values()].sort((a, b) => a.first - b.first)) {
    if (!blocks.has(g.platform)) blocks.set(g.platform, []);
    blocks.get(g.platform)?.push(g);
  }
  const out: Step[] = [];
  for (const block of blocks.values()) {
    for (const g of orderStages(block)) out.push(...g.steps.sort((a, b) => a.index - b.index));
  }
  return out;
}

interface StageGroup {
  steps: Step[];
  first: number;
  stage: string | null;
}

/** Beyond this many stages the log is not a real build; keep first-seen order rather than sort. */
const MAX_ORDERED_STAGES = 500;

function orderStages<G extends StageGroup>(byFirstSeen: G[]): G[] {
  if (byFirstSeen.length > MAX_ORDERED_STAGES) return byFirstSeen;
  const names = new Set(byFirstSeen.map((g) => g.stage));
  const deps = new Map<G, Set<string>>();
  for (const g of byFirstSeen) {
    const d = new Set<string>();
    for (const s of g.steps) {
      FROM_FLAG_RE.lastIndex = 0;
      for (let m = FROM_FLAG_RE.exec(s.instruction); m; m = FROM_FLAG_RE.exec(s.instruction)) {
        const ref = m[1] as string;
        if (ref !== g.stage && names.has(ref)) d.add(ref);
      }
    }
    deps.set(g, d);
  }
  // Topological order by --from, ties broken by first appearance.
  const placed: G[] = [];
  const done = new Set<string | null>();
  const pending = byFirstSeen.slice();
  while (pending.length > 0) {
    let i = pending.findIndex((g) => [...(deps.get(g) ?? [])].every((d) => done.has(d)));
    if (i === -1) i = 0; // a cycle cannot happen in a Dockerfile; keep going rather than loop
    const [g] = pending.splice(i, 1) as [G];
    placed.push(g);
    done.add(g.stage);
  }
  // `stage-N` is the N-th stage (0-based). Put such stages in their slot when every slot exists and the
  // result still honours --from; otherwise the topological order stands.
  const fixed = new Map<number, G>();
  for (const g of placed) {
    const m = /^stage-(\d+)$/.exec(g.stage ?? '');
    if (m) fixed.set(Number(m[1]), g);
  }
  if (fixed.size === 0 || [...fixed.keys()].some((n) => n >= placed.length)) return placed;
  const rest = placed.filter((g) => ![...fixed.values()].includes(g));
  const slotted: G[] = [];
  for (let pos = 0; pos < placed.length; pos++) slotted.push(fixed.get(pos) ?? (rest.shift() as G));
  const position = new Map<string | null, number>(slotted.map((g, i) => [g.stage, i]));
  const honours = slotted.every((g, i) => [...(deps.get(g) ?? [])].every((d) => (position.get(d) ?? -1) < i));
  return honours ? slotted : placed;
}

function toInternal(rec: VertexRecord): InternalVertex {
  const v: InternalVertex = {
    kind: classifyVertex(rec.name),
    name: rec.name,
    vertices: rec.numbers.slice(),
    digest: rec.digest,
    status: rec.result === 'done' ? 'built' : rec.result === null ? 'not-run' : rec.result,
    durationS: rec.durationS,
    statuses: rec.statuses.slice(),
  };
  if (rec.error !== null) v.error = rec.error;
  return v;
}

function baseImages(internalRecs: VertexRecord[], steps: Step[], recordOf: Map<Step, VertexRecord>): BaseImage[] {
  const images: BaseImage[] = [];
  const byRef = new Map<string, BaseImage>();
  for (const rec of internalRecs) {
    const name = withoutService(rec.name);
    if (classifyVertex(name) !== 'load-metadata') continue;
    // `[internal] load metadata for docker.io/library/alpine:3.14` (a platform may follow in brackets)
    const { ref, digest } = splitImageRef(name.slice('[internal] load metadata for '.length));
    if (byRef.has(ref)) continue;
    const img: BaseImage = { ref, digest, stage: null, metadataDigest: rec.digest };
    byRef.set(ref, img);
    images.push(img);
  }
  steps.forEach((s) => {
    if (!s.instruction.startsWith('FROM ')) return;
    const rec = recordOf.get(s);
    const split = splitImageRef(s.instruction.slice(5));
    // A name cut at the terminal width can end inside `@sha256:…`: keep the reference, drop the stub.
    const ref = s.truncated && split.digest === null ? split.ref.replace(/@[\w:]*$/, '') : split.ref;
    const digest = s.truncated && split.digest !== null && split.digest.length < 71 ? null : split.digest;
    const resolved = digest ?? rec?.resolvedDigest ?? null;
    const img = byRef.get(ref) ?? (s.truncated ? images.find((i) => i.ref.startsWith(ref)) : undefined);
    if (img) {
      img.digest ??= resolved;
      img.stage ??= s.stage;
    } else {
      const fresh: BaseImage = { ref, digest: resolved, stage: s.stage };
      byRef.set(ref, fresh);
      images.push(fresh);
    }
  });
  return images;
}

function transfers(internalRecs: VertexRecord[]): BuildTrace['transfers'] {
  const t: BuildTrace['transfers'] = { context: null, dockerfile: null, dockerignore: null };
  for (const rec of internalRecs) {
    if (rec.transferBytes === null) continue;
    const kind = classifyVertex(rec.name);
    if (kind === 'load-context') t.context = (t.context ?? 0) + rec.transferBytes;
    else if (kind === 'load-definition') t.dockerfile = (t.dockerfile ?? 0) + rec.transferBytes;
    else if (kind === 'load-dockerignore') t.dockerignore = (t.dockerignore ?? 0) + rec.transferBytes;
  }
  return t;
}

function cacheImports(internalRecs: VertexRecord[], draft: Draft): CacheImport[] {
  const out: CacheImport[] = [];
  for (const rec of internalRecs) {
    if (classifyVertex(rec.name) !== 'cache-import') continue;
    const ref = rec.name.slice('importing cache manifest from '.length);
    const imp: CacheImport = { ref, ok: rec.result === null ? null : rec.result === 'done' || rec.result === 'cached' };
    if (rec.error !== null) imp.error = rec.error;
    out.push(imp);
  }
  if (out.some((i) => i.ok === false)) {
    draft.notes.push('A cache import failed (the build goes on without that cache): see cacheImports.');
  }
  return out;
}

function stepRefOf(name: StepName): StepRef {
  return { stage: name.stage, index: name.index };
}

/** Errors: each failed step with its message, plus the `------` block and Dockerfile excerpt after the stream. */
function buildErrors(kept: StepDraft[], draft: Draft): BuildError[] {
  const errors: BuildError[] = [];
  const trailer = draft.trailer.slice(0, MAX_ERROR_LINES);
  for (const { name, rec } of kept) {
    if (rec.result !== 'error') continue;
    errors.push({ step: stepRefOf(name), message: rec.error ?? 'the step failed', lines: trailer });
  }
  if (errors.length === 0) {
    const finalLine = draft.trailer.find((l) => /^(?:ERROR: )?failed to (?:solve|compute cache key|build)|^executor failed running/.test(l));
    const internalError = draft.records.find((r) => r.result === 'error' && classifyVertex(r.name) !== 'cache-import');
    if (finalLine || internalError) {
      errors.push({ step: null, message: internalError?.error ?? finalLine ?? 'the build failed', lines: trailer });
    }
  }
  return errors;
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}
