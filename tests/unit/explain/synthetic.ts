/**
 * Small plain BuildKit logs (the grammar of the real ones), read by the real readers, for situations the
 * lab fixtures do not cover; and the scenarios that reach the cause variants no fixture case does.
 */
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { DiagnoseInput } from '../../../src/core/explain/index.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { parseBuildCommand } from '../../../src/core/ingest/command.ts';
import { readLog } from '../../../src/core/log/index.ts';
import type { BuildCommand, BuildTrace, ContextIndex } from '../../../src/core/model.ts';
import { nodeSha256, streamOf, writeTar, type TarSpec } from '../context/helpers.ts';

export type Result = 'CACHED' | 'DONE' | 'ERROR';

export interface LogSpec {
  /** `#0 building with …` line, when the builder should be named. */
  builder?: string;
  /** Extra vertices printed before the steps (`importing cache manifest from …` with a result). */
  imports?: { ref: string; ok: boolean }[];
  steps: [label: string, instruction: string, result: Result, digest?: string][];
}

/** A plain-progress log in BuildKit's grammar. */
export function plainLog(spec: LogSpec): string {
  const out: string[] = [];
  let n = 1;
  if (spec.builder) out.push(`#0 building with "${spec.builder}" instance using docker driver`, '');
  out.push(`#${n} [internal] load build definition from Dockerfile`, `#${n} transferring dockerfile: 120B done`, `#${n} DONE 0.0s`, '');
  n++;
  for (const imp of spec.imports ?? []) {
    out.push(`#${n} importing cache manifest from ${imp.ref}`, imp.ok ? `#${n} DONE 0.1s` : `#${n} ERROR: ${imp.ref}: not found`, '');
    n++;
  }
  for (const [label, instruction, result, digest] of spec.steps) {
    out.push(`#${n} ${label} ${instruction}`);
    if (digest) out.push(`#${n} ${digest}`);
    out.push(
      result === 'CACHED'
        ? `#${n} CACHED`
        : result === 'DONE'
          ? `#${n} DONE 0.4s`
          : `#${n} ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1`,
      '',
    );
    n++;
  }
  out.push(`#${n} exporting to image`, `#${n} DONE 0.1s`, '');
  return out.join('\n');
}

export function trace(spec: LogSpec, source: string): BuildTrace {
  const r = readLog(plainLog(spec), source);
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

export function cmd(line: string): BuildCommand {
  const c = parseBuildCommand(line);
  if (!c) throw new Error(`not a build command: ${line}`);
  return c;
}

export const D1 = 'sha256:' + '1'.repeat(64);
export const D2 = 'sha256:' + '2'.repeat(64);

const FROM_ALPINE = 'FROM docker.io/library/alpine:3.19';

const logs = (a: LogSpec, b: LogSpec): BuildTrace[] => [trace(a, 'a.log'), trace(b, 'b.log')];

async function context(name: string, specs: TarSpec[]): Promise<ContextIndex> {
  const r = await indexContext(streamOf(writeTar(specs)), { name, hasher: nodeSha256 });
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

/** Inputs, each named for the cause variant it reaches (sub-kinds the lab fixtures do not show). */
export const SCENARIOS: Record<string, () => DiagnoseInput | Promise<DiagnoseInput>> = {
  'a step inserted into the Dockerfile (step-inserted)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/3]', FROM_ALPINE, 'CACHED'],
          ['[2/3]', 'RUN apk add curl', 'CACHED'],
          ['[3/3]', 'RUN make', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/4]', FROM_ALPINE, 'CACHED'],
          ['[2/4]', 'RUN apk add git', 'DONE'],
          ['[3/4]', 'RUN apk add curl', 'DONE'],
          ['[4/4]', 'RUN make', 'DONE'],
        ],
      },
    ),
    plans: [
      readDockerfile('FROM alpine:3.19\nRUN apk add curl\nRUN make\n', 'Dockerfile'),
      readDockerfile('FROM alpine:3.19\nRUN apk add git\nRUN apk add curl\nRUN make\n', 'Dockerfile.b'),
    ],
  }),
  'a step removed from the Dockerfile (step-removed)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/4]', FROM_ALPINE, 'CACHED'],
          ['[2/4]', 'RUN apk add git', 'CACHED'],
          ['[3/4]', 'RUN apk add curl', 'CACHED'],
          ['[4/4]', 'RUN make', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/3]', FROM_ALPINE, 'CACHED'],
          ['[2/3]', 'RUN apk add curl', 'DONE'],
          ['[3/3]', 'RUN make', 'DONE'],
        ],
      },
    ),
    plans: [
      readDockerfile('FROM alpine:3.19\nRUN apk add git\nRUN apk add curl\nRUN make\n', 'Dockerfile'),
      readDockerfile('FROM alpine:3.19\nRUN apk add curl\nRUN make\n', 'Dockerfile.b'),
    ],
  }),
  // The earlier build's log shows a step its Dockerfile does not have (a Dockerfile given from another commit).
  'a step only one Dockerfile has (step-shifted)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/3]', FROM_ALPINE, 'CACHED'],
          ['[2/3]', 'RUN apk add curl', 'CACHED'],
          ['[3/3]', 'RUN make', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/3]', FROM_ALPINE, 'CACHED'],
          ['[2/3]', 'RUN apk add curl', 'CACHED'],
          ['[3/3]', 'RUN make', 'DONE'],
        ],
      },
    ),
    plans: [
      readDockerfile('FROM alpine:3.19\nRUN apk add curl\n', 'Dockerfile'),
      readDockerfile('FROM alpine:3.19\nRUN apk add curl\nRUN make\n', 'Dockerfile.b'),
    ],
  }),
  'an ENV value a COPY expands (env-expanded)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/2]', FROM_ALPINE, 'CACHED'],
          ['[2/2]', 'COPY dev.conf /etc/app.conf', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/2]', FROM_ALPINE, 'CACHED'],
          ['[2/2]', 'COPY prod.conf /etc/app.conf', 'DONE'],
        ],
      },
    ),
    plans: [
      readDockerfile('FROM alpine:3.19\nENV CONF=dev.conf\nCOPY $CONF /etc/app.conf\n', 'Dockerfile'),
      readDockerfile('FROM alpine:3.19\nENV CONF=prod.conf\nCOPY $CONF /etc/app.conf\n', 'Dockerfile.b'),
    ],
  }),
  'ADD <url> and COPY --from=<image> (remote-source, copy-from-image)': () => {
    const s = (add: Result, copy: Result): LogSpec => ({
      steps: [
        ['[1/3]', FROM_ALPINE, 'CACHED'],
        ['[2/3]', 'ADD https://example.com/tool.tgz /tmp/', add],
        ['[3/3]', 'COPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t', copy],
      ],
    });
    const df = 'FROM alpine:3.19\nADD https://example.com/tool.tgz /tmp/\nCOPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t\n';
    return { traces: [trace(s('CACHED', 'CACHED'), 'a.log'), trace(s('DONE', 'DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] };
  },
  'COPY --from=<image> alone (copy-from-image)': () => {
    const s = (copy: Result): LogSpec => ({
      steps: [
        ['[1/3]', FROM_ALPINE, 'CACHED'],
        ['[2/3]', 'ADD https://example.com/tool.tgz /tmp/', 'CACHED'],
        ['[3/3]', 'COPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t', copy],
      ],
    });
    const df = 'FROM alpine:3.19\nADD https://example.com/tool.tgz /tmp/\nCOPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t\n';
    return { traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] };
  },
  '--no-cache-filter on the stage (no-cache-filter)': () => {
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[deps 1/2]', FROM_ALPINE, 'CACHED'],
        ['[deps 2/2]', 'RUN apk add curl', r],
        ['[stage-1 1/1]', 'RUN echo hi', r],
      ],
    });
    return {
      traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')],
      plans: [readDockerfile('FROM alpine:3.19 AS deps\nRUN apk add curl\n\nFROM deps\nRUN echo hi\n', 'Dockerfile')],
      commands: [cmd('docker buildx build .'), cmd('docker buildx build --no-cache-filter deps .')],
    };
  },
  'a base tag that resolved to another digest (digest-changed)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/2]', `${FROM_ALPINE}@${D1}`, 'CACHED'],
          ['[2/2]', 'RUN apk add curl', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/2]', `${FROM_ALPINE}@${D2}`, 'DONE'],
          ['[2/2]', 'RUN apk add curl', 'DONE'],
        ],
      },
    ),
    plans: [readDockerfile('FROM alpine:3.19\nRUN apk add curl\n', 'Dockerfile')],
  }),
  'a stage now built FROM another image (ref-changed)': () => ({
    traces: logs(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.18', 'CACHED'],
          ['[2/2]', 'RUN apk add curl', 'CACHED'],
        ],
      },
      {
        steps: [
          ['[1/2]', FROM_ALPINE, 'DONE'],
          ['[2/2]', 'RUN apk add curl', 'DONE'],
        ],
      },
    ),
    plans: [readDockerfile('FROM alpine:3.18\nRUN apk add curl\n', 'Dockerfile'), readDockerfile('FROM alpine:3.19\nRUN apk add curl\n', 'Dockerfile.b')],
  }),
  'only a directory mode changed (files-unseen)': async () => {
    const tree = (mode: number): TarSpec[] => [
      { name: 'conf/', flag: '5', mode },
      { name: 'conf/app.conf', data: 'a=1\n' },
    ];
    return {
      traces: logs(
        {
          steps: [
            ['[1/2]', FROM_ALPINE, 'CACHED'],
            ['[2/2]', 'COPY conf /etc/conf', 'CACHED'],
          ],
        },
        {
          steps: [
            ['[1/2]', FROM_ALPINE, 'CACHED'],
            ['[2/2]', 'COPY conf /etc/conf', 'DONE'],
          ],
        },
      ),
      plans: [readDockerfile('FROM alpine:3.19\nCOPY conf /etc/conf\n', 'Dockerfile')],
      contexts: [await context('context-a.tar', tree(0o755)), await context('context-b.tar', tree(0o700))],
    };
  },
};
