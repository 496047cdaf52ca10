/** Reading the real lab-2026 records: the same steps as the logs, and what only a record holds. */
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sniffInput, sniffInputDeep } from '../../../src/core/ingest/sniff.ts';
import { readLogBuilds } from '../../../src/core/log/index.ts';
import type { BuildTrace } from '../../../src/core/model.ts';
import { readHistoryInspect, readRecordArchive } from '../../../src/core/record/index.ts';
import { readProvenance } from '../../../src/core/record/provenance.ts';
import { decodeStatusStream } from '../../../src/core/record/status.ts';
import { CASES, file } from './lab2026.ts';

const bytes = (name: string, f: string) => new Uint8Array(readFileSync(file(name, f)));

async function record(name: string, f = 'b.dockerbuild'): Promise<BuildTrace> {
  const read = await readRecordArchive(f, bytes(name, f));
  if (!read.ok) throw new Error(read.problem.message);
  expect(read.value).toHaveLength(1);
  return read.value[0]!;
}

const statuses = (t: BuildTrace) => t.steps.map((s) => `${s.stage ?? ''} ${s.index} ${s.status}`);

describe('a .dockerbuild read into a BuildTrace', () => {
  it.each(CASES.filter((c) => c !== 'bake-two-targets'))('%s: the record and the plain log of build b give the same steps and statuses', async (name) => {
    const fromRecord = await record(name);
    const log = readLogBuilds(readFileSync(file(name, 'b.log'), 'utf8'), 'b.log');
    if (!log.ok) throw new Error(log.problem.message);
    expect(statuses(fromRecord)).toEqual(statuses(log.value[0]!));
    expect(fromRecord.steps.map((s) => s.instruction)).toEqual(log.value[0]!.steps.map((s) => s.instruction));
  });

  it('bake: the two target records of one export are one build, as their log is', async () => {
    const t = await record('bake-two-targets');
    expect(t.record?.name).toBe('worker, app');
    const built = t.steps.filter((s) => s.status === 'built').map((s) => `[${s.stage} ${s.index}/${s.total}] ${s.instruction}`);
    expect(built).toEqual(['[worker 2/3] COPY worker.txt /worker.txt', '[worker 3/3] RUN cat /shared.txt /worker.txt']);
  });

  it('build args, base digests, the Dockerfile and the LLB come from the record', async () => {
    const t = await record('arg-used');
    const r = t.record!;
    expect(r.buildArgs).toEqual({ V: '2' });
    expect(t.commands[0]?.build_args).toEqual({ V: '2' });
    expect(r.provenance).toBe('max');
    expect(r.gaps).toEqual([]);
    expect(r.dockerfile?.text).toBe(readFileSync(file('arg-used', 'Dockerfile'), 'utf8'));
    expect(r.materials).toEqual([
      {
        uri: 'pkg:docker/lab/base@1?platform=linux%2Famd64',
        ref: 'lab/base:1',
        digest: 'sha256:18c0ab1f37cede32876da085595ec8e427dc4150b289edfa168a652939661188',
      },
    ]);
    expect(t.baseImages[0]?.digest).toBe(r.materials[0]!.digest);
    const run = r.llb.find((op) => op.digest === t.steps[1]!.digest);
    expect(run?.kind).toBe('exec');
    // The LLB keeps the command unexpanded and the arg in the env.
    expect(run?.fields.args).toBe(JSON.stringify(['/bin/sh', '-c', 'echo "V=$V" > /v.txt']));
    expect(run?.fields['env V']).toBe('2');
  });

  it('a COPY names what it reads from the context, and the context source what it sends', async () => {
    const t = await record('multistage');
    const copy = t.record!.llb.find((op) => op.digest === t.steps.find((s) => s.instruction === 'COPY src/ /src/')!.digest)!;
    expect(copy.copies?.map((c) => [c.src, c.dest, c.local])).toEqual([['/src', '/src/', 'context']]);
    const local = t.record!.llb.find((op) => op.digest === copy.copies![0]!.from)!;
    expect(local.local?.followPaths).toEqual(['src', 'static.txt']);
  });

  it('build-check warnings are read from the status stream', async () => {
    const t = await record('build-check-warning');
    expect(t.warnings.map((w) => w.split(':')[0])).toEqual(['FromAsCasing', 'MaintainerDeprecated', 'LegacyKeyValueFormat', 'JSONArgsRecommended']);
  });

  it('a base image re-pushed under one tag: the two records name two digests', async () => {
    const [a, b] = [await record('base-image-updated', 'a.dockerbuild'), await record('base-image-updated')];
    expect(a.record!.pull && b.record!.pull).toBe(true);
    expect(a.record!.materials[0]!.ref).toBe('127.0.0.1:5000/lab/base:latest');
    expect(a.record!.materials[0]!.digest).not.toBe(b.record!.materials[0]!.digest);
  });

  it('provenance in min mode still gives materials and args, and says what it lacks', () => {
    const full = JSON.parse(new TextDecoder().decode(provenanceBlob('arg-used'))) as Record<string, unknown>;
    delete full.buildConfig;
    delete full.metadata;
    const p = readProvenance(full);
    expect(p.hasBuildConfig).toBe(false);
    expect(p.llb).toEqual([]);
    expect(p.dockerfile).toBeNull();
    expect(p.args).toEqual({ 'build-arg:V': '2' });
    expect(p.materials).toHaveLength(1);
  });

  it('a cut status stream is a reason, not a throw', () => {
    const stream = new Uint8Array([10, 0, 0, 0, 1, 2]);
    expect(decodeStatusStream(stream)).toMatchObject({ ok: false });
  });

  it('something that is not an OCI layout is refused with a reason', async () => {
    const read = await readRecordArchive('ctx.tar.gz', gzipSync(readFileSync(file('arg-used', 'context-a.tar'))));
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.problem.message).toContain('not an OCI layout');
  });
});

describe('sniffing', () => {
  it('a .dockerbuild is told from a context tar.gz by what its tar holds', async () => {
    const record = bytes('arg-used', 'b.dockerbuild');
    const context = gzipSync(readFileSync(file('arg-used', 'context-a.tar')));
    expect(sniffInput('x', record)).toBe('context-tar-gz');
    expect(await sniffInputDeep('x', record)).toBe('build-record');
    expect(await sniffInputDeep('x', context)).toBe('context-tar-gz');
    // Only the head is read: the first 64 KiB of a big record still tell.
    expect(await sniffInputDeep('x', bytes('bake-two-targets', 'b.dockerbuild').subarray(0, 4096))).toBe('build-record');
  });

  it('history inspect JSON (an object, or an array for bake) is its own kind', () => {
    expect(sniffInput('x', bytes('arg-used', 'b.history.json'))).toBe('history-json');
    expect(sniffInput('x', bytes('bake-two-targets', 'b.history.json'))).toBe('history-json');
  });
});

describe('history inspect', () => {
  it('gives build args, pull mode and base digests', () => {
    const arg = readHistoryInspect('b.history.json', readFileSync(file('arg-used', 'b.history.json'), 'utf8'));
    expect(arg.ok && arg.value.buildArgs).toEqual({ V: '2' });
    const base = readHistoryInspect('b.history.json', readFileSync(file('base-image-updated', 'b.history.json'), 'utf8'));
    if (!base.ok) throw new Error(base.problem.message);
    expect(base.value.pull).toBe(true);
    expect(base.value.materials[0]!.digest).toBe('sha256:39ef6018725a379d172a9fc5627fdf67bff69079ffd6fddd0886e1f4dc46d557');
  });
});

function provenanceBlob(name: string): Uint8Array {
  // The provenance is the one blob holding `buildConfig`; found through the layout like any reader.
  const tar = gunzip(bytes(name, 'b.dockerbuild'));
  const text = new TextDecoder('latin1').decode(tar);
  const at = text.indexOf('{\n  "builder"');
  const end = text.indexOf('\0', at);
  return tar.subarray(at, end);
}

function gunzip(b: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(b));
}
