/**
 * Situations the lab fixtures do not cover, written as small plain BuildKit logs (the grammar of the
 * real ones) and Dockerfiles, read by the real readers: label quirks, identical builder output, another
 * builder, proxy and declared-but-unused build args, a failed cache import, --no-cache-filter, LABEL edits.
 */
import { describe, expect, it } from 'vitest';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { diagnose, type DiagnoseInput } from '../../../src/core/explain/index.ts';
import { readLog } from '../../../src/core/log/index.ts';
import { cmd, D1, D2, trace, type LogSpec, type Result } from './synthetic.ts';

describe('alignment', () => {
  it('matches a log that prints `stage-0` (RUN --mount) against a single-stage Dockerfile', () => {
    const df = 'FROM alpine:3.19\nRUN --mount=type=cache,target=/root/.cache pip install -r /r.txt\nRUN echo done\n';
    const spec = (r: Result): LogSpec => ({
      steps: [
        ['[stage-0 1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[stage-0 2/3]', 'RUN --mount=type=cache,target=/root/.cache pip install -r /r.txt', r],
        ['[stage-0 3/3]', 'RUN echo done', r],
      ],
    });
    const d = diagnose({ traces: [trace(spec('CACHED'), 'a.log'), trace(spec('DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.steps).toHaveLength(3);
    expect(d.first_miss).toMatchObject({ index: 2 });
    expect(d.steps.find((s) => s.index === 3)?.role).toBe('cascade');
    expect(d.warnings?.filter((w) => w.kind === 'input')).toEqual([]);
  });

  it('matches texts cut by the terminal and texts with variables expanded, and reports a text that does not match', () => {
    const df = 'FROM alpine:3.19\nARG VERSION=1\nRUN echo "building version $VERSION of the application with a long command line" > /v.txt\n';
    const a = trace(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/2]', 'RUN echo "building version 1 of the applicati...', 'CACHED'],
        ],
      },
      'a.log',
    );
    const b = trace(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/2]', 'RUN echo something else entirely', 'DONE'],
        ],
      },
      'b.log',
    );
    const d = diagnose({ traces: [a, b], plans: [readDockerfile(df, 'Dockerfile')] });
    const mismatches = d.warnings!.filter((w) => w.kind === 'input').map((w) => w.message);
    expect(mismatches).toHaveLength(1);
    expect(mismatches[0]).toMatch(/^b\.log shows \[2\/2\] as `RUN echo something else entirely`/);
  });

  it('compares one compose service when a log builds several (their labels collide)', () => {
    const log = (web: Result, worker: Result) =>
      [
        '#1 [web internal] load build definition from Dockerfile',
        '#1 DONE 0.0s',
        '',
        '#2 [worker internal] load build definition from Dockerfile',
        '#2 DONE 0.0s',
        '',
        '#3 [web 1/2] FROM docker.io/library/node:20',
        '#3 CACHED',
        '',
        '#4 [worker 1/2] FROM docker.io/library/python:3.12',
        '#4 CACHED',
        '',
        '#5 [web 2/2] RUN npm ci',
        `#5 ${web === 'CACHED' ? 'CACHED' : 'DONE 3.1s'}`,
        '',
        '#6 [worker 2/2] RUN pip install -r requirements.txt',
        `#6 ${worker === 'CACHED' ? 'CACHED' : 'DONE 9.0s'}`,
        '',
      ].join('\n');
    const read = (text: string, source: string) => {
      const r = readLog(text, source);
      if (!r.ok) throw new Error(r.problem.message);
      return r.value;
    };
    const d = diagnose({ traces: [read(log('CACHED', 'CACHED'), 'a.log'), read(log('DONE', 'CACHED'), 'b.log')], plans: [] });
    expect(d.steps.map((s) => s.instruction)).toEqual(['FROM docker.io/library/node:20', 'RUN npm ci']);
    expect(d.first_miss).toMatchObject({ index: 2, instruction: 'RUN npm ci' });
    expect(d.warnings?.some((w) => /2 compose services or bake targets \(web, worker\); only web is compared/.test(w.message))).toBe(true);
  });

  it('never aligns by #N or digest: the same step printed with other vertex numbers and digests is one row', () => {
    const a = trace(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED', D1],
          ['[2/2]', 'COPY app /app', 'CACHED', D1],
        ],
      },
      'a.log',
    );
    const b = trace(
      {
        imports: [{ ref: 'r/x:cache', ok: true }],
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED', D2],
          ['[2/2]', 'COPY app /app', 'CACHED', D2],
        ],
      },
      'b.log',
    );
    const d = diagnose({ traces: [a, b], plans: [] });
    expect(d.steps.map((s) => `${s.index}:${s.status_by_build.join(',')}`)).toEqual(['1:cached,cached', '2:cached,cached']);
    expect(d.first_miss).toBeNull();
  });
});

describe('root misses and cascade', () => {
  const df = 'FROM alpine:3.19 AS builder\nCOPY src/ /src/\nRUN make\n\nFROM alpine:3.19\nCOPY --from=builder /out /out\nRUN ./out/test\n';
  const steps = (builder: Result, copyFrom: Result, last: Result): LogSpec['steps'] => [
    ['[builder 1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
    ['[builder 2/3]', 'COPY src/ /src/', builder],
    ['[builder 3/3]', 'RUN make', builder],
    ['[stage-1 2/3]', 'COPY --from=builder /out /out', copyFrom],
    ['[stage-1 3/3]', 'RUN ./out/test', last],
  ];

  it('a builder stage that rebuilt to identical output keeps COPY --from cached; a later miss is its own root', () => {
    const a = trace({ steps: steps('CACHED', 'CACHED', 'CACHED') }, 'a.log');
    const b = trace({ steps: steps('DONE', 'CACHED', 'DONE') }, 'b.log');
    const d = diagnose({ traces: [a, b], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.root_misses.map((r) => `${r.stage} ${r.index}`)).toEqual(['builder 2', 'stage-1 3']);
    expect(d.steps.find((s) => s.stage === 'stage-1' && s.index === 2)?.role).toBe('cached');
    expect(d.causes.some((c) => c.kind === 'upstream-rebuilt')).toBe(false);
  });

  it('a COPY --from that missed after its builder rebuilt is cascade of the builder root', () => {
    const a = trace({ steps: steps('CACHED', 'CACHED', 'CACHED') }, 'a.log');
    const b = trace({ steps: steps('DONE', 'DONE', 'DONE') }, 'b.log');
    const d = diagnose({ traces: [a, b], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.root_misses.map((r) => `${r.stage} ${r.index}`)).toEqual(['builder 2']);
    expect(d.steps.find((s) => s.stage === 'stage-1' && s.index === 3)?.because_of).toEqual({ stage: 'builder', index: 2 });
    expect(d.causes.find((c) => c.kind === 'upstream-rebuilt')?.summary).toMatch(/stage builder rebuilt/);
  });
});

describe('COPY --link where it does isolate its layer (containerd image store)', () => {
  it('a linked COPY that stayed CACHED does not make the RUN after it a root: it still builds on the rebuilt state', () => {
    const df = 'FROM alpine:3.19\nRUN apk add curl\nCOPY --link app.conf /etc/app.conf\nRUN cat /etc/app.conf\n';
    const s = (r: Result, link: Result): LogSpec => ({
      steps: [
        ['[1/4]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[2/4]', 'RUN apk add curl', r],
        ['[3/4]', 'COPY --link app.conf /etc/app.conf', link],
        ['[4/4]', 'RUN cat /etc/app.conf', r],
      ],
    });
    const d = diagnose({ traces: [trace(s('CACHED', 'CACHED'), 'a.log'), trace(s('DONE', 'CACHED'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.root_misses.map((r) => r.index)).toEqual([2]);
    expect(d.steps.find((x) => x.index === 4)).toMatchObject({ role: 'cascade', because_of: { stage: null, index: 2 } });
  });
});

describe('a stage built FROM another stage', () => {
  it('its first step is cascade of the base stage and named as upstream-rebuilt', () => {
    const df = 'FROM alpine:3.19 AS base\nRUN apk add curl\n\nFROM base\nRUN curl --version\n';
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[base 1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[base 2/2]', 'RUN apk add curl', r],
        ['[stage-1 1/1]', 'RUN curl --version', r],
      ],
    });
    const d = diagnose({ traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.root_misses.map((r) => `${r.stage} ${r.index}`)).toEqual(['base 2']);
    expect(d.steps.find((x) => x.stage === 'stage-1')).toMatchObject({ role: 'cascade', because_of: { stage: 'base', index: 2 } });
    expect(d.causes.find((c) => c.kind === 'upstream-rebuilt')?.summary).toMatch(/stage base rebuilt/);
  });
});

describe('causes the fixtures do not show', () => {
  const df = 'FROM alpine:3.19\nARG BUILD_ID\nRUN apk add curl\nRUN echo "$BUILD_ID" > /id\n';
  const spec = (r: Result, builder = 'default'): LogSpec => ({
    builder,
    steps: [
      ['[1/3]', 'FROM docker.io/library/alpine:3.19@sha256:' + 'a'.repeat(64), 'CACHED'],
      ['[2/3]', 'RUN apk add curl', r, D1],
      ['[3/3]', 'RUN echo "x" > /id', r],
    ],
  });
  const input = (a: LogSpec, b: LogSpec, ca: string, cb: string): DiagnoseInput => ({
    traces: [trace(a, 'a.log'), trace(b, 'b.log')],
    plans: [readDockerfile(df, 'Dockerfile')],
    commands: [cmd(ca), cmd(cb)],
  });

  it('a declared ARG whose value changed misses the next RUN although it never reads it, and moving the ARG down is suggested', () => {
    const d = diagnose(input(spec('CACHED'), spec('DONE'), 'docker build --build-arg BUILD_ID=1 .', 'docker build --build-arg BUILD_ID=2 .'));
    expect(d.first_miss).toMatchObject({ index: 2 });
    expect(d.causes[0]).toMatchObject({ kind: 'build-arg-changed', confidence: 'high' });
    expect(d.causes[0]!.summary).toMatch(/never used/);
    expect(d.causes[0]!.evidence).toContain('--build-arg BUILD_ID=1 → --build-arg BUILD_ID=2');
    expect(d.suggestions?.find((s) => /Move `ARG BUILD_ID` down/.test(s.title))?.detail).toMatch(/right before \[3\/3\]/);
  });

  it('a changed proxy build arg is not blamed, and the cache was unavailable on another builder', () => {
    const d = diagnose(
      input(
        spec('CACHED', 'default'),
        spec('DONE', 'ci-runner-7'),
        'docker build --build-arg HTTP_PROXY=http://a:3128 .',
        'docker build --build-arg HTTP_PROXY=http://b:3128 .',
      ),
    );
    expect(d.causes[0]).toMatchObject({ kind: 'cache-unavailable', confidence: 'high' });
    const evidence = d.causes[0]!.evidence.join('\n');
    expect(evidence).toMatch(/builder: "default" .* → "ci-runner-7"/);
    expect(evidence).toMatch(/HTTP_PROXY.*proxy arg, kept out of cache keys: not the cause/);
    expect(d.causes.some((c) => c.kind === 'build-arg-changed')).toBe(false);
  });

  it('equal digests on a step with no context upstream and a base pinned by digest leave only a missing cache', () => {
    const d = diagnose(input(spec('CACHED'), spec('DONE'), 'docker build .', 'docker build .'));
    expect(d.causes[0]).toMatchObject({ kind: 'cache-unavailable', confidence: 'high' });
    expect(d.causes[0]!.evidence.join('\n')).toMatch(/same vertex digest sha256:111111111111… in both logs/);
    expect(d.hash_notes?.find((h) => h.step.index === 2)?.explanation).toMatch(/It still missed/);
  });

  it('--no-cache-filter on the stage is named as the cause', () => {
    const df2 = 'FROM alpine:3.19 AS deps\nRUN apk add curl\n\nFROM deps\nRUN echo hi\n';
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[deps 1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[deps 2/2]', 'RUN apk add curl', r],
        ['[stage-1 1/1]', 'RUN echo hi', r],
      ],
    });
    const d = diagnose({
      traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')],
      plans: [readDockerfile(df2, 'Dockerfile')],
      commands: [cmd('docker buildx build .'), cmd('docker buildx build --no-cache-filter deps .')],
    });
    expect(d.causes[0]).toMatchObject({ kind: 'no-cache', confidence: 'high' });
    expect(d.root_misses).toHaveLength(1);
  });

  it('a cache import that failed only in the later build is quoted as evidence', () => {
    const a = { ...spec('CACHED'), imports: [{ ref: 'reg/app:cache', ok: true }] };
    const b = { ...spec('DONE'), imports: [{ ref: 'reg/app:cache', ok: false }] };
    const d = diagnose(input(a, b, 'docker build --cache-from reg/app:cache .', 'docker build --cache-from reg/app:cache .'));
    expect(d.causes[0]!.kind).toBe('cache-unavailable');
    expect(d.causes[0]!.evidence).toContain('b.log: importing cache manifest from reg/app:cache → ERROR: reg/app:cache: not found');
  });

  it('a LABEL edit is not an instruction change (LABEL never enters a key)', () => {
    const before = 'FROM alpine:3.19\nLABEL version=1\nRUN apk add curl\nRUN echo ok\n';
    const after = 'FROM alpine:3.19\nLABEL version=2\nRUN apk add curl\nRUN echo ok\n';
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[2/3]', 'RUN apk add curl', r],
        ['[3/3]', 'RUN echo ok', r],
      ],
    });
    const d = diagnose({
      traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')],
      plans: [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')],
    });
    expect(d.causes.some((c) => c.kind === 'instruction-changed')).toBe(false);
    // Every step ran while the FROM printed CACHED: the --no-cache pattern, tied with a missing cache.
    expect(d.causes.slice(0, 2).map((c) => c.kind)).toEqual(['no-cache', 'cache-unavailable']);
    expect(d.causes[0]!.confidence).toBe(d.causes[1]!.confidence);
  });

  it('an ARG default edited between the Dockerfiles misses the RUN after it', () => {
    const before = 'FROM alpine:3.19\nARG LEVEL=1\nRUN apk add curl\n';
    const after = 'FROM alpine:3.19\nARG LEVEL=2\nRUN apk add curl\n';
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[2/2]', 'RUN apk add curl', r],
      ],
    });
    const d = diagnose({
      traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')],
      plans: [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')],
    });
    expect(d.causes[0]).toMatchObject({ kind: 'instruction-changed', confidence: 'high' });
    expect(d.causes[0]!.summary).toMatch(/ARG LEVEL default: 1 → 2/);
  });

  it('a step inserted into the Dockerfile is named as an insertion, and what follows is cascade', () => {
    const before = 'FROM alpine:3.19\nRUN apk add curl\nRUN make\n';
    const after = 'FROM alpine:3.19\nRUN apk add git\nRUN apk add curl\nRUN make\n';
    const a = trace(
      {
        steps: [
          ['[1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/3]', 'RUN apk add curl', 'CACHED'],
          ['[3/3]', 'RUN make', 'CACHED'],
        ],
      },
      'a.log',
    );
    const b = trace(
      {
        steps: [
          ['[1/4]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/4]', 'RUN apk add git', 'DONE'],
          ['[3/4]', 'RUN apk add curl', 'DONE'],
          ['[4/4]', 'RUN make', 'DONE'],
        ],
      },
      'b.log',
    );
    const d = diagnose({ traces: [a, b], plans: [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')] });
    expect(d.first_miss).toMatchObject({ index: 2, instruction: 'RUN apk add git' });
    expect(d.causes[0]).toMatchObject({ kind: 'instruction-changed', confidence: 'high' });
    expect(d.causes[0]!.summary).toMatch(/a step was inserted here in Dockerfile\.b/);
    expect(d.steps.find((s) => s.index === 3)?.role).toBe('cascade');
  });

  it('two builds that both ran everything: the later build missed what the earlier one left in the cache', () => {
    // The earlier build's results were cached when it ended; running the same step again is a miss (the
    // forum case: every Jenkins build reran ADD .aws), explained by what changed or by a lost cache.
    const s: LogSpec = {
      steps: [
        ['[1/3]', 'FROM docker.io/library/alpine:3.19', 'DONE'],
        ['[2/3]', 'RUN apk add curl', 'DONE'],
        ['[3/3]', 'RUN make', 'DONE'],
      ],
    };
    const d = diagnose({ traces: [trace(s, 'a.log'), trace(s, 'b.log')], plans: [] });
    expect(d.first_miss).toMatchObject({ index: 2 });
    expect(d.causes.map((c) => c.kind)).toContain('cache-unavailable');
    expect(d.verdict).toMatch(/^Step 2\/3 `RUN apk add curl` missed because .*not available/);
  });

  it('sources that are not the build context: ADD <url> and COPY --from=<image>', () => {
    const df = 'FROM alpine:3.19\nADD https://example.com/tool.tgz /tmp/\nCOPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t\n';
    const s = (add: Result, copy: Result): LogSpec => ({
      steps: [
        ['[1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[2/3]', 'ADD https://example.com/tool.tgz /tmp/', add],
        ['[3/3]', 'COPY --from=ghcr.io/acme/tools:1 /bin/t /usr/bin/t', copy],
      ],
    });
    const plan = readDockerfile(df, 'Dockerfile');
    const url = diagnose({ traces: [trace(s('CACHED', 'CACHED'), 'a.log'), trace(s('DONE', 'DONE'), 'b.log')], plans: [plan] });
    expect(url.causes[0]).toMatchObject({ kind: 'context-changed', confidence: 'medium' });
    expect(url.causes[0]!.summary).toMatch(/downloads its source.*--checksum/);
    const image = diagnose({ traces: [trace(s('CACHED', 'CACHED'), 'a.log'), trace(s('CACHED', 'DONE'), 'b.log')], plans: [plan] });
    expect(image.first_miss).toMatchObject({ index: 3 });
    expect(image.causes[0]).toMatchObject({ kind: 'base-image-changed' });
    expect(image.causes[0]!.summary).toMatch(/copies from the image `ghcr\.io\/acme\/tools:1`/);
  });

  it('an ENV edit that a COPY expands in its path is an instruction change of that COPY', () => {
    const before = 'FROM alpine:3.19\nENV CONF=dev.conf\nCOPY $CONF /etc/app.conf\n';
    const after = 'FROM alpine:3.19\nENV CONF=prod.conf\nCOPY $CONF /etc/app.conf\n';
    const a = trace(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/2]', 'COPY dev.conf /etc/app.conf', 'CACHED'],
        ],
      },
      'a.log',
    );
    const b = trace(
      {
        steps: [
          ['[1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
          ['[2/2]', 'COPY prod.conf /etc/app.conf', 'DONE'],
        ],
      },
      'b.log',
    );
    const d = diagnose({ traces: [a, b], plans: [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')] });
    expect(d.causes[0]).toMatchObject({ kind: 'instruction-changed', confidence: 'high' });
    expect(d.causes[0]!.summary).toMatch(/ENV CONF: dev\.conf → prod\.conf/);
  });

  it('an edited line built with --no-cache: both causes hold, and neither is called indistinguishable', () => {
    const before = 'FROM alpine:3.19\nRUN apk add curl\nRUN make\n';
    const after = 'FROM alpine:3.19\nRUN apk add curl git\nRUN make\n';
    const s = (second: string, r: Result): LogSpec => ({
      steps: [
        ['[1/3]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[2/3]', second, r],
        ['[3/3]', 'RUN make', r],
      ],
    });
    const d = diagnose({
      traces: [trace(s('RUN apk add curl', 'CACHED'), 'a.log'), trace(s('RUN apk add curl git', 'DONE'), 'b.log')],
      plans: [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')],
      commands: [cmd('docker build .'), cmd('docker build --no-cache .')],
    });
    expect(
      d.causes
        .slice(0, 2)
        .map((c) => `${c.kind}/${c.confidence}`)
        .sort(),
    ).toEqual(['instruction-changed/high', 'no-cache/high']);
    expect(d.causes[0]!.summary).toMatch(/either alone misses this step/);
    expect(d.verdict).toMatch(/either alone misses it/);
    expect(d.verdict).not.toMatch(/cannot tell/);
  });

  it('a builder stage that misses for a missing cache gets the mode=max advice', () => {
    const df = 'FROM golang:1.22 AS build\nRUN go build ./...\n\nFROM alpine:3.19\nCOPY --from=build /out /out\n';
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[build 1/2]', 'FROM docker.io/library/golang:1.22@sha256:' + 'b'.repeat(64), 'CACHED'],
        ['[build 2/2]', 'RUN go build ./...', r, D2],
        ['[stage-1 1/2]', 'FROM docker.io/library/alpine:3.19@sha256:' + 'c'.repeat(64), 'CACHED'],
        ['[stage-1 2/2]', 'COPY --from=build /out /out', r],
      ],
    });
    const d = diagnose({ traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] });
    expect(d.causes[0]).toMatchObject({ kind: 'cache-unavailable', confidence: 'high', step: { stage: 'build', index: 2 } });
    expect(d.suggestions?.find((x) => x.title === 'Export the cache with mode=max')?.detail).toMatch(/--cache-to type=registry,ref=.*mode=max/);
  });

  it('no input: a verdict that asks for logs instead of an exception', () => {
    const d = diagnose({ traces: [], plans: [] });
    expect(d.first_miss).toBeNull();
    expect(d.verdict).toMatch(/No build log/);
  });
});

describe('RUN --mount without type= is a bind mount of the context', () => {
  // BuildKit's default mount type is bind: `--mount=target=/src` mounts the build context, so the step is
  // keyed on the mounted files' checksum just as `--mount=type=bind` is; a cache mount is not.
  const miss = (mount: string): ReturnType<typeof diagnose> => {
    const df = `FROM alpine:3.19\nRUN ${mount} make -C /src\n`;
    const s = (r: Result): LogSpec => ({
      steps: [
        ['[stage-0 1/2]', 'FROM docker.io/library/alpine:3.19', 'CACHED'],
        ['[stage-0 2/2]', `RUN ${mount} make -C /src`, r],
      ],
    });
    return diagnose({ traces: [trace(s('CACHED'), 'a.log'), trace(s('DONE'), 'b.log')], plans: [readDockerfile(df, 'Dockerfile')] });
  };
  it.each(['--mount=target=/src', '--mount=type=bind,target=/src', '--mount=source=.,target=/src'])('%s reads the context', (mount) => {
    expect(miss(mount).causes.map((c) => c.kind)).toContain('context-changed');
  });
  it.each(['--mount=type=cache,target=/src', '--mount=type=bind,from=builder,target=/src'])('%s does not', (mount) => {
    expect(miss(mount).causes.map((c) => c.kind)).not.toContain('context-changed');
  });
});
