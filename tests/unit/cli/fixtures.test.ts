/**
 * The CLI end to end on every real fixture case: a.log + b.log, the Dockerfile(s), the build commands
 * and both contexts, in each output mode.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { Report } from '../../../src/core/model.ts';
import { compactReport, decodeShareLink, SHARE_LINK_SOFT_LIMIT } from '../../../src/core/report/index.ts';
import { runCli } from './run.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

interface Case {
  name: string;
  dir: string;
  truth: { first_miss_step?: string | null; b_missed_steps?: string[]; b_cached_steps?: string[] } | null;
}

const CASES: Case[] = ['lab', 'lab-modern', 'checksum']
  .flatMap((group) =>
    readdirSync(join(FIXTURES, group), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(FIXTURES, group, d.name)),
  )
  .filter((dir) => existsSync(join(dir, 'a.log')) && existsSync(join(dir, 'b.log')))
  .map((dir) => ({
    name: dir.slice(FIXTURES.length + 1),
    dir,
    truth: existsSync(join(dir, 'truth.json')) ? JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) : null,
  }));

function argvFor(c: Case): string[] {
  const files = ['a.log', 'b.log', 'Dockerfile', 'Dockerfile.b', 'commands.txt', 'context-a.tar', 'context-b.tar'];
  return files.map((f) => join(c.dir, f)).filter((path) => existsSync(path));
}

/** `[slow 2/3] COPY …`, `[ 2/34] ADD …`, `[3/4]` → stage and index. */
function parseLabel(label: string): { stage: string | null; index: number } {
  const m = /^\[\s*(?:(\S+)\s+)?(\d+)\/\d+\]/.exec(label);
  if (!m) throw new Error(`unexpected truth label ${label}`);
  return { stage: m[1] ?? null, index: Number(m[2]) };
}

const STEP_FIELDS = ['stage', 'index', 'total', 'instruction', 'status', 'digest', 'duration_s'];
const FORMATS = ['buildkit-plain', 'buildkit-tty', 'buildkit-rawjson', 'legacy', 'compose'];

describe('cachewhy --json on every fixture case', () => {
  it('finds the cases', () => expect(CASES.length).toBeGreaterThanOrEqual(25));

  for (const c of CASES) {
    it(`${c.name}: prints the report with the issue's field names, steps in Dockerfile order`, async () => {
      const r = await runCli(['--json', ...argvFor(c)]);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.code, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as Report;

      expect(report.schema).toBe('cachewhy.report/v2');
      expect(report).toHaveProperty('diagnosis');
      expect(report.diagnosis).not.toBeNull();
      expect(report.builds.map((b) => b.source)).toEqual(['a.log', 'b.log']);
      for (const build of report.builds) {
        expect(FORMATS).toContain(build.format);
        expect(build.steps.length).toBeGreaterThan(0);
        for (const step of build.steps) for (const field of STEP_FIELDS) expect(step).toHaveProperty(field);
        expectDockerfileOrder(build.steps, c);
      }

      const d = report.diagnosis!;
      for (const field of ['first_miss', 'root_misses', 'steps', 'causes']) expect(d).toHaveProperty(field);
      for (const row of d.steps) for (const field of ['stage', 'index', 'status_by_build', 'role']) expect(row).toHaveProperty(field);
      for (const cause of d.causes) for (const field of ['kind', 'confidence', 'step', 'summary', 'evidence']) expect(cause).toHaveProperty(field);
      if (d.first_miss === null) expect(d.causes).toEqual([]);

      const b = report.builds[1]!;
      const statusOf = (label: string) => {
        const { stage, index } = parseLabel(label);
        return b.steps.find((s) => s.index === index && (stage === null || s.stage === stage))?.status;
      };
      // "Missed" in the lab's truth = not CACHED: built, failed, or cancelled while running.
      for (const label of c.truth?.b_missed_steps ?? []) expect(['built', 'error', 'canceled'], label).toContain(statusOf(label));
      for (const label of c.truth?.b_cached_steps ?? []) expect(statusOf(label), label).toBe('cached');
      if (c.truth && 'first_miss_step' in c.truth) {
        const first = report.diagnosis!.first_miss;
        if (c.truth.first_miss_step == null) expect(first).toBeNull();
        else expect(first && { stage: first.stage, index: first.index }).toEqual(parseLabel(c.truth.first_miss_step));
      }
    });
  }
});

/** Stages form contiguous runs in the Dockerfile's stage order, and indexes rise within each. */
function expectDockerfileOrder(steps: Report['builds'][number]['steps'], c: Case): void {
  const plan = readDockerfile(readFileSync(join(c.dir, 'Dockerfile'), 'utf8'), 'Dockerfile');
  const planRank = new Map(plan.stages.map((s) => [s.label as string | null, s.position]));
  const seen: (string | null)[] = [];
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    if (previous && previous.stage === step.stage) {
      expect(step.index, `${step.stage} ${step.index}`).toBeGreaterThan(previous.index);
    } else {
      expect(seen, `stage ${step.stage} appears twice`).not.toContain(step.stage);
      seen.push(step.stage);
    }
  });
  const ranks = seen.map((stage) => planRank.get(stage)).filter((r): r is number => r !== undefined);
  expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
}

describe('cachewhy --markdown and --link on every fixture case', () => {
  for (const c of CASES) {
    it(`${c.name}: Markdown has the verdict; the link decodes to the same report as --json`, async () => {
      const argv = argvFor(c);
      const json = JSON.parse((await runCli(['--json', ...argv])).stdout) as Report;

      const md = await runCli(['--markdown', ...argv]);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/^\*\*Verdict:\*\* \S/m);
      expect(md.stdout).toContain('| Step | Instruction |');

      const link = await runCli(['--link', '--base', 'https://example.org/cachewhy/', ...argv]);
      expect(link.code).toBe(0);
      const url = link.stdout.trim();
      expect(url).toMatch(/^https:\/\/example\.org\/cachewhy\/#r=3\.[A-Za-z0-9_-]+$/);
      const decoded = await decodeShareLink(url);
      // A report too long for chat goes in its compact form (src/core/report/compact.ts).
      const compact = decoded.ok && decoded.value.link_omitted !== undefined;
      expect(decoded).toEqual({ ok: true, value: compact ? compactReport(json) : json });
      if (compact) expect(url.length).toBeLessThan(SHARE_LINK_SOFT_LIMIT);
    });
  }
});
