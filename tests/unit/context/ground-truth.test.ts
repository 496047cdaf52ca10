/**
 * Ground truth from real BuildKit runs (tests/fixtures/lab*): the content key of the step BuildKit
 * missed first differs between context a and b; every COPY/ADD step BuildKit kept CACHED has equal keys
 * (mtime-only, owner-only, excluded files…); and the diff names exactly the file and field that
 * truth.json says changed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentKeys, diffContexts } from '../../../src/core/context/index.ts';
import type { BuildPlan, ContextIndex, FileChange, PlanStep } from '../../../src/core/model.ts';
import { FIXTURES, indexTar, planOf } from './helpers.ts';

interface Truth {
  case: string;
  changed: string[];
  first_miss_step: string | null;
  b_missed_steps: string[];
  b_cached_steps: string[];
}

/** `[stage-1 3/5] RUN …` or `[ 2/34] ADD …` → stage label (null when none) and index. */
function parseLabel(text: string): { stage: string | null; index: number } {
  const m = /^\[(?:(\S+)\s+)?\s*(\d+)\/\d+\]/.exec(text);
  if (!m) throw new Error(`not a step label: ${text}`);
  return { stage: m[1] ?? null, index: Number(m[2]) };
}

const isContextCopy = (s: PlanStep) => !!s.copy && s.copy.from === null && !s.copy.remote;
const sameStep = (s: PlanStep, label: { stage: string | null; index: number }) => s.stage === label.stage && s.index === label.index;

/**
 * What each case's truth.json `changed` says, as (path, field) for the first missed step. The path
 * must be quoted in truth.json (checked below); the field is our reading of its words.
 */
const EXPECTED_CHANGES: Record<string, { path: string; change: FileChange }[]> = {
  'lab/copy-file-content': [{ path: 'app.conf', change: 'content' }],
  'lab/tty-copy-file-content': [{ path: 'app.conf', change: 'content' }],
  'lab/add-dir-new-file': [{ path: '.aws/cli/cache/3f6d2c0e7b.json', change: 'added' }],
  'lab/mode-only': [{ path: 'run.sh', change: 'mode' }],
  'lab/copy-dot-unrelated': [{ path: 'README.md', change: 'content' }],
  'lab/dockerignore-change': [
    { path: '.dockerignore', change: 'content' },
    { path: 'secret.env', change: 'now-included' },
  ],
  'lab/multistage': [{ path: 'src/data.txt', change: 'content' }],
  'lab/failed-build': [{ path: 'version.txt', change: 'content' }],
  'lab/seed-replica': [{ path: 'model/Dockerfile/om-datasci-base/.aws/cli/cache/5c8e2f0d1a9b7c3e4f6a8b0d2e4f6a8c0e2d4f6a.json', change: 'added' }],
  'lab-modern/copy-file-content': [{ path: 'app.conf', change: 'content' }],
  'lab-modern/copy-link': [{ path: 'app.conf', change: 'content' }],
  'lab-modern/multistage': [{ path: 'src/data.txt', change: 'content' }],
  'lab-modern/failed-build': [{ path: 'version.txt', change: 'content' }],
};

const cases = ['lab', 'lab-modern'].flatMap((group) =>
  readdirSync(FIXTURES + group)
    .map((name) => `${group}/${name}`)
    .filter((c) => existsSync(`${FIXTURES}${c}/context-a.tar`) && existsSync(`${FIXTURES}${c}/truth.json`)),
);

describe('context keys against real BuildKit cache hits and misses', () => {
  it('finds the lab cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(24);
  });

  describe.each(cases)('%s', (name) => {
    const dir = FIXTURES + name;
    const truth: Truth = JSON.parse(readFileSync(`${dir}/truth.json`, 'utf8'));
    let a: ContextIndex;
    let b: ContextIndex;
    let planA: BuildPlan;
    let planB: BuildPlan;
    beforeAll(async () => {
      a = await indexTar(`${dir}/context-a.tar`);
      b = await indexTar(`${dir}/context-b.tar`);
      planA = planOf(dir);
      planB = existsSync(`${dir}/Dockerfile.b`) ? planOf(dir, 'Dockerfile.b') : planA;
    });

    it('keeps the key of every COPY/ADD step that stayed CACHED', () => {
      const cached = truth.b_cached_steps.map(parseLabel);
      const keysA = contentKeys(a, planA);
      const keysB = contentKeys(b, planB);
      for (const label of cached) {
        const step = planB.steps.find((s) => sameStep(s, label));
        if (!step || !isContextCopy(step)) continue;
        const before = keysA.find((k) => k.step.stage === label.stage && k.step.index === label.index);
        const after = keysB.find((k) => k.step.stage === label.stage && k.step.index === label.index);
        expect(after?.content_key, step.instruction).toBeTruthy();
        expect(after!.content_key, step.instruction).toBe(before!.content_key);
        const diff = diffContexts(a, b, planA, planB).find((d) => d.step.stage === label.stage && d.step.index === label.index)!;
        expect(diff.changed).toBe(false);
        expect(diff.files, `nothing blamed for ${step.instruction}`).toEqual([]);
      }
    });

    const first = truth.first_miss_step ? parseLabel(truth.first_miss_step) : null;
    const expected = EXPECTED_CHANGES[name];
    if (expected) {
      it('changes the key of the first missed step and names the file and field', () => {
        expect(first).not.toBeNull();
        const diff = diffContexts(a, b, planA, planB).find((d) => d.step.stage === first!.stage && d.step.index === first!.index);
        expect(diff, 'the first miss is a COPY/ADD from the context').toBeDefined();
        expect(diff!.changed).toBe(true);
        expect(diff!.before!.content_key).not.toBe(diff!.after!.content_key);
        expect(diff!.files.map((f) => ({ path: f.path, change: f.change }))).toEqual(expected);
        for (const file of expected) {
          expect(
            truth.changed.some((c) => c.includes(file.path)),
            `truth.json names ${file.path}`,
          ).toBe(true);
        }
      });
    } else {
      it('blames no context file when the first miss is not a context COPY/ADD', () => {
        if (first) {
          const step = planB.steps.find((s) => sameStep(s, first));
          expect(step && isContextCopy(step), `${name}: add it to EXPECTED_CHANGES`).toBeFalsy();
        }
        for (const diff of diffContexts(a, b, planA, planB)) {
          expect(diff.changed, diff.instruction).toBe(false);
          expect(diff.files).toEqual([]);
        }
      });
    }
  });

  it('reports .dockerignore as a build file for COPY . . (it is sent in the context root)', async () => {
    const dir = FIXTURES + 'lab/dockerignore-change';
    const [a, b] = [await indexTar(`${dir}/context-a.tar`), await indexTar(`${dir}/context-b.tar`)];
    const diff = diffContexts(a, b, planOf(dir))[0]!;
    expect(diff.build_files).toEqual([{ path: '.dockerignore', change: 'content', detail: '17 B → 6 B' }]);
    expect(a.entries.find((e) => e.path === 'secret.env')?.excluded).toBe(true);
    expect(a.entries.find((e) => e.path === 'debug.log')?.excluded).toBe(true);
    expect(b.entries.find((e) => e.path === 'secret.env')?.excluded).toBe(false);
    expect(b.entries.find((e) => e.path === 'debug.log')?.excluded).toBe(true);
    expect(a.dockerignore).toEqual(['secret.env', '*.log']);
  });

  it('names the mode change of mode-only as 0644 → 0600', async () => {
    const dir = FIXTURES + 'lab/mode-only';
    const [a, b] = [await indexTar(`${dir}/context-a.tar`), await indexTar(`${dir}/context-b.tar`)];
    expect(diffContexts(a, b, planOf(dir))[0]!.files).toEqual([{ path: 'run.sh', change: 'mode', detail: '0644 → 0600' }]);
  });
});
