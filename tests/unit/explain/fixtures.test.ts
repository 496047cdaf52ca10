/**
 * The diagnosis on every real BuildKit case in tests/fixtures/lab*: its a.log and b.log, its Dockerfile
 * (and Dockerfile.b), its build commands and both contexts. The expected cause kind per case is ours,
 * derived from truth.json's `cause`, `changed` and `notes`; the first miss and the missed/cached steps
 * come from truth.json itself.
 */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/explain/index.ts';
import type { CauseKind, Diagnosis, FileChange, StepRef } from '../../../src/core/model.ts';
import { allCases, load, parseLabel, truthOf } from './load.ts';

interface Expected {
  /** The kind of causes[0] (the top cause of the first miss); null for a case where nothing missed. */
  kind: CauseKind | null;
  /** The kind ranked second with the same confidence, when the inputs cannot separate the two. */
  tiedWith?: CauseKind;
  /** Files the top cause must name, with the field that changed. */
  files?: { path: string; change: FileChange }[];
  /** Another root miss that must be found (stage label + index). */
  otherRoot?: { stage: string | null; index: number; kind: CauseKind };
}

const EXPECTED: Record<string, Expected> = {
  // cause "new-file-in-copied-dir": a file appeared under the ADDed .aws/ directory.
  'lab/add-dir-new-file': { kind: 'context-changed', files: [{ path: '.aws/cli/cache/3f6d2c0e7b.json', change: 'added' }] },
  // Negative: --build-arg UNUSED changed but no ARG UNUSED exists, so nothing may miss.
  'lab/arg-unused': { kind: null },
  // cause "build-arg-changed": --build-arg V=1 → V=2 for a declared ARG the RUN reads.
  'lab/arg-used': { kind: 'build-arg-changed' },
  // cause "base-image-changed-same-tag": the tag moved with `docker tag`; the notes say the log looks
  // exactly like cache-pruned's, so both are ranked with equal confidence. With no sign of a prune (the
  // context transfer did not grow back), the base comes first.
  'lab/base-image-updated': { kind: 'base-image-changed', tiedWith: 'cache-unavailable' },
  // cause "build-cache-pruned, --cache-from tag missing": `builder prune -af` between a and b; the base is
  // resolved to the same digest in both logs and the RUN's vertex digest is the same, so the key was the
  // same: the cache was unavailable (the failed import also failed in a, which was cached anyway).
  'lab/cache-from-missing': { kind: 'cache-unavailable' },
  // cause "build-cache-pruned": indistinguishable from a moved base tag in the step results, but the
  // builder re-sent the whole context (26B → 34B with identical contexts), the trace a prune leaves.
  'lab/cache-pruned': { kind: 'cache-unavailable', tiedWith: 'base-image-changed' },
  // cause "copy-dot-context-file-changed": README.md changed and `COPY . .` sends it.
  'lab/copy-dot-unrelated': { kind: 'context-changed', files: [{ path: 'README.md', change: 'content' }] },
  // cause "file-content-changed": the bytes of app.conf.
  'lab/copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // cause "dockerignore-changed-file-now-included": secret.env enters the context, .dockerignore itself changed.
  'lab/dockerignore-change': {
    kind: 'context-changed',
    files: [
      { path: 'secret.env', change: 'now-included' },
      { path: '.dockerignore', change: 'content' },
    ],
  },
  // cause "dockerfile-env-changed": ENV APP_MODE=dev → prod (Dockerfile.b): an earlier ENV, an instruction change.
  'lab/env-change': { kind: 'instruction-changed' },
  // cause "build-failed while another stage runs": the first miss (the lab's rule, and ours: Dockerfile
  // order) is [slow 2/3] COPY version.txt, whose file changed; the edited RUN of stage-1 is a second root.
  'lab/failed-build': {
    kind: 'context-changed',
    files: [{ path: 'version.txt', change: 'content' }],
    otherRoot: { stage: 'stage-1', index: 3, kind: 'instruction-changed' },
  },
  // cause "dockerfile-instruction-edited": echo two → echo TWO.
  'lab/instruction-edit': { kind: 'instruction-changed' },
  // cause "file-mode-changed": chmod 644 → 600, content the same.
  'lab/mode-only': { kind: 'context-changed', files: [{ path: 'run.sh', change: 'mode' }] },
  // Negative: only the mtime changed, which is not in the checksum.
  'lab/mtime-only': { kind: null },
  // cause "builder-stage-input-changed": src/data.txt in the builder stage's COPY.
  'lab/multistage': { kind: 'context-changed', files: [{ path: 'src/data.txt', change: 'content' }] },
  // cause "--no-cache": commands.txt has --no-cache for b.
  'lab/no-cache': { kind: 'no-cache' },
  // cause "new-file-in-added-dir (forum replica)": the AWS CLI cache file; REPO_HASH/GIT_TREE/GIT_BLOB also
  // changed but are undeclared, so they must not be blamed.
  'lab/seed-replica': {
    kind: 'context-changed',
    files: [{ path: 'model/Dockerfile/om-datasci-base/.aws/cli/cache/5c8e2f0d1a9b7c3e4f6a8b0d2e4f6a8c0e2d4f6a.json', change: 'added' }],
  },
  // cause "file-content-changed (tty progress)": as copy-file-content, from tty screens.
  'lab/tty-copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // Negative: only the cache mount's contents changed, which never enters a key.
  'lab-modern/cache-mount': { kind: null },
  // cause "file-content-changed" (BuildKit v0.13).
  'lab-modern/copy-file-content': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // cause "file-content-changed (COPY --link)": app.conf; --link does not stop the cascade here.
  'lab-modern/copy-link': { kind: 'context-changed', files: [{ path: 'app.conf', change: 'content' }] },
  // as lab/failed-build, BuildKit v0.13.
  'lab-modern/failed-build': {
    kind: 'context-changed',
    files: [{ path: 'version.txt', change: 'content' }],
    otherRoot: { stage: 'stage-1', index: 3, kind: 'instruction-changed' },
  },
  // cause "dockerfile-heredoc-line-edited": only Dockerfile.b shows the edit (the step name is the same).
  'lab-modern/heredoc-run': { kind: 'instruction-changed' },
  // cause "builder-stage-input-changed" (BuildKit v0.13).
  'lab-modern/multistage': { kind: 'context-changed', files: [{ path: 'src/data.txt', change: 'content' }] },
};

function sameStep(a: { stage: string | null; index: number } | null | undefined, b: StepRef | null): boolean {
  if (!a || !b) return a == null && b === null;
  return a.index === b.index && (a.stage ?? null) === (b.stage ?? null);
}

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
        expect(top.toTellApart).toBeTruthy();
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
    expect(d.verdict).toMatch(/^Step 2\/34 `ADD model\/Dockerfile\/om-datasci-base\/\.aws\/ \/root\/\.aws` missed because `model\/Dockerfile\/om-datasci-base\/\.aws\/cli\/cache\/.*\.json` appeared in the context; the 32 steps after it were rebuilt because of it\.$/);
    expect(d.steps.filter((s) => s.role === 'cascade').every((s) => s.because_of?.index === 2)).toBe(true);
  });

  it('the inline cache import suggests pulling the cache image first (moby/buildkit#1981)', async () => {
    const d = diagnose(await load('lab/seed-replica'));
    expect(d.suggestions?.some((s) => /docker pull 127\.0\.0\.1:5000\/lab\/seed-replica:latest/.test(s.title) && /1981/.test(s.detail))).toBe(true);
  });

  it('COPY . . misses suggest copying only the needed files and ignoring the churning path', async () => {
    const d = diagnose(await load('lab/copy-dot-unrelated'));
    expect(d.suggestions?.map((s) => s.title)).toEqual(expect.arrayContaining(['Copy only the files the build needs instead of `COPY . .`', 'Add `README.md` to .dockerignore if the image does not need it']));
  });

  it('a RUN with a cache mount is flagged as possibly stale even though nothing missed', async () => {
    const d = diagnose(await load('lab-modern/cache-mount'));
    expect(d.first_miss).toBeNull();
    expect(d.suggestions?.some((s) => /cache mount/.test(s.title) && s.step?.index === 2)).toBe(true);
    expect(d.hash_notes?.find((h) => h.step.index === 2)?.keyParts.join(' ')).toMatch(/never its contents/);
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
    expect(workdir.contextUpstream).toBe(false);
    expect(workdir.digests[0]).toBe(workdir.digests[1]);
    expect(workdir.explanation).toMatch(/same cache key/);
    expect(add.contextUpstream).toBe(true);
    expect(add.explanation).toMatch(/per-session ID/);
    expect(add.keyParts.join(' ')).toMatch(/content checksum of its sources/);

    const pruned = diagnose(await load('lab/cache-pruned'));
    const run = pruned.hash_notes!.find((h) => h.step.index === 2)!;
    expect(run.explanation).toMatch(/It still missed/);
  });
});
