/**
 * Every step a real BuildKit printed in the fixtures must be a plan step with the same label (padding
 * included) and the same instruction text: the plan is checked against BuildKit v0.8 (lab) and v0.13
 * (lab-modern), plain, CI-prefixed, tty and rawjson logs. Each plan is read for the era the log reader
 * guessed from that log, as the analysis does (a v0.8 tty log shows no digest line, so it is read by the
 * current rules, and must still match).
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { instructionMatches, readDockerfile, stepsSharingVertex } from '../../../src/core/dockerfile/index.ts';
import { parseCommandsFile } from '../../../src/core/ingest/command.ts';
import { readLog } from '../../../src/core/log/index.ts';
import type { BuildCommand, BuildPlan } from '../../../src/core/model.ts';
import { buildkitLogs, dockerfileCases, printedSteps, read } from './printed-steps.ts';

/** The command that produced a log; the CI-stamped copies (`b.iso.log`) are the `b.log` build. */
function commandFor(caseDir: string, log: string): BuildCommand | null {
  const file = join(caseDir, 'commands.txt');
  if (!existsSync(file)) return null;
  const entries = parseCommandsFile(read(file));
  const name = log.replace(/\.(iso|jenkins)\.log$/, '.log');
  return entries.find((e) => e.log === name)?.command ?? null;
}

function planFor(caseDir: string, log: string, dockerfile: string): BuildPlan {
  const cmd = commandFor(caseDir, log);
  const trace = readLog(read(join(caseDir, log)), log);
  if (!trace.ok) throw new Error(`${caseDir}/${log}: ${trace.problem.message}`);
  return readDockerfile(read(join(caseDir, dockerfile)), dockerfile, {
    buildArgs: cmd?.build_args ?? {},
    target: cmd?.target ?? null,
    era: trace.value.builder.era,
  });
}

const logs = dockerfileCases().flatMap((c) => buildkitLogs(c));

describe('plan labels and instruction texts equal what BuildKit printed', () => {
  it('covers every fixture case with at least one log', () => {
    const cases = new Set(logs.map((l) => l.caseDir));
    expect(cases.size).toBe(dockerfileCases().length);
    expect(logs.length).toBeGreaterThan(100);
  });

  it.each(logs.map((l) => [`${l.caseDir}/${l.log}`, l] as const))('%s', (_name, { caseDir, log, dockerfile }) => {
    const plan = planFor(caseDir, log, dockerfile);
    expect(plan.problems).toEqual([]);
    const printed = printedSteps(read(join(caseDir, log)));
    expect(printed.length).toBeGreaterThan(0);
    for (const p of printed) {
      const step = plan.steps.find((s) => s.label === p.label);
      expect(step, `no plan step labelled ${p.label}`).toBeDefined();
      if (!step) continue;
      expect(step.stage).toBe(p.stage);
      expect(step.index).toBe(p.index);
      expect(step.total).toBe(p.total);
      if (step.keyword === 'FROM' || p.truncated) {
        // FROM gains `@sha256:…` when BuildKit resolved the tag from a registry.
        expect(instructionMatches(step, p.instruction, { truncated: p.truncated }), `${p.label} ${p.instruction} vs ${step.instruction}`).toBe(true);
      } else {
        expect(step.instruction).toBe(p.instruction);
      }
    }
  });
});

describe('the plan has no step BuildKit does not print', () => {
  const fullBuilds = dockerfileCases().map((c) => ({ caseDir: c, log: existsSync(join(c, 'warmup.log')) ? 'warmup.log' : 'a.log' }));
  it.each(fullBuilds.map((f) => [f.caseDir, f] as const))('%s', (_name, { caseDir, log }) => {
    const plan = planFor(caseDir, log, 'Dockerfile');
    const printedLabels = new Set(printedSteps(read(join(caseDir, log))).map((p) => p.label));
    for (const step of plan.steps) {
      // Stages FROM the same image share one FROM vertex, printed with one of their labels.
      const shown = stepsSharingVertex(plan, step).some((s) => printedLabels.has(s.label));
      expect(shown, `${step.label} ${step.instruction} not in ${log}`).toBe(true);
    }
  });
});

describe('exact forms verified against real logs', () => {
  // [fixture, Dockerfile, build args, label, instruction as BuildKit printed it]
  const table: [string, string, Record<string, string>, string, string][] = [
    ['lab/seed-replica', 'Dockerfile', {}, '[ 2/34]', 'ADD model/Dockerfile/om-datasci-base/.aws/ /root/.aws'],
    ['lab/seed-replica', 'Dockerfile', {}, '[34/34]', 'RUN cat /opt/om/f33.txt > /opt/om/c34.txt'],
    ['lab/seed-replica', 'Dockerfile', {}, '[ 1/34]', 'FROM 127.0.0.1:5000/lab/base:1@sha256:092d6e751ac01d110fb80e3845c4869a2370abce73170108ca3666797fe55aef'],
    ['lab/arg-used', 'Dockerfile', { V: '2' }, '[2/3]', 'RUN echo "V=2" > /v.txt'],
    ['lab/env-change', 'Dockerfile.b', {}, '[4/5]', 'RUN echo "mode=prod" > /mode.txt'],
    ['lab/multistage', 'Dockerfile', {}, '[builder 2/3]', 'COPY src/ /src/'],
    ['lab/multistage', 'Dockerfile', {}, '[stage-1 3/4]', 'COPY --from=builder /lines.txt /app/lines.txt'],
    ['lab/add-dir-new-file', 'Dockerfile', {}, '[1/4]', 'FROM docker.io/lab/base:1'],
    ['lab-modern/heredoc-run', 'Dockerfile', {}, '[3/4]', 'RUN <<EOT (echo line one > /h.txt...)'],
    [
      'lab-modern/cache-mount',
      'Dockerfile',
      {},
      '[stage-0 2/3]',
      'RUN --mount=type=cache,id=labcache,target=/cache ls /cache > /listing.txt; cat /listing.txt',
    ],
    ['lab-modern/copy-link', 'Dockerfile', {}, '[3/5]', 'COPY --link app.conf /etc/app.conf'],
    ['lab-modern/failed-build', 'Dockerfile.b', {}, '[stage-1 3/5]', 'RUN echo check-failed && exit 1'],
  ];
  it.each(table)('%s %s %j: %s %s', (fixture, dockerfile, buildArgs, label, instruction) => {
    const plan = readDockerfile(read(join('tests/fixtures', fixture, dockerfile)), dockerfile, { buildArgs });
    const step = plan.steps.find((s) => s.label === label);
    expect(step?.instruction).toBe(instruction);
  });
});
