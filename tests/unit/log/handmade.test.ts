/**
 * Small hand-made logs for the formats and decorations the lab fixtures do not cover. Each is written
 * the way the tool prints it (tty lines follow BuildKit's `align`: names cut to fill the column).
 */
import { describe, expect, it } from 'vitest';
import { readLog, readLogBuilds, sniffLogFormat } from '../../../src/core/log/index.ts';
import type { BuildTrace, LogFormat } from '../../../src/core/model.ts';

function trace(text: string, source = 'pasted log'): BuildTrace {
  const r = readLog(text, source);
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}
const statuses = (t: BuildTrace): string[] => t.steps.map((s) => `${s.label} ${s.status}`);

const PLAIN = [
  '#0 building with "default" instance using docker driver',
  '',
  '#1 [internal] load build definition from Dockerfile',
  '#1 transferring dockerfile: 190B done',
  '#1 DONE 0.0s',
  '',
  '#2 [internal] load metadata for docker.io/library/alpine:3.19',
  '#2 DONE 0.4s',
  '',
  '#3 [internal] load .dockerignore',
  '#3 transferring context: 2B done',
  '#3 DONE 0.0s',
  '',
  '#4 [1/3] FROM docker.io/library/alpine:3.19@sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b',
  '#4 DONE 0.0s',
  '',
  '#5 [internal] load build context',
  '#5 transferring context: 2.35kB done',
  '#5 DONE 0.0s',
  '',
  '#6 [2/3] COPY app.sh /app.sh',
  '#6 CACHED',
  '',
  '#7 [3/3] RUN sh /app.sh',
  '#7 0.225 hello',
  '#7 DONE 0.3s',
  '',
  '#8 exporting to image',
  '#8 exporting layers 0.1s done',
  '#8 writing image sha256:3c4a0e5d7b3fa35e1f1fd8e7e5e58d4b3eb8a0f0aa0d31c6d3e9e1b4c77f29d1 done',
  '#8 DONE 0.1s',
];
const PLAIN_STATUSES = ['[1/3] cached', '[2/3] cached', '[3/3] built'];

describe('CI prefixes are stripped, timestamps kept', () => {
  it('GitHub Actions: ISO-8601 with 7 fractional digits, blank lines as a bare timestamp', () => {
    const text = PLAIN.map((l, i) => `2024-01-01T10:00:${String(i).padStart(2, '0')}.1234567Z${l === '' ? '' : ` ${l}`}`).join('\n');
    const t = trace(text);
    expect(t.linePrefix).toBe('iso8601');
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
    expect(t.steps[2]).toMatchObject({ startedAt: '2024-01-01T10:00:23.1234567Z', completedAt: '2024-01-01T10:00:25.1234567Z', durationS: 0.3 });
    expect(t.startedAt).toBe('2024-01-01T10:00:00.1234567Z');
    expect(t.transfers.context).toBe(2350);
  });
  it('GitLab raw trace: section markers, ANSI colours, erase-line codes', () => {
    const text = [
      'section_start:1700000000:prepare_script\r\x1b[0K\x1b[0K\x1b[36;1mPreparing environment\x1b[0;m',
      'section_end:1700000001:prepare_script\r\x1b[0K',
      'section_start:1700000001:step_script\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script" stage of the job script\x1b[0;m',
      '\x1b[32;1m$ docker build --progress=plain -t app .\x1b[0;m',
      ...PLAIN.map((l) => (l.startsWith('#6 CACHED') ? `\x1b[34m${l}\x1b[0m` : l)),
      'section_end:1700000009:step_script\r\x1b[0K',
      '\x1b[32;1mJob succeeded\x1b[0;m',
    ].join('\n');
    const t = trace(text);
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
    expect(t.imageId).toMatch(/^sha256:3c4a/);
  });
  it('GitLab 17 job-log timestamps with a stream marker', () => {
    const text = PLAIN.map((l) => `2026-03-15T10:21:33.123456Z 01O ${l}`).join('\n');
    const t = trace(text);
    expect(t.linePrefix).toBe('iso8601');
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
  });
  it('`[job] | ` prefix (act, Gitea runner)', () => {
    const t = trace(PLAIN.map((l) => `[CI/build] | ${l}`).join('\n'));
    expect(t.linePrefix).toBe('job-pipe');
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
  });
  it('`service  | ` prefix (a builder running in compose)', () => {
    const t = trace(PLAIN.map((l) => `builder-1  | ${l}`).join('\n'));
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
  });
  it('a timestamp alone on the line before each log line', () => {
    const text = PLAIN.flatMap((l, i) => [`2024-05-02T08:15:${String(i).padStart(2, '0')}Z`, l]).join('\n');
    const t = trace(text);
    expect(t.linePrefix).toBe('timestamp-line');
    expect(statuses(t)).toEqual(PLAIN_STATUSES);
    expect(t.steps[2]?.completedAt).toBe('2024-05-02T08:15:25Z');
  });
  it('Jenkins `[HH:MM:SS] ` with secret masks inside the lines', () => {
    const text = PLAIN.map((l) => l.replace('COPY app.sh /app.sh', 'COPY *** /app.sh'))
      .map((l) => `[10:00:01] ${l}`)
      .join('\n');
    const t = trace(text);
    expect(t.linePrefix).toBe('jenkins-time');
    expect(t.steps[1]).toMatchObject({ instruction: 'COPY *** /app.sh', status: 'cached' });
  });
  it('a stamper that pads with two spaces (plain and legacy)', () => {
    expect(statuses(trace(PLAIN.map((l) => `10:00:01  ${l}`).join('\n')))).toEqual(PLAIN_STATUSES);
    const legacy = ['Step 1/2 : FROM alpine', ' ---> 05455a08881e', 'Step 2/2 : RUN true', ' ---> Using cache', ' ---> 6f5e4d3c2b1a'];
    expect(statuses(trace(legacy.map((l) => `10:00:01 ${l}`).join('\n')))).toEqual(['Step 1/2 cached', 'Step 2/2 cached']);
  });
  it('legacy: words like "failed to" in a RUN\'s output do not fail a step that finished', () => {
    const text = [
      'Step 1/2 : FROM alpine',
      ' ---> 05455a08881e',
      'Step 2/2 : RUN ./check.sh',
      ' ---> Running in 1a2b3c4d5e6f',
      'failed to reach mirror, retrying',
      ' ---> 6f5e4d3c2b1a',
      'Successfully built 6f5e4d3c2b1a',
    ].join('\n');
    const t = trace(text);
    expect(statuses(t)).toEqual(['Step 1/2 cached', 'Step 2/2 built']);
    expect(t.errors).toEqual([]);
  });
  it('an undecorated log whose output starts with a time keeps its text', () => {
    const text = PLAIN.map((l) => (l === '#7 0.225 hello' ? '#7 0.225 12:00:00 started' : l)).join('\n');
    const t = trace(text);
    expect(t.linePrefix).toBe('none');
    expect(t.steps[2]?.output).toEqual(['12:00:00 started']);
  });
});

describe('tty output', () => {
  // 80 columns: ` => ` + name cut at 80-4-len(timer)-1, padded, then the time.
  const TTY = [
    '[+] Building 27.1s (11/11) FINISHED',
    ' => [internal] load build definition from Dockerfile                       0.0s',
    ' => => transferring dockerfile: 1.02kB                                     0.0s',
    ' => [internal] load metadata for docker.io/library/python:3.12-slim        1.1s',
    ' => [internal] load build context                                          0.0s',
    ' => => transferring context: 12.43MB                                       0.4s',
    ' => CACHED [base 1/4] FROM docker.io/library/python:3.12-slim@sha256:2b00  0.0s',
    ' => CACHED [base 2/4] RUN apt-get update && apt-get install -y --no-insta  0.0s',
    ' => [base 3/4] COPY requirements.txt .                                     0.1s',
    ' => [base 4/4] RUN pip install --no-cache-dir -r requirements.txt         23.4s',
    ' => exporting to image                                                     1.9s',
    ' => => exporting layers                                                    1.8s',
    ' => => writing image sha256:9a1bc0f3f1b5a0e5f2d1c4e2b7a6d5c4e3f2a1b0c9d8e7  0.0s',
  ];
  it('reads statuses, durations, and flags names cut at the terminal width', () => {
    const t = trace(TTY.join('\n'));
    expect(t.format).toBe('buildkit-tty');
    expect(statuses(t)).toEqual(['[base 1/4] cached', '[base 2/4] cached', '[base 3/4] built', '[base 4/4] built']);
    expect(t.steps.map((s) => s.truncated)).toEqual([true, true, false, false]);
    expect(t.steps[3]?.durationS).toBe(23.4);
    expect(t.transfers).toEqual({ context: 12430000, dockerfile: 1020, dockerignore: null });
    expect(t.notes.some((n) => n.includes('terminal width'))).toBe(true);
  });
  it('lines pasted without the leading space read the same', () => {
    const a = trace(TTY.join('\n'));
    const b = trace(TTY.map((l) => l.trimStart()).join('\n'));
    expect(b.steps.map((s) => [s.label, s.status, s.instruction])).toEqual(a.steps.map((s) => [s.label, s.status, s.instruction]));
  });
  it('a screen without FINISHED and without ERROR is an unfinished build', () => {
    const t = trace([' [+] Building 14.2s (9/11)', ...TTY.slice(1, 9)].join('\n'));
    expect(t.truncated).toBe(true);
    expect(t.notes.some((n) => n.includes('9 of 11'))).toBe(true);
  });
  it('ERROR and CANCELED entries, sub-step output lines', () => {
    const text = [
      '[+] Building 3.4s (8/10)                                                        ',
      ' => [internal] load build definition from Dockerfile                       0.0s',
      ' => CACHED [2/4] WORKDIR /src                                              0.0s',
      ' => ERROR [3/4] RUN make                                                   3.1s',
      ' => => # cc: fatal error: no input files                                       ',
      ' => CANCELED [builder 2/2] RUN sleep 10                                    3.1s',
      '------',
      ' > [3/4] RUN make:',
      '#8 3.021 cc: fatal error: no input files',
      '------',
      'ERROR: failed to solve: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    ].join('\n');
    const t = trace(text);
    expect(statuses(t)).toEqual(['[2/4] cached', '[3/4] error', '[builder 2/2] canceled']);
    expect(t.steps[1]?.output).toEqual(['cc: fatal error: no input files']);
    expect(t.errors[0]).toMatchObject({ step: { stage: null, index: 3 }, message: expect.stringMatching(/^failed to solve: process/) });
  });
  it('a short tty list with a long error block of `#N 1.234 …` lines is still tty', () => {
    const text = [
      '[+] Building 2.0s (6/7)',
      ' => CACHED [2/3] COPY . /src                                               0.0s',
      ' => ERROR [3/3] RUN make test                                              1.9s',
      '------',
      ' > [3/3] RUN make test:',
      ...Array.from({ length: 10 }, (_, i) => `#7 1.${100 + i} FAIL test_${i}`),
      '------',
      'ERROR: failed to solve: process "/bin/sh -c make test" did not complete successfully: exit code: 2',
    ].join('\n');
    expect(sniffLogFormat(text)).toBe('buildkit-tty');
    expect(statuses(trace(text))).toEqual(['[2/3] cached', '[3/3] error']);
  });
  it('raw terminal bytes: later frames overwrite earlier ones', () => {
    const frame1 = ['[+] Building 0.1s (2/3)', ' => [1/2] FROM docker.io/library/alpine  0.0s', ' => [2/2] RUN sleep 1                   0.1s'];
    const frame2 = ['[+] Building 1.2s (3/3) FINISHED', ' => [1/2] FROM docker.io/library/alpine  0.0s', ' => [2/2] RUN sleep 1                   1.1s'];
    const raw = `\x1b[?25l${frame1.join('\r\n')}\r\n\x1b[3A\x1b[0G${frame2.map((l) => `\x1b[34m${l}\x1b[0m`).join('\r\n')}\r\n\x1b[?25h`;
    const t = trace(raw);
    expect(t.format).toBe('buildkit-tty');
    expect(t.steps[1]).toMatchObject({ status: 'built', durationS: 1.1 });
    expect(t.truncated).toBe(false);
  });
});

describe('rawjson, one object per line', () => {
  const b64 = (s: string): string => btoa(s);
  const V = {
    from: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    ctx: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
    copy: 'sha256:3333333333333333333333333333333333333333333333333333333333333333',
    run: 'sha256:4444444444444444444444444444444444444444444444444444444444444444',
    late: 'sha256:5555555555555555555555555555555555555555555555555555555555555555',
  };
  const lines = [
    {
      vertexes: [
        { digest: V.from, name: '[1/4] FROM docker.io/library/alpine:3.19' },
        { digest: V.ctx, name: '[internal] load build context' },
      ],
    },
    {
      vertexes: [
        {
          digest: V.from,
          name: '[1/4] FROM docker.io/library/alpine:3.19',
          started: '2024-01-01T10:00:00.000Z',
          completed: '2024-01-01T10:00:00.010Z',
          cached: true,
        },
      ],
    },
    { statuses: [{ id: 'transferring context:', vertex: V.ctx, current: 2350, started: '2024-01-01T10:00:00Z', completed: '2024-01-01T10:00:00.1Z' }] },
    { vertexes: [{ digest: V.copy, inputs: [V.from, V.ctx], name: '[2/4] COPY {a,b}.json /cfg/', started: '2024-01-01T10:00:01Z' }] },
    {
      vertexes: [
        { digest: V.copy, inputs: [V.from, V.ctx], name: '[2/4] COPY {a,b}.json /cfg/', started: '2024-01-01T10:00:01Z', completed: '2024-01-01T10:00:01.2Z' },
      ],
    },
    { vertexes: [{ digest: V.run, inputs: [V.copy], name: '[3/4] RUN echo \'{"k": "}"}\' > /x.json', started: '2024-01-01T10:00:02Z' }] },
    { logs: [{ vertex: V.run, stream: 1, data: b64('{"k": "}"}\nwrote\n'), timestamp: '2024-01-01T10:00:02.5Z' }] },
    { warnings: [{ vertex: V.run, level: 1, short: b64('JSONArgsRecommended: JSON arguments recommended for CMD'), detail: [] }] },
    {
      vertexes: [
        {
          digest: V.run,
          inputs: [V.copy],
          name: '[3/4] RUN echo \'{"k": "}"}\' > /x.json',
          started: '2024-01-01T10:00:02Z',
          completed: '2024-01-01T10:00:03Z',
          error: 'process "/bin/sh -c ..." did not complete successfully: exit code: 1',
        },
        { digest: V.late, inputs: [V.run], name: '[4/4] RUN cat /x.json' },
      ],
    },
  ];
  const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\nERROR: failed to solve: process "/bin/sh -c ..." did not complete successfully: exit code: 1\n`;

  it('splits objects by brace depth, with braces inside strings', () => {
    const t = trace(text);
    expect(t.format).toBe('buildkit-rawjson');
    expect(t.steps.map((s) => [s.label, s.status])).toEqual([
      ['[1/4]', 'cached'],
      ['[2/4]', 'built'],
      ['[3/4]', 'error'],
      ['[4/4]', 'not-run'],
    ]);
    expect(t.steps[2]?.instruction).toBe(`RUN echo '{"k": "}"}' > /x.json`);
  });
  it('keeps digests, the input graph, logs, warnings and the final error', () => {
    const t = trace(text);
    expect(t.steps[1]).toMatchObject({ digest: V.copy, inputs: [V.from, V.ctx], durationS: 0.2 });
    expect(t.steps[2]?.output).toEqual(['{"k": "}"}', 'wrote']);
    expect(t.steps[3]?.statusNote).toMatch(/never started/);
    expect(t.warnings).toEqual(['JSONArgsRecommended: JSON arguments recommended for CMD']);
    expect(t.transfers.context).toBe(2350);
    expect(t.errors[0]?.lines.at(-1)).toMatch(/^ERROR: failed to solve/);
  });
  it('pretty-printed and one-per-line streams give the same trace', () => {
    const pretty = lines.map((l) => JSON.stringify(l, null, 2)).join('\n');
    expect(trace(pretty).steps).toEqual(trace(lines.map((l) => JSON.stringify(l)).join('\n')).steps);
  });
  it('a stream cut inside an object is flagged truncated', () => {
    const cut =
      lines
        .slice(0, 6)
        .map((l) => JSON.stringify(l))
        .join('\n') + '\n{"vertexes":[{"digest":"sha256:44';
    const t = trace(cut);
    expect(t.truncated).toBe(true);
    expect(t.steps.find((s) => s.index === 3)?.status).toBe('not-run');
  });
});

describe('docker compose build', () => {
  it('plain: the service stands inside the brackets', () => {
    const text = [
      '#0 building with "default" instance using docker driver',
      '',
      '#1 [web internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 299B done',
      '#1 DONE 0.0s',
      '',
      '#2 [api internal] load build definition from Dockerfile',
      '#2 transferring dockerfile: 412B done',
      '#2 DONE 0.0s',
      '',
      '#3 [web internal] load metadata for docker.io/library/node:20-alpine',
      '#3 DONE 0.9s',
      '',
      '#4 [web stage-1 1/3] FROM docker.io/library/node:20-alpine@sha256:1e0e4e2ac1a4d5a8f2b1f7e0bd3c2b8a4e5f6d7c8b9a0f1e2d3c4b5a6978e0f1',
      '#4 DONE 0.0s',
      '',
      '#5 [api 2/3] COPY go.mod go.sum ./',
      '#5 CACHED',
      '',
      '#6 [web stage-1 2/3] COPY package.json package-lock.json ./',
      '#6 CACHED',
      '',
      '#7 [web stage-1 3/3] RUN npm ci',
      '#7 5.112 added 312 packages in 5s',
      '#7 DONE 5.3s',
      '',
      '#8 [api 3/3] RUN go build -o /app .',
      '#8 DONE 11.0s',
    ].join('\n');
    expect(sniffLogFormat(text)).toBe('compose');
    const t = trace(text);
    expect(t.format).toBe('compose');
    expect(t.steps.map((s) => [s.service, s.stage, s.index, s.status])).toEqual([
      ['web', 'stage-1', 1, 'cached'],
      ['web', 'stage-1', 2, 'cached'],
      ['web', 'stage-1', 3, 'built'],
      ['api', null, 2, 'cached'],
      ['api', null, 3, 'built'],
    ]);
    const r = readLog(text, 'compose.log');
    expect(r.ok && r.problems).toBeUndefined();
  });
  it('tty: `[web 2/3]` is service web, no stage', () => {
    const text = [
      '[+] Building 6.1s (9/9) FINISHED                                                docker:default',
      ' => [web internal] load build definition from Dockerfile                       0.0s',
      ' => => transferring dockerfile: 299B                                           0.0s',
      ' => [web 1/3] FROM docker.io/library/node:20-alpine                             0.0s',
      ' => CACHED [web 2/3] COPY package.json ./                                       0.0s',
      ' => [web 3/3] RUN npm ci                                                        5.3s',
      ' => [web] exporting to image                                                    0.4s',
    ].join('\n');
    const t = trace(text);
    expect(t.format).toBe('compose');
    expect(t.steps.map((s) => [s.service, s.stage, s.index, s.status])).toEqual([
      ['web', null, 1, 'cached'],
      ['web', null, 2, 'cached'],
      ['web', null, 3, 'built'],
    ]);
  });
});

describe('legacy builder', () => {
  it('Docker 1.x: zero-based, total-less steps and ONBUILD triggers', () => {
    const text = [
      'Sending build context to Docker daemon 2.048 kB',
      'Step 0 : FROM node:0.10-onbuild',
      '# Executing 3 build triggers',
      'Trigger 0, COPY package.json /usr/src/app/',
      'Step 0 : COPY package.json /usr/src/app/',
      ' ---> Using cache',
      'Trigger 1, RUN npm install',
      'Step 0 : RUN npm install',
      ' ---> Using cache',
      'Trigger 2, COPY . /usr/src/app',
      'Step 0 : COPY . /usr/src/app',
      ' ---> 5e6b3b3a8d9c',
      'Removing intermediate container 2d1a4c0e8f61',
      'Step 1 : EXPOSE 8888',
      ' ---> Running in 6a0e5d3c2b1a',
      ' ---> 7f8a9b0c1d2e',
      'Removing intermediate container 6a0e5d3c2b1a',
      'Successfully built 7f8a9b0c1d2e',
    ].join('\n');
    expect(sniffLogFormat(text)).toBe('legacy');
    const t = trace(text);
    expect(t.steps.map((s) => [s.label, s.index, s.total, s.status])).toEqual([
      ['Step 0', 1, null, 'built'],
      ['Step 1', 2, null, 'built'],
    ]);
    expect(t.steps[0]?.statusNote).toMatch(/ONBUILD triggers ran: COPY package.json/);
    expect(t.notes.some((n) => n.includes('from 0'))).toBe(true);
    expect(t.transfers.context).toBe(2048);
  });
  it('Docker 1.10–1.12: one-based without total; cache hits and a failure', () => {
    const text = [
      'Step 1 : FROM ubuntu:16.04',
      ' ---> 104bec311bcd',
      'Step 2 : RUN apt-get update',
      ' ---> Using cache',
      ' ---> 2b3c4d5e6f70',
      'Step 3 : RUN make',
      ' ---> Running in 0a1b2c3d4e5f',
      'make: *** No targets specified and no makefile found.  Stop.',
      "The command '/bin/sh -c make' returned a non-zero code: 2",
    ].join('\n');
    const t = trace(text);
    expect(t.steps.map((s) => [s.label, s.total, s.status])).toEqual([
      ['Step 1', null, 'cached'],
      ['Step 2', null, 'cached'],
      ['Step 3', null, 'error'],
    ]);
    expect(t.errors[0]).toMatchObject({ step: { stage: null, index: 3 }, message: "The command '/bin/sh -c make' returned a non-zero code: 2" });
  });
  it('modern ONBUILD: triggers answered from cache keep the FROM cached', () => {
    const text = [
      'Step 1/2 : FROM my/onbuild-base',
      '# Executing 1 build trigger',
      ' ---> Using cache',
      ' ---> 8e8c1fd0c2a4',
      'Step 2/2 : CMD ["node", "app.js"]',
      ' ---> Using cache',
      ' ---> 9f0a1b2c3d4e',
      'Successfully built 9f0a1b2c3d4e',
    ].join('\n');
    const t = trace(text);
    expect(statuses(t)).toEqual(['Step 1/2 cached', 'Step 2/2 cached']);
  });
  it('a legacy FROM that pulls the image is not "cached"', () => {
    const text = [
      'Step 1/2 : FROM alpine:3.19',
      '3.19: Pulling from library/alpine',
      '4abcf2066143: Pull complete',
      'Status: Downloaded newer image for alpine:3.19',
      ' ---> 05455a08881e',
      'Step 2/2 : RUN true',
      ' ---> Running in 1a2b3c4d5e6f',
      ' ---> 6f5e4d3c2b1a',
    ].join('\n');
    expect(statuses(trace(text))).toEqual(['Step 1/2 built', 'Step 2/2 built']);
  });
});

describe('truncated and interleaved logs', () => {
  it('a paste cut mid-step: what is visible, flagged truncated', () => {
    const cut = PLAIN.slice(0, PLAIN.indexOf('#7 0.225 hello') + 1).join('\n');
    const t = trace(cut);
    expect(t.truncated).toBe(true);
    // The step printed output before the cut: it ran, whatever came after.
    expect(statuses(t)).toEqual(['[1/3] cached', '[2/3] cached', '[3/3] built']);
    expect(t.steps[2]?.statusNote).toMatch(/the log ends while this step runs/);
  });
  it('PROGRESS_NO_TRUNC=0 names cut at 72 characters + `...`', () => {
    const name = '[2/2] RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl git';
    const cut = `${name.slice(0, 72)}...`;
    const t = trace(['#1 [internal] load build definition from Dockerfile', '#1 DONE 0.0s', `#5 ${cut}`, '#5 DONE 12.7s'].join('\n'));
    expect(t.steps[0]).toMatchObject({ truncated: true, instruction: cut.slice(6), durationS: 12.7, status: 'built' });
  });
  it('a second build after the first in one log: the first is read, the user is told', () => {
    const twice = [...PLAIN, '', ...PLAIN.map((l) => l.replace('#6 CACHED', '#6 DONE 0.1s'))].join('\n');
    const r = readLog(twice, 'ci.log');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(statuses(r.value)).toEqual(PLAIN_STATUSES);
    expect(r.problems?.[0]).toMatchObject({ input: 'ci.log', message: expect.stringMatching(/holds 2 builds/) });
  });
  it('two builds interleaved (same stage, two totals) are not merged: their steps are read as two builds', () => {
    const text = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#4 [1/3] FROM docker.io/library/alpine:3.19',
      '#4 DONE 0.0s',
      '#4 [1/4] FROM docker.io/library/debian:12',
      '#5 [2/3] RUN echo a',
      '#5 CACHED',
      '#5 [2/4] RUN apt-get update',
      '#4 DONE 0.0s',
      '#6 [3/3] RUN echo c',
      '#6 DONE 0.2s',
      '#5 DONE 3.1s',
    ].join('\n');
    const r = readLog(text, 'ci.log');
    if (!r.ok) throw new Error(r.problem.message);
    expect(r.value.steps.map((s) => `${s.label} ${s.instruction}`)).toEqual([
      '[1/3] FROM docker.io/library/alpine:3.19',
      '[2/3] RUN echo a',
      '[3/3] RUN echo c',
    ]);
    expect(r.problems?.[0]?.message).toMatch(/two builds interleaved/);
    expect(r.value.notes.some((n) => n.includes('two builds'))).toBe(true);
    const all = readLogBuilds(text, 'ci.log');
    if (!all.ok) throw new Error(all.problem.message);
    expect(all.value.map((t) => t.steps.map((s) => `${s.label} ${s.status}`))).toEqual([
      ['[1/3] cached', '[2/3] cached', '[3/3] built'],
      ['[1/4] cached', '[2/4] built'],
    ]);
  });
});

describe('other plain grammar', () => {
  it('interleaved vertices with `#N ...` switch markers and re-printed headers', () => {
    const text = [
      '#0 building with "ci" instance using docker-container driver',
      '#5 [build 2/3] RUN go mod download',
      '#5 0.512 go: downloading golang.org/x/sys v0.15.0',
      '#5 ...',
      '',
      '#6 [test 2/2] RUN go vet ./...',
      '#6 1.201 ok',
      '#6 DONE 1.3s',
      '',
      '#5 [build 2/3] RUN go mod download',
      '#5 4.100 go: downloading golang.org/x/net v0.19.0',
      '#5 DONE 4.2s',
      '',
      '#7 [build 3/3] RUN go build ./...',
      '#7 WARN: no-op',
      '#7 DONE 9.0s',
    ].join('\n');
    const t = trace(text);
    expect(t.builder).toMatchObject({ name: 'ci', driver: 'docker-container', era: 'buildkit-modern' });
    expect(t.steps.find((s) => s.label === '[build 2/3]')).toMatchObject({ status: 'built', durationS: 4.2, vertices: [5] });
    expect(t.steps.find((s) => s.label === '[build 2/3]')?.output).toHaveLength(2);
    expect(t.warnings).toEqual(['no-op']);
  });
  it('Docker 18.09 field lines (`#N       cached: true`)', () => {
    const text = [
      '#1 [internal] load build definition from Dockerfile',
      '#1       digest: sha256:5f87614f8ff3bd8ce0eaafe9875763879f9ed267c2906f707375559350cc42a8',
      '#1         name: "[internal] load build definition from Dockerfile"',
      '#1      started: 2019-01-08 14:55:17.093395716 +0000 UTC',
      '#1    completed: 2019-01-08 14:55:17.094102523 +0000 UTC',
      '#1     duration: 706.807µs',
      '',
      '#4 [2/3] RUN apk add --no-cache curl',
      '#4       digest: sha256:1c8763bd6ac876127690961b13e7d00330fc4e2ae3900609fd226143121b8733',
      '#4         name: "[2/3] RUN apk add --no-cache curl"',
      '#4      started: 2019-01-08 14:55:17.2 +0000 UTC',
      '#4    completed: 2019-01-08 14:55:17.2 +0000 UTC',
      '#4     duration: 0s',
      '#4       cached: true',
      '',
      '#5 [3/3] COPY . /app',
      '#5       digest: sha256:32bf61dcb4f3743dfbd123a7108c1f61bfbed78b186bb26d0e660778b3835284',
      '#5         name: "[3/3] COPY . /app"',
      '#5      started: 2019-01-08 14:55:17.3 +0000 UTC',
      '#5    completed: 2019-01-08 14:55:17.5 +0000 UTC',
      '#5     duration: 200.1ms',
    ].join('\n');
    const t = trace(text);
    expect(t.builder.era).toBe('buildkit-old');
    expect(t.steps.map((s) => [s.label, s.status, s.durationS])).toEqual([
      ['[2/3]', 'cached', 0],
      ['[3/3]', 'built', 0.2001],
    ]);
    expect(t.steps[1]?.digest).toBe('sha256:32bf61dcb4f3743dfbd123a7108c1f61bfbed78b186bb26d0e660778b3835284');
  });
  it('a helper vertex under a step label (`LINK`) is neither a step nor a second build', () => {
    const text = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#7 [3/5] COPY --link app.conf /etc/app.conf',
      '#7 DONE 0.0s',
      '#8 [3/5] LINK COPY --link app.conf /etc/app.conf',
      '#8 DONE 0.0s',
    ].join('\n');
    const r = readLog(text, 'link.log');
    expect(r.ok && r.value.steps.map((s) => s.instruction)).toEqual(['COPY --link app.conf /etc/app.conf']);
    expect(r.ok && r.problems).toBeUndefined();
  });
  it('multi-platform builds keep one step per platform', () => {
    const text = [
      '#1 [internal] load build definition from Dockerfile',
      '#1 DONE 0.0s',
      '#8 [linux/amd64 builder 2/2] RUN make',
      '#8 DONE 3.0s',
      '#9 [linux/arm64 builder 2/2] RUN make',
      '#9 CACHED',
    ].join('\n');
    const r = readLog(text, 'multi.log');
    expect(r.ok && r.value.steps.map((s) => [s.platform, s.stage, s.status])).toEqual([
      ['linux/amd64', 'builder', 'built'],
      ['linux/arm64', 'builder', 'cached'],
    ]);
    expect(r.ok && r.problems).toBeUndefined();
  });
});

describe('input that is not a build log', () => {
  const cases: [string, string][] = [
    ['README.md', '# cachewhy\n\nWhy did BuildKit rebuild this step?\n\n## Usage\n\n    npx cachewhy a.log b.log\n'],
    ['Dockerfile', 'FROM alpine:3.19\nRUN echo hi\nCOPY . /app\n'],
    ['package.json', '{\n  "name": "x",\n  "version": "1.0.0"\n}\n'],
    ['random.bin', String.fromCharCode(...Array.from({ length: 512 }, (_, i) => (i * 7919) % 256))],
    ['empty.log', ''],
    ['blank.log', '\n\n   \n'],
  ];
  it.each(cases)('%s → a problem naming the input, with a hint', (name, text) => {
    const r = readLog(text, name);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problem.input).toBe(name);
    expect(r.problem.message).toContain(name);
    expect(r.problem.hint).toMatch(/--progress=plain/);
    expect(sniffLogFormat(text)).toBeNull();
  });
  it('sniffs every format by content', () => {
    const want: [string, LogFormat][] = [
      [PLAIN.join('\n'), 'buildkit-plain'],
      ['[+] Building 1.0s (2/2) FINISHED\n => [1/2] FROM docker.io/library/alpine  0.0s\n', 'buildkit-tty'],
      ['{"vertexes":[{"digest":"sha256:1","name":"[1/1] FROM x"}]}\n', 'buildkit-rawjson'],
      ['Step 1/1 : FROM alpine\n ---> 05455a08881e\n', 'legacy'],
    ];
    for (const [text, format] of want) expect(sniffLogFormat(text)).toBe(format);
  });
});

describe('hostile or broken input stays linear', () => {
  // Each of these took minutes or exhausted memory with a naive regex or screen model.
  const cases: [string, string][] = [
    ['a vertex name of 200k digits', `#1 [${'1'.repeat(200_000)}\n#1 DONE 0.1s\n#2 [internal] load build context\n#2 DONE 0.0s`],
    ['200k unterminated OSC escapes on one line', `#1 [1/1] FROM x\n#1 DONE 0.0s\n${'\x1b]'.repeat(100_000)}`],
    ['cursor moved a billion lines down and columns right', `[+] Building 1.0s (1/1) FINISHED\n\x1b[999999999B\x1b[999999999G => [1/1] FROM x  0.0s\n\x1b[1A`],
    ['200k GitHub-link openings without a close', `#1 [1/1] FROM x\n#1 DONE 0.0s\n#1 0.1 ${'[1](https://github.com/a/b/'.repeat(20_000)}#step:1:1 `],
  ];
  it.each(cases)('%s', (_name, text) => {
    const t0 = performance.now();
    const r = readLog(text, 'hostile.log');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(typeof r.ok).toBe('boolean');
  });
});

describe('size limits', () => {
  it('a log with more vertices than any real build is read up to the limit, and says so', () => {
    const lines: string[] = [];
    for (let n = 1; n <= 25_000; n++) lines.push(`#${n} [${n}/25000] RUN echo ${n}`, `#${n} DONE 0.0s`);
    const r = readLog(lines.join('\n'), 'huge.log');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.steps).toHaveLength(20_000);
    expect(r.value.truncated).toBe(true);
    expect(r.value.notes.some((n) => n.startsWith('More than 20000 vertices'))).toBe(true);
  });
});
