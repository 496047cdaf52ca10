/**
 * The same cases with other inputs: CI-stamped and rawjson logs, the legacy builder, fewer inputs
 * (no contexts; logs only), one log, and three logs (warm-up, a, b).
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/explain/index.ts';
import { readLog } from '../../../src/core/log/index.ts';
import type { CauseKind } from '../../../src/core/model.ts';
import { EXPECTED } from './expected.ts';
import { allCases, FIXTURES, load, parseLabel, sameStep, truthOf } from './load.ts';

const cases = allCases();
const has = (name: string, ...logs: string[]) => logs.every((l) => existsSync(`${FIXTURES}${name}/${l}`));

describe('CI-stamped, rawjson and legacy logs of the same builds', () => {
  for (const name of cases) {
    const variants = [
      ['a.log', 'b.jenkins.log'],
      ['a.log', 'b.iso.log'],
      ['a.rawjson.log', 'b.rawjson.log'],
    ].filter((logs) => has(name, ...logs));
    for (const logs of variants) {
      it(`${name} with ${logs.join(' + ')}: the same first miss and top cause as with the plain logs`, async () => {
        const truth = truthOf(name);
        const d = diagnose(await load(name, { logs }));
        expect(sameStep(d.first_miss, truth.first_miss_step ? parseLabel(truth.first_miss_step) : null)).toBe(true);
        expect(d.causes[0]?.kind ?? null).toBe(EXPECTED[name]!.kind);
      });
    }
    if (has(name, 'legacy-a.log', 'legacy-b.log')) {
      it(`${name} with the legacy builder's logs: steps are matched to the Dockerfile by text`, async () => {
        const legacy = (truthOf(name) as unknown as { legacy: { first_miss_instruction: string | null } }).legacy;
        const d = diagnose(await load(name, { logs: ['legacy-a.log', 'legacy-b.log'] }));
        expect(d.first_miss?.instruction ?? null).toBe(legacy.first_miss_instruction);
      });
    }
  }
});

describe('one Dockerfile shared by both builds, read without their build args', () => {
  for (const name of cases.filter((c) => !has(c, 'Dockerfile.b'))) {
    it(`${name}: the same first miss and top cause, and no text reported as mismatched`, async () => {
      const truth = truthOf(name);
      const d = diagnose(await load(name, { sharedPlan: true }));
      expect(sameStep(d.first_miss, truth.first_miss_step ? parseLabel(truth.first_miss_step) : null)).toBe(true);
      expect(d.causes[0]?.kind ?? null).toBe(EXPECTED[name]!.kind);
      expect(d.warnings?.filter((w) => w.kind === 'input')).toEqual([]);
    });
  }
});

describe('legacy builder logs show a moved base tag', () => {
  // truth.json of base-image-updated: "The legacy log does show it: 'Step 1/3 : FROM lab/base:cur ---> <other image id>'".
  it('base-image-updated: the image ID under FROM changed, so the base image is named, at high confidence', async () => {
    const d = diagnose(await load('lab/base-image-updated', { logs: ['legacy-a.log', 'legacy-b.log'] }));
    expect(d.causes[0]).toMatchObject({ kind: 'base-image-changed', confidence: 'high' });
    expect(d.causes[0]!.evidence.join('\n')).toContain('ca4e6c9ad906');
    expect(d.causes[0]!.evidence.join('\n')).toContain('060a079954f0');
  });

  it('arg-unused: the same image ID under FROM in both logs rules the base image out', async () => {
    const d = diagnose(await load('lab/arg-unused', { logs: ['legacy-a.log', 'legacy-b.log'] }));
    expect(d.causes.some((c) => c.kind === 'base-image-changed')).toBe(false);
  });
});

describe('a legacy-builder log followed by a BuildKit log', () => {
  it('mtime-only: every step ran under BuildKit although nothing changed, because the two builders share no cache', async () => {
    const d = diagnose(await load('lab/mtime-only', { logs: ['legacy-a.log', 'warmup.log'] }));
    expect(d.causes[0]).toMatchObject({ kind: 'cache-unavailable', confidence: 'high' });
    expect(d.causes[0]!.summary).toMatch(/legacy builder and the other BuildKit/);
  });
});

/**
 * Without the contexts a COPY/ADD miss can only be suspected (medium, with the advice to give them);
 * every other cause needs no context and stays as it is.
 */
describe('without the build contexts', () => {
  for (const name of cases) {
    const expected = EXPECTED[name]!;
    it(`${name}: ${expected.kind ?? 'no miss'}${expected.kind === 'context-changed' ? ' at medium, asking for the contexts' : ''}`, async () => {
      const d = diagnose(await load(name, { contexts: false }));
      const top = d.causes[0];
      expect(top?.kind ?? null).toBe(expected.kind);
      if (expected.kind === 'context-changed') {
        expect(top!.confidence).toBe('medium');
        expect(top!.summary).toMatch(/drop both build contexts/);
        expect(top!.files).toEqual([]);
      }
      expect(d.context_diffs).toBeUndefined();
    });
  }
});

/**
 * Logs alone. Where the logs cannot show the cause the expectation changes, each for a reason:
 * - arg-used: the vertex name shows `V=1` → `V=2`, but without the Dockerfile nothing says it is an
 *   ARG: an edited line is reported, and the summary says a variable may have expanded differently.
 * - no-cache: the flag leaves no line; the pattern (every step ran, FROM printed CACHED) ranks --no-cache
 *   with a missing cache, tied.
 */
const LOGS_ONLY: Record<string, { kind: CauseKind; tiedWith?: CauseKind; summary?: RegExp }> = {
  'lab/arg-used': { kind: 'instruction-changed', summary: /expanded differently/ },
  'lab/no-cache': { kind: 'no-cache', tiedWith: 'cache-unavailable' },
};

describe('logs only (no Dockerfile, commands or contexts)', () => {
  for (const name of cases) {
    const want: { kind: CauseKind | null; tiedWith?: CauseKind; summary?: RegExp } = LOGS_ONLY[name] ?? {
      kind: EXPECTED[name]!.kind,
      tiedWith: EXPECTED[name]!.tiedWith,
    };
    it(`${name}: ${want.kind ?? 'no miss'}${want.tiedWith ? ` tied with ${want.tiedWith}` : ''}`, async () => {
      const truth = truthOf(name);
      const d = diagnose(await load(name, { contexts: false, dockerfile: false, commands: false }));
      expect(sameStep(d.first_miss, truth.first_miss_step ? parseLabel(truth.first_miss_step) : null)).toBe(true);
      expect(d.causes[0]?.kind ?? null).toBe(want.kind);
      if (want.tiedWith) {
        expect(d.causes[1]?.kind).toBe(want.tiedWith);
        expect(d.causes[1]?.confidence).toBe(d.causes[0]?.confidence);
      }
      if (want.summary) expect(d.causes[0]?.summary).toMatch(want.summary);
    });
  }
});

describe('one log', () => {
  it('reports which steps ran, with hash notes, and claims no miss (seed-replica b.log)', async () => {
    const d = diagnose(await load('lab/seed-replica', { logs: ['b.log'] }));
    expect(d.first_miss).toBeNull();
    expect(d.causes).toEqual([]);
    expect(d.pairs).toBeUndefined();
    expect(d.steps).toHaveLength(34);
    expect(d.steps.filter((s) => s.role === 'built')).toHaveLength(33);
    expect(d.hash_notes).toHaveLength(34);
    expect(d.verdict).toMatch(/^One build \(b\.log\): 33 of 33 steps ran .* step 2\/34 `ADD /);
    // Credentials are visible from one build too.
    expect(d.warnings?.some((w) => w.kind === 'credentials')).toBe(true);
  });

  it('with its context, the hash note of a COPY names its content key (the key BuildKit looked up)', async () => {
    const d = diagnose(await load('lab/copy-file-content', { logs: ['b.log'] }));
    const note = d.hash_notes!.find((h) => h.step.index === 3)!;
    expect(note.context_upstream).toBe(true);
    expect(note.key_parts.join(' ')).toMatch(/content checksum of its sources .*: sha256:[0-9a-f]{12}… in context-b\.tar/);
  });

  it('a fully cached single log says so', async () => {
    const d = diagnose(await load('lab/mtime-only', { logs: ['b.log'] }));
    expect(d.first_miss).toBeNull();
    expect(d.verdict).toMatch(/all 2 steps after FROM were CACHED/);
  });
});

describe('three logs (warm-up, a, b)', () => {
  for (const name of cases.filter((c) => has(c, 'warmup.log', 'a.log', 'b.log'))) {
    it(`${name}: pairs name no miss from warm-up to a, and the case's first miss from a to b`, async () => {
      const truth = truthOf(name);
      const d = diagnose(await load(name, { logs: ['warmup.log', 'a.log', 'b.log'] }));
      const first = truth.first_miss_step ? parseLabel(truth.first_miss_step) : null;
      expect(d.pairs).toHaveLength(2);
      expect(d.pairs![0]).toMatchObject({ earlier: 0, later: 1, first_miss: null });
      expect(d.pairs![1]).toMatchObject({ earlier: 1, later: 2 });
      expect(sameStep(d.pairs![1]!.first_miss, first)).toBe(true);
      expect(sameStep(d.first_miss, first)).toBe(true);
      expect(d.causes[0]?.kind ?? null).toBe(EXPECTED[name]!.kind);
      expect(d.steps.every((s) => s.status_by_build.length === 3)).toBe(true);
    });
  }
});

describe('the forum post (tests/fixtures/seed): two pasted excerpts, no Dockerfile', () => {
  const post = readFileSync(`${FIXTURES}seed/forum-post.txt`, 'utf8').split('\n');
  const excerpt = (re: RegExp, name: string) => {
    const r = readLog(post.filter((l) => re.test(l)).join('\n'), name);
    if (!r.ok) throw new Error(r.problem.message);
    return r.value;
  };
  // The good excerpt (17:39:22) shows step 2 CACHED; the bad one (18:56) FROM CACHED and step 2 DONE 12.7s.
  const d = diagnose({ traces: [excerpt(/^17:39:22 /, 'good.log'), excerpt(/^18:5\d:\d\d /, 'bad.log')], plans: [] });

  it('names [stage-0 2/34] ADD .aws as the first miss and suspects the context, asking for both contexts', () => {
    expect(d.first_miss).toMatchObject({ stage: 'stage-0', index: 2 });
    expect(d.causes[0]).toMatchObject({ kind: 'context-changed', confidence: 'medium' });
    expect(d.causes[0]!.evidence[0]).toBe('bad.log: #7 [stage-0  2/34] ADD model/Dockerfile/om-datasci-base/.aws/ /root/.aws → DONE 12.7s (good.log: CACHED)');
    expect(d.causes.some((c) => c.kind === 'no-cache')).toBe(false); // one step is no pattern
  });

  it('explains why the CACHED step printed a digest never seen before, and warns about the credentials', () => {
    const note = d.hash_notes!.find((h) => h.step.index === 2)!;
    expect(note.context_upstream).toBe(true);
    expect(note.explanation).toMatch(/per-session ID, so this step prints a new digest every build even when CACHED/);
    expect(d.warnings?.some((w) => w.kind === 'credentials')).toBe(true);
  });
});
