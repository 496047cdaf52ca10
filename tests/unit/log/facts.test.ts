/**
 * Facts from real BuildKit runs that the reader must get right, checked on the fixtures that show them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FROM_RESOLVE_NOTE, readLog, REMOTE_CACHE_NOTE } from '../../../src/core/log/index.ts';
import { cases, essence, FIXTURES, read, type Case } from './truth.ts';

const all = cases();
const byName = (name: string): Case => {
  const c = all.find((x) => x.name === name);
  if (!c) throw new Error(`no fixture ${name}`);
  return c;
};
const modern = all.filter((c) => c.name.startsWith('lab-modern/'));
const v08 = all.filter((c) => c.name.startsWith('lab/') && c.name !== 'lab/tty-copy-file-content');

describe('era and builder line', () => {
  it.each(modern.map((c) => [c.name, c] as const))('%s: modern plain logs open with #0 building with … and print no digests', (_n, c) => {
    const t = read(c, 'b.log');
    expect(t.builder).toEqual({ name: 'default', driver: 'docker', digestLines: false, era: 'buildkit-modern' });
    expect(t.steps.every((s) => s.digest === null)).toBe(true);
  });
  it.each(v08.map((c) => [c.name, c] as const))('%s: BuildKit v0.8 prints a digest under every step header', (_n, c) => {
    const t = read(c, 'b.log');
    expect(t.builder.digestLines).toBe(true);
    expect(t.builder.era).toBe('buildkit-v0.8');
    expect(t.builder.name).toBeNull();
    for (const s of t.steps) expect(s.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const s of t.steps) expect(s.vertices.length).toBeGreaterThan(0);
  });
});

describe('labels', () => {
  it('a single-stage Dockerfile with RUN --mount is labelled stage-0', () => {
    const t = read(byName('lab-modern/cache-mount'), 'b.log');
    expect(t.steps.map((s) => s.label)).toEqual(['[stage-0 1/3]', '[stage-0 2/3]', '[stage-0 3/3]']);
    expect(t.steps.every((s) => s.stage === 'stage-0')).toBe(true);
  });
  it('padded labels ([ 2/34]) give stage null, index 2, total 34', () => {
    const t = read(byName('lab/seed-replica'), 'b.log');
    expect(t.steps).toHaveLength(34);
    expect(t.steps[1]).toMatchObject({
      label: '[ 2/34]',
      stage: null,
      index: 2,
      total: 34,
      instruction: 'ADD model/Dockerfile/om-datasci-base/.aws/ /root/.aws',
    });
  });
  it('the heredoc display `RUN <<EOT (…...)` is not taken for a cut name', () => {
    const t = read(byName('lab-modern/heredoc-run'), 'b.log');
    expect(t.steps.find((s) => s.index === 3)).toMatchObject({ instruction: 'RUN <<EOT (echo line one > /h.txt...)', truncated: false });
  });
});

describe('Dockerfile order', () => {
  it('cached builds print steps out of order; steps come back in index order', () => {
    const text = readFileSync(join(FIXTURES, 'lab/seed-replica/a.log'), 'utf8');
    const printed = [...text.matchAll(/^#\d+ \[ ?(\d+)\/34\]/gm)].map((m) => Number(m[1]));
    expect(printed).not.toEqual([...printed].sort((a, b) => a - b)); // the log really is out of order
    const t = read(byName('lab/seed-replica'), 'a.log');
    expect(t.steps.map((s) => s.index)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
  });
  it.each(['lab/multistage', 'lab-modern/multistage'].flatMap((n) => ['warmup.log', 'a.log', 'b.log'].map((f) => [`${n}/${f}`, n, f] as const)))(
    '%s: the builder stage comes before the stage that copies from it',
    (_l, n, f) => {
      const t = read(byName(n), f);
      const stages = [...new Set(t.steps.map((s) => s.stage))];
      expect(stages).toEqual(['builder', 'stage-1']);
    },
  );
  it.each(['lab/failed-build', 'lab-modern/failed-build'].map((n) => [n] as const))('%s: stage-1 is the second stage even when printed first', (n) => {
    const t = read(byName(n), 'b.log');
    expect([...new Set(t.steps.map((s) => s.stage))]).toEqual(['slow', 'stage-1']);
  });
});

describe('FROM', () => {
  it('DONE 0.0s on a FROM that only resolves its image is not a rebuild', () => {
    const t = read(byName('lab/copy-file-content'), 'b.log');
    const from = t.steps[0];
    expect(from).toMatchObject({ index: 1, status: 'cached', statusNote: FROM_RESOLVE_NOTE, durationS: 0 });
  });
  it('a FROM printed twice (DONE, then CACHED, same #N) takes the last result', () => {
    const c = byName('lab/seed-replica');
    const text = readFileSync(join(c.dir, 'b.log'), 'utf8');
    expect(text.match(/^#4 \[ 1\/34\] FROM/gm)).toHaveLength(2);
    const from = read(c, 'b.log').steps[0];
    expect(from).toMatchObject({ status: 'cached', vertices: [4] });
    expect(from?.statusNote).toBeUndefined();
  });
  it('a FROM shared by two stages is kept once, under its printed label, with a note', () => {
    const t = read(byName('lab/multistage'), 'b.log');
    const froms = t.steps.filter((s) => s.instruction.startsWith('FROM '));
    expect(froms.map((s) => s.label)).toEqual(['[stage-1 1/4]']);
    expect(froms[0]?.statusNote).toMatch(/builder/);
  });
  it('layer downloads under a FROM mean the image was pulled', () => {
    const log = [
      '#0 building with "default" instance using docker driver',
      '#5 [1/2] FROM docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b',
      '#5 resolve docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b 0.0s done',
      '#5 sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8 3.41MB / 3.41MB 0.2s done',
      '#5 extracting sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8 0.1s done',
      '#5 DONE 0.4s',
      '#6 [2/2] RUN true',
      '#6 CACHED',
    ].join('\n');
    const r = readLog(log, 'pull.log');
    expect(r.ok && r.value.steps[0]?.status).toBe('built');
    expect(r.ok && r.value.baseImages[0]).toMatchObject({ ref: 'docker.io/library/alpine:3.19', digest: expect.stringMatching(/^sha256:c5b1/) });
  });
});

describe('steps loaded from an imported cache', () => {
  const head = ['#0 building with "gha" instance using docker-container driver', '#9 [3/4] RUN npm ci'];
  const blobs = [
    '#9 sha256:35eb1fdebbb4820d0127f245e009a1f43bf2d27e28dce06f10a72fe72dbc7698 101.05MB / 101.05MB 1.9s done',
    '#9 extracting sha256:35eb1fdebbb4820d0127f245e009a1f43bf2d27e28dce06f10a72fe72dbc7698 2.3s done',
  ];
  it('layer downloads and no output under a RUN: a remote cache hit, not a run', () => {
    const r = readLog([...head, ...blobs, '#9 DONE 4.4s'].join('\n'), 'gha.log');
    expect(r.ok && r.value.steps[0]).toMatchObject({ status: 'cached', statusNote: REMOTE_CACHE_NOTE, durationS: 4.4 });
  });
  it('a RUN that prints output ran, whatever else it shows', () => {
    const r = readLog([...head, ...blobs, '#9 0.512 added 312 packages', '#9 DONE 9.1s'].join('\n'), 'gha.log');
    expect(r.ok && r.value.steps[0]?.status).toBe('built');
  });
});

describe('build-level facts', () => {
  it('transfer sizes are bytes', () => {
    const t = read(byName('lab/copy-file-content'), 'b.log');
    expect(t.transfers).toEqual({ context: 45, dockerfile: 31, dockerignore: 2 });
    const s = read(byName('lab/seed-replica'), 'b.log');
    expect(s.transfers.context).toBe(1350);
  });
  it.each(all.filter((c) => (c.truth as { image_ids?: Record<string, string> }).image_ids?.b).map((c) => [c.name, c] as const))(
    '%s: imageId from `writing image sha256:…`',
    (_n, c) => {
      const want = (c.truth as unknown as { image_ids: Record<string, string> }).image_ids.b;
      expect(read(c, 'b.log').imageId).toBe(want);
    },
  );
  it('a cache import that fails is an ERROR vertex, the build goes on', () => {
    const t = read(byName('lab/cache-from-missing'), 'b.log');
    expect(t.cacheImports).toEqual([{ ref: '127.0.0.1:5000/lab/never-pushed:latest', ok: false, error: '127.0.0.1:5000/lab/never-pushed:latest: not found' }]);
    expect(t.errors).toEqual([]);
    expect(t.internal.find((i) => i.kind === 'cache-import')?.status).toBe('error');
  });
  it('inline cache import and export of the seed replica', () => {
    const t = read(byName('lab/seed-replica'), 'b.log');
    expect(t.cacheImports).toEqual([{ ref: '127.0.0.1:5000/lab/seed-replica:latest', ok: true }]);
    expect(t.cacheExports).toEqual([{ name: 'exporting cache', ok: true }]);
    expect(t.baseImages[0]).toMatchObject({
      ref: '127.0.0.1:5000/lab/base:1',
      digest: 'sha256:092d6e751ac01d110fb80e3845c4869a2370abce73170108ca3666797fe55aef',
      metadataDigest: expect.stringMatching(/^sha256:/),
    });
    expect(t.internal.filter((i) => i.kind === 'load-metadata')).toHaveLength(1);
  });
  it('a step keeps its last output lines', () => {
    const t = read(byName('lab/copy-file-content'), 'b.log');
    expect(t.steps[3]?.output).toEqual(['color=red']);
  });
  it('the checksum fixture logs read as well', () => {
    for (const f of ['a.log', 'b.log']) {
      const r = readLog(readFileSync(join(FIXTURES, 'checksum/copy-wildcard', f), 'utf8'), f);
      expect(r.ok && r.value.steps.length).toBeGreaterThan(1);
    }
  });
});

describe('after a failure', () => {
  it('the step running when another failed is CANCELED, with a note; steps never printed are absent', () => {
    const t = read(byName('lab-modern/failed-build'), 'b.log');
    const canceled = t.steps.find((s) => s.label === '[slow 3/3]');
    expect(canceled?.status).toBe('canceled');
    expect(canceled?.statusNote).toMatch(/another step failed/);
    expect(t.steps.some((s) => s.stage === 'stage-1' && s.index > 3)).toBe(false);
    expect(t.errors[0]?.lines).toContain('   7 | >>> RUN echo check-failed && exit 1');
  });
  it('rawjson lists steps that never started: not-run, never built', () => {
    const t = read(byName('lab-modern/failed-build'), 'b.rawjson.log');
    const late = t.steps.filter((s) => s.stage === 'stage-1' && s.index > 3);
    expect(late.map((s) => s.status)).toEqual(['not-run', 'not-run']);
    expect(late.every((s) => /never started/.test(s.statusNote ?? ''))).toBe(true);
    expect(t.steps.find((s) => s.label === '[slow 3/3]')?.status).toBe('canceled');
  });
});

describe('tty output', () => {
  const tty = byName('lab/tty-copy-file-content');
  it.each(['warmup', 'a', 'b'].map((w) => [w] as const))('%s: the raw bytes replay to the same steps as the final screen', (w) => {
    const screen = read(tty, `${w}.log`);
    const raw = read(tty, `${w}.tty.raw`);
    expect(screen.format).toBe('buildkit-tty');
    expect(raw.format).toBe('buildkit-tty');
    expect(raw.steps.map(essence)).toEqual(screen.steps.map(essence));
    expect(raw.imageId).toBe(screen.imageId);
  });
  it('b: statuses as truth.json says, FROM not a rebuild', () => {
    const t = read(tty, 'b.log');
    expect(t.steps.map((s) => `${s.label} ${s.status}`)).toEqual(['[1/4] cached', '[2/4] cached', '[3/4] built', '[4/4] built']);
    expect(t.steps[0]?.statusNote).toBe(FROM_RESOLVE_NOTE);
    expect(t.transfers.context).toBe(45);
  });
  it('failed build in tty: ERROR and CANCELED entries, the message from the block after', () => {
    const c = byName('lab/failed-build');
    for (const f of ['b-tty.log', 'b-tty.tty.raw']) {
      const t = read(c, f);
      expect(t.steps.find((s) => s.label === '[stage-1 3/5]')?.status).toBe('error');
      expect(t.steps.find((s) => s.label === '[slow 3/3]')?.status).toBe('canceled');
      expect(t.steps.find((s) => s.label === '[slow 2/3]')?.status).toBe('cached');
      expect(t.errors[0]).toMatchObject({ step: { stage: 'stage-1', index: 3 }, message: expect.stringMatching(/^executor failed running/) });
    }
  });
});
