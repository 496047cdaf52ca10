/**
 * The diagnosis on every real BuildKit case in tests/fixtures/lab*: its a.log and b.log, its Dockerfile
 * (and Dockerfile.b), its build commands and both contexts. The expected cause kind per case is ours,
 * derived from truth.json's `cause`, `changed` and `notes`; the first miss and the missed/cached steps
 * come from truth.json itself.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/explain/index.ts';
import type { Diagnosis } from '../../../src/core/model.ts';
import { EXPECTED } from './expected.ts';
import { allCases, load, parseLabel, sameStep, truthOf } from './load.ts';

function labelsOf(d: Diagnosis, roles: string[]): string[] {
  return d.steps.filter((s) => roles.includes(s.role)).map((s) => `${s.stage ?? ''}:${s.index}`);
}

describe('diagnosis of every lab case (logs, Dockerfiles, commands, contexts)', () => {
  const cases = allCases();

  it('has an expected cause for every case with a truth.json', () => {
    expect(cases.filter((c) => !(c in EXPECTED))).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(24);
  });

  for (const name of cases) {
    const expected = EXPECTED[name];
    it(`${name}: first miss, missed and cached steps, top cause${expected?.files ? ' and changed files' : ''}`, async () => {
      const truth = truthOf(name);
      const d = diagnose(await load(name));
      const first = truth.first_miss_step ? parseLabel(truth.first_miss_step) : null;
      expect(sameStep(d.first_miss, first), `first_miss ${JSON.stringify(d.first_miss)} vs ${truth.first_miss_step}`).toBe(true);

      // Every step BuildKit missed is a root miss or cascade; every step it cached is not.
      const missed = labelsOf(d, ['root-miss', 'cascade']);
      const wantMissed = truth.b_missed_steps.map((s) => parseLabel(s.slice(0, s.indexOf(']') + 1))).map((r) => `${r.stage ?? ''}:${r.index}`);
      expect(missed.sort()).toEqual(wantMissed.sort());

      if (!expected || expected.kind === null) {
        expect(d.first_miss).toBeNull();
        expect(d.causes).toEqual([]);
        expect(d.verdict).toMatch(/^No step missed/);
        return;
      }
      const top = d.causes[0]!;
      expect(top.kind).toBe(expected.kind);
      expect(sameStep(top.step, first)).toBe(true);
      expect(top.evidence.length).toBeGreaterThan(0);
      expect(d.verdict).toContain(d.first_miss!.instruction!);
      if (expected.tiedWith) {
        const second = d.causes[1]!;
        expect(second.kind).toBe(expected.tiedWith);
        expect(second.confidence).toBe(top.confidence);
        expect(top.to_tell_apart).toBeTruthy();
        expect(top.summary).toMatch(/cannot tell/);
      } else {
        expect(top.confidence).toBe('high');
      }
      for (const f of expected.files ?? []) expect(top.files).toContainEqual(expect.objectContaining(f));
      if (expected.otherRoot) {
        const { stage, index, kind } = expected.otherRoot;
        expect(d.root_misses).toContainEqual(expect.objectContaining({ stage, index }));
        expect(d.causes.find((c) => sameStep(c.step, { stage, index }))?.kind).toBe(kind);
      }
    });
  }
});

describe('facts real BuildKit showed', () => {
  it('undeclared build args that changed are named and not blamed (seed-replica: REPO_HASH, GIT_TREE, GIT_BLOB)', async () => {
    const d = diagnose(await load('lab/seed-replica'));
    expect(d.causes.some((c) => c.kind === 'build-arg-changed')).toBe(false);
    const evidence = d.causes[0]!.evidence.join('\n');
    for (const arg of ['REPO_HASH', 'GIT_TREE', 'GIT_BLOB']) expect(evidence).toMatch(new RegExp(`${arg}.*no stage declares ARG ${arg}`));
    expect(evidence).not.toMatch(/http_proxy.*not the cause/); // unchanged proxy args are not mentioned at all
  });

  it('credentials ADDed into a layer raise a warning and a RUN --mount=type=secret suggestion', async () => {
    for (const name of ['lab/seed-replica', 'lab/add-dir-new-file']) {
      const d = diagnose(await load(name));
      expect(d.warnings?.some((w) => w.kind === 'credentials' && /\.aws/.test(w.message))).toBe(true);
      expect(d.suggestions?.some((s) => /--mount=type=secret/.test(s.title))).toBe(true);
    }
  });

  it('the seed case says the 32 steps after ADD were rebuilt because of it', async () => {
    const d = diagnose(await load('lab/seed-replica'));
    expect(d.verdict).toMatch(
      /^Step 2\/34 `ADD model\/Dockerfile\/om-datasci-base\/\.aws\/ \/root\/\.aws` missed because `model\/Dockerfile\/om-datasci-base\/\.aws\/cli\/cache\/.*\.json` appeared in the context; the 32 steps after it were rebuilt because of it\.$/,
    );
    expect(d.steps.filter((s) => s.role === 'cascade').every((s) => s.because_of?.index === 2)).toBe(true);
  });

  it('the inline cache import suggests pulling the cache image first (moby/buildkit#1981)', async () => {
    const d = diagnose(await load('lab/seed-replica'));
    expect(d.suggestions?.some((s) => /docker pull 127\.0\.0\.1:5000\/lab\/seed-replica:latest/.test(s.title) && /1981/.test(s.detail))).toBe(true);
  });

  it('no suggestion to move an ARG that is declared right where it is used (arg-used)', async () => {
    const d = diagnose(await load('lab/arg-used'));
    expect(d.suggestions?.some((s) => /Move `ARG V`/.test(s.title))).toBe(false);
  });

  it('a cache-from image that does not exist is named, instead of suggesting to pull it', async () => {
    const d = diagnose(await load('lab/cache-from-missing'));
    expect(d.suggestions?.some((s) => s.title === 'The cache `127.0.0.1:5000/lab/never-pushed:latest` could not be imported')).toBe(true);
    expect(d.suggestions?.some((s) => /docker pull/.test(s.title))).toBe(false);
  });

  it('COPY . . misses suggest copying only the needed files and ignoring the churning path', async () => {
    const d = diagnose(await load('lab/copy-dot-unrelated'));
    expect(d.suggestions?.map((s) => s.title)).toEqual(
      expect.arrayContaining(['Copy only the files the build needs instead of `COPY . .`', 'Add `README.md` to .dockerignore if the image does not need it']),
    );
  });

  it('the churning directory of an ADDed dir is suggested for .dockerignore, a file the step names is not', async () => {
    const seed = diagnose(await load('lab/seed-replica'));
    expect(seed.suggestions?.map((s) => s.title)).toContain(
      'Add `model/Dockerfile/om-datasci-base/.aws/cli/cache/` to .dockerignore if the image does not need it',
    );
    const named = diagnose(await load('lab/copy-file-content'));
    expect(named.suggestions?.some((s) => /dockerignore/.test(s.title))).toBe(false);
  });

  it('a RUN with a cache mount is flagged as possibly stale even though nothing missed', async () => {
    const d = diagnose(await load('lab-modern/cache-mount'));
    expect(d.first_miss).toBeNull();
    expect(d.suggestions?.some((s) => /cache mount/.test(s.title) && s.step?.index === 2)).toBe(true);
    expect(d.hash_notes?.find((h) => h.step.index === 2)?.key_parts.join(' ')).toMatch(/never its contents/);
  });

  it('COPY --link cascading on the docker driver is explained', async () => {
    const d = diagnose(await load('lab-modern/copy-link'));
    expect(d.steps.find((s) => s.index === 4)?.role).toBe('cascade');
    expect(d.suggestions?.some((s) => /COPY --link/.test(s.title))).toBe(true);
  });

  it('a COPY --from a rebuilt builder stage is cascade of the builder root, named as upstream-rebuilt', async () => {
    const d = diagnose(await load('lab/multistage'));
    const copyFrom = d.steps.find((s) => s.stage === 'stage-1' && s.index === 3)!;
    expect(copyFrom.role).toBe('cascade');
    expect(copyFrom.because_of).toEqual({ stage: 'builder', index: 2 });
    expect(d.causes.find((c) => c.kind === 'upstream-rebuilt')?.step).toEqual({ stage: 'stage-1', index: 3 });
    // The stage-1 COPY static.txt stayed CACHED; the shared FROM is labelled [stage-1 1/4] in b only.
    expect(d.steps.find((s) => s.stage === 'stage-1' && s.index === 2)?.role).toBe('cached');
    expect(d.steps.find((s) => s.stage === 'builder' && s.index === 1)?.status_by_build.every((x) => x !== null)).toBe(true);
  });

  it('a heredoc edit below the first line is found from the Dockerfiles, not the step name', async () => {
    const d = diagnose(await load('lab-modern/heredoc-run'));
    expect(d.causes[0]!.summary).toMatch(/heredoc/);
    expect(d.causes[0]!.evidence).toContain('Dockerfile.b:5  echo line 2 >> /h.txt');
  });

  it('hash notes: context upstream makes a new digest every build; equal digests without it are the same key', async () => {
    const d = diagnose(await load('lab/add-dir-new-file'));
    const workdir = d.hash_notes!.find((h) => h.step.index === 2)!;
    const add = d.hash_notes!.find((h) => h.step.index === 3)!;
    expect(workdir.context_upstream).toBe(false);
    expect(workdir.digests[0]).toBe(workdir.digests[1]);
    expect(workdir.explanation).toMatch(/same cache key/);
    expect(add.context_upstream).toBe(true);
    expect(add.explanation).toMatch(/per-session ID/);
    expect(add.key_parts.join(' ')).toMatch(/content checksum of its sources/);

    const pruned = diagnose(await load('lab/cache-pruned'));
    const run = pruned.hash_notes!.find((h) => h.step.index === 2)!;
    expect(run.explanation).toMatch(/It still missed/);
  });
});

/**
 * What real BuildKit printed: truth.json lists the steps CACHED in a and b whose vertex digest stayed the
 * same or changed (v0.8 `#N sha256:` lines; rawjson for lab-modern). The hash notes must explain both
 * from the steps' own position: a new digest on a CACHED step only happens with the context upstream.
 */
describe('hash notes against the digests real BuildKit printed', () => {
  interface DigestFacts {
    vertex_digest_facts?: { steps_cached_in_a_and_b_whose_digest_differs: string[]; steps_cached_in_a_and_b_same_digest: string[] } | string;
    rawjson?: { digest_facts_a_vs_b: { cached_in_a_and_b_digest_differs: string[]; cached_in_a_and_b_same_digest: string[] } };
  }
  const label = (s: string) => parseLabel(s.slice(0, s.indexOf(']') + 1));
  for (const name of allCases()) {
    const facts = truthOf(name) as unknown as DigestFacts;
    const v08 = typeof facts.vertex_digest_facts === 'object' ? facts.vertex_digest_facts : null;
    const logs = facts.rawjson ? ['a.rawjson.log', 'b.rawjson.log'] : ['a.log', 'b.log'];
    const differs = v08?.steps_cached_in_a_and_b_whose_digest_differs ?? facts.rawjson?.digest_facts_a_vs_b.cached_in_a_and_b_digest_differs ?? [];
    const same = v08?.steps_cached_in_a_and_b_same_digest ?? facts.rawjson?.digest_facts_a_vs_b.cached_in_a_and_b_same_digest ?? [];
    if (differs.length + same.length === 0) continue;
    it(`${name} (${logs.join(', ')}): ${same.length} same-digest steps have no context upstream, ${differs.length} changed-digest steps do`, async () => {
      const d = diagnose(await load(name, { logs }));
      const note = (s: string) => d.hash_notes!.find((h) => sameStep(h.step, label(s)))!;
      for (const s of same) {
        expect(note(s).context_upstream, s).toBe(false);
        expect(note(s).digests[0]).toBe(note(s).digests[1]);
        expect(note(s).explanation).toMatch(/same cache key/);
      }
      for (const s of differs) {
        expect(note(s).context_upstream, s).toBe(true);
        expect(note(s).digests[0]).not.toBe(note(s).digests[1]);
        expect(note(s).explanation).toMatch(/CACHED with different digests — exactly this effect/);
      }
    });
  }
});
