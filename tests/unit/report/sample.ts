/**
 * Hand-built model objects for report tests that must not depend on the log reader: a two-build story
 * shaped like tests/fixtures/lab/copy-file-content (COPY app.conf missed, the RUN after it cascaded).
 */
import type { BuildCommand, BuildTrace, Diagnosis, Report, Step, StepStatus } from '../../../src/core/model.ts';
import { buildReport } from '../../../src/core/report/index.ts';

export function step(index: number, instruction: string, status: StepStatus, extra: Partial<Step> = {}): Step {
  return {
    stage: null,
    index,
    total: 4,
    label: `[${index}/4]`,
    instruction,
    truncated: false,
    status,
    durationS: status === 'built' ? 0.4 : null,
    vertices: [index + 3],
    digest: `sha256:${String(index).repeat(64).slice(0, 64)}`,
    ...extra,
  };
}

export function trace(source: string, steps: Step[], extra: Partial<BuildTrace> = {}): BuildTrace {
  return {
    source,
    format: 'buildkit-plain',
    builder: { name: null, driver: null, digestLines: true, era: 'buildkit-v0.8' },
    linePrefix: 'none',
    steps,
    internal: [],
    baseImages: [{ ref: 'docker.io/lab/base:1', digest: null, stage: null }],
    transfers: { context: 45, dockerfile: 31, dockerignore: 2 },
    cacheImports: [],
    cacheExports: [],
    errors: [],
    warnings: [],
    commands: [],
    imageId: null,
    truncated: false,
    notes: [],
    startedAt: null,
    completedAt: null,
    ...extra,
  };
}

export const STEPS = ['FROM docker.io/lab/base:1', 'RUN echo "prepare" > /prepare.txt', 'COPY app.conf /etc/app.conf', 'RUN cat /etc/app.conf'];

export function diagnosis(): Diagnosis {
  const first = { stage: null, index: 3, instruction: STEPS[2]! };
  return {
    first_miss: first,
    root_misses: [first],
    steps: STEPS.map((instruction, i) => ({
      stage: null,
      index: i + 1,
      instruction,
      status_by_build: i < 2 ? ['cached', 'cached'] : ['cached', 'built'],
      role: i === 2 ? 'root-miss' : i === 3 ? 'cascade' : 'cached',
      because_of: i === 3 ? { stage: null, index: 3 } : null,
    })),
    causes: [
      {
        kind: 'context-changed',
        confidence: 'high',
        step: { stage: null, index: 3 },
        summary: 'The content of `app.conf` changed between the builds.',
        evidence: ['#7 [3/4] COPY app.conf /etc/app.conf', 'app.conf: content 11 B → 10 B'],
        files: [{ path: 'app.conf', change: 'content', detail: '11 B → 10 B' }],
      },
    ],
    hash_notes: [
      {
        step: { stage: null, index: 3 },
        digests: ['sha256:aaa', 'sha256:bbb'],
        context_upstream: true,
        explanation: 'The printed digest is the LLB vertex digest, not the cache key.',
        digests_unquoted: true,
        key_parts: ['the COPY operation', 'the content checksum of /app.conf'],
      },
    ],
    suggestions: [{ title: 'Copy only what the step needs', detail: 'Nothing to change here: the file really changed.' }],
    verdict: 'Step [3/4] `COPY app.conf /etc/app.conf` missed because `app.conf` changed; 1 step after it was rebuilt because of it.',
  };
}

/** Build a: all cached; build b: COPY app.conf missed. Steps deliberately given out of Dockerfile order. */
export function sampleReport(): Report {
  const a = trace('a.log', [step(2, STEPS[1]!, 'cached'), step(1, STEPS[0]!, 'cached'), step(3, STEPS[2]!, 'cached'), step(4, STEPS[3]!, 'cached')]);
  const b = trace('b.log', [step(1, STEPS[0]!, 'cached'), step(2, STEPS[1]!, 'cached'), step(4, STEPS[3]!, 'built'), step(3, STEPS[2]!, 'built')]);
  return buildReport({
    traces: [a, b],
    diagnosis: diagnosis(),
    inputs: [
      { name: 'a.log', kind: 'log' },
      { name: 'b.log', kind: 'log' },
    ],
  });
}

/** A report's `docker build … .` command entry: only its text and build args vary in these tests. */
export function dockerBuild(build: number, source: string, text: string, build_args: BuildCommand['build_args']): NonNullable<Report['commands']>[number] {
  const command: BuildCommand = {
    text,
    tool: 'docker build',
    build_args,
    no_cache: false,
    no_cache_filter: [],
    pull: false,
    cache_from: [],
    cache_to: [],
    platform: [],
    target: null,
    file: null,
    context: '.',
    tags: [],
    progress: null,
  };
  return { build, source, command };
}
