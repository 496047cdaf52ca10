/**
 * A `.dockerbuild` export → the BuildTrace a log of that build gives, with the record's facts attached.
 *
 * The status stream is decoded into rawjson's `SolveStatus` lines and read by the rawjson log reader:
 * one reader, so a record and a rawjson log of one build give the same steps and statuses. The records
 * of one export (bake targets, compose services, builds exported together by one command) are one build,
 * as their shared log is: vertices shared by two targets are one vertex.
 */
import { readLogBuilds } from '../log/index.ts';
import type { BuildTrace, RecordFacts, RecordGap, Result } from '../model.ts';
import type { ByteSource } from '../context/stream.ts';
import { buildArgsOf, readHistoryConfig } from './history-record.ts';
import { attachFacts, mergeFacts } from './facts.ts';
import { blobJson, manifestsOf, readOciArchive, type OciLayout, type OciManifest } from './oci.ts';
import { readProvenance } from './provenance.ts';
import { decodeStatusStream } from './status.ts';

export const MEDIA = {
  record: 'application/vnd.buildkit.historyrecord.v0',
  status: 'application/vnd.buildkit.status.v0',
  provenance: 'application/vnd.in-toto+json',
} as const;

const HINT = 'Export the build again: Docker Desktop → Builds → the build → Export, or `docker buildx history export <ref> -o build.dockerbuild`.';

interface OneRecord {
  facts: RecordFacts;
  imageNames: string[];
  lines: string[];
}

export async function readRecordArchive(name: string, source: ByteSource | Uint8Array): Promise<Result<BuildTrace[]>> {
  const opened = await readOciArchive(source);
  if (!opened.ok) return { ok: false, problem: { input: name, message: `${name} is not a readable build record: ${opened.reason}.`, hint: HINT } };
  const records = manifestsOf(opened.layout)
    .filter((m) => m.config?.mediaType === MEDIA.record)
    .map((m) => readOne(opened.layout, m));
  if (records.length === 0) return { ok: false, problem: { input: name, message: `${name} is an OCI layout but holds no BuildKit build record.`, hint: HINT } };
  const text = records.flatMap((r) => r.lines).join('\n');
  const facts = mergeFacts(records.map((r) => r.facts));
  if (text === '') {
    return { ok: false, problem: { input: name, message: `${name} holds a build record without its status stream: its steps are unknown.`, hint: HINT } };
  }
  const read = readLogBuilds(text, name);
  if (!read.ok) return read;
  // One export is one build, whatever the reader split it into.
  const [trace] = read.value;
  if (!trace) return { ok: false, problem: { input: name, message: `${name} holds no build step.`, hint: HINT } };
  trace.source = name;
  trace.notes = trace.notes.filter((n) => !/rawjson/i.test(n));
  attachFacts(trace, facts, [...new Set(records.flatMap((r) => r.imageNames))]);
  const problems = [...(read.problems ?? [])];
  const gaps = facts.gaps.filter((g) => g !== 'build-args');
  if (gaps.length > 0) problems.push({ input: name, message: `${name}: the record lacks ${gaps.map(gapWords).join(', ')}.`, hint: gapHint(facts) });
  return { ok: true, value: [trace], ...(problems.length ? { problems } : {}) };
}

function readOne(layout: OciLayout, manifest: OciManifest): OneRecord {
  const config = readHistoryConfig(blobJson(layout, manifest.config?.digest));
  const layers = manifest.layers ?? [];
  const status = layers.find((l) => l.mediaType === MEDIA.status);
  const provenanceLayer = layers.find(
    (l) => l.mediaType === MEDIA.provenance && (l.annotations?.['in-toto.io/predicate-type'] ?? '').includes('slsa.dev/provenance'),
  );
  const gaps: RecordGap[] = [];
  const lines: string[] = [];
  const statusBytes = status?.digest ? layout.blobs.get(status.digest) : undefined;
  if (statusBytes) {
    const decoded = decodeStatusStream(statusBytes);
    if (decoded.ok) for (const update of decoded.updates) lines.push(JSON.stringify(update));
    else gaps.push('status-stream');
  } else gaps.push('status-stream');
  const provenance = provenanceLayer ? readProvenance(blobJson(layout, provenanceLayer.digest)) : null;
  if (!provenance) gaps.push('provenance');
  else {
    if (!provenance.hasBuildConfig) gaps.push('llb');
    if (!provenance.dockerfile) gaps.push('dockerfile-text');
  }
  const attrs = { ...config.frontendAttrs };
  // The provenance's `invocation.parameters.args` repeat the frontend attributes; either may be missing.
  for (const [k, v] of Object.entries(provenance?.args ?? {})) if (!(k in attrs)) attrs[k] = v;
  const facts: RecordFacts = {
    kind: 'dockerbuild',
    ref: config.ref,
    name: config.target,
    provenance: !provenance ? 'none' : provenance.hasBuildConfig ? 'max' : 'min',
    gaps,
    buildArgs: buildArgsOf(attrs),
    noCache: 'no-cache' in attrs,
    pull: attrs['image-resolve-mode'] === 'pull',
    target: config.target,
    filename: attrs.filename ?? null,
    materials: provenance?.materials ?? [],
    dockerfile: provenance?.dockerfile ?? null,
    llb: provenance?.llb ?? [],
    counts: config.counts,
    status: config.failed ? 'failed' : 'completed',
  };
  return { facts, imageNames: config.imageNames, lines };
}

function gapWords(gap: RecordGap): string {
  switch (gap) {
    case 'status-stream':
      return 'its status stream (the steps and their statuses)';
    case 'provenance':
      return 'provenance (no base image digests, no LLB, no Dockerfile text)';
    case 'llb':
      return 'the LLB of its steps';
    case 'dockerfile-text':
      return 'the Dockerfile text';
    case 'build-args':
      return 'its build args';
  }
}

function gapHint(facts: RecordFacts): string {
  if (facts.status === 'failed') return 'A failed build is recorded without provenance; its steps and statuses are still read.';
  if (facts.provenance === 'min')
    return 'The provenance was recorded in min mode; build with `--provenance=mode=max` (or give the Dockerfile) for the LLB and the Dockerfile text.';
  return HINT;
}
