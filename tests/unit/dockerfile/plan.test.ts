/**
 * Hand-made Dockerfiles for the rules the fixtures do not exercise: ARG scoping, ENV inheritance,
 * --from edges, heredocs, directives, scratch, ONBUILD, and inputs that are not Dockerfiles.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findPlanStep,
  formatStepLabel,
  instructionMatches,
  isPredefinedProxyArg,
  matchPrintedStep,
  normalizeImageRef,
  planStepKey,
  readDockerfile,
} from '../../../src/core/dockerfile/index.ts';
import type { BuildPlan, PlanStep } from '../../../src/core/model.ts';

function plan(text: string, opts: Parameters<typeof readDockerfile>[2] = {}): BuildPlan {
  return readDockerfile(text, 'Dockerfile', opts);
}

function step(p: BuildPlan, label: string): PlanStep {
  const s = p.steps.find((x) => x.label === label);
  if (!s) throw new Error(`no step ${label} in ${p.steps.map((x) => x.label).join(', ')}`);
  return s;
}

describe('step labels', () => {
  it.each([
    [null, 2, 34, '[ 2/34]'],
    ['stage-0', 2, 34, '[stage-0  2/34]'],
    ['builder', 3, 3, '[builder 3/3]'],
    [null, 10, 10, '[10/10]'],
    [null, 7, 100, '[  7/100]'],
  ] as const)('stage %s, %d of %d prints %s', (stage, index, total, expected) => {
    expect(formatStepLabel(stage, index, total)).toBe(expected);
  });

  it('pads every index of a 10-step stage to two digits', () => {
    const lines = ['FROM alpine', ...Array.from({ length: 9 }, (_, i) => `RUN echo ${i}`)];
    const p = plan(lines.join('\n'));
    expect(p.steps.map((s) => s.label.slice(0, 7))).toEqual([
      '[ 1/10]',
      '[ 2/10]',
      '[ 3/10]',
      '[ 4/10]',
      '[ 5/10]',
      '[ 6/10]',
      '[ 7/10]',
      '[ 8/10]',
      '[ 9/10]',
      '[10/10]',
    ]);
  });

  it('omits the stage for a single stage, prints it for several', () => {
    expect(plan('FROM alpine\nRUN true').steps.map((s) => s.stage)).toEqual([null, null]);
    const two = plan('FROM alpine AS a\nRUN true\nFROM alpine\nRUN false');
    expect(two.steps.map((s) => s.label)).toEqual(['[a 1/2]', '[a 2/2]', '[stage-1 1/2]', '[stage-1 2/2]']);
  });

  it('prints stage-0 for a single stage that uses RUN --mount or COPY --from an image', () => {
    expect(plan('FROM alpine\nRUN --mount=type=secret,id=x cat /run/secrets/x').steps[1]?.label).toBe('[stage-0 2/2]');
    expect(plan('FROM alpine\nCOPY --from=busybox /bin/busybox /bb').steps[1]?.label).toBe('[stage-0 2/2]');
  });

  it('in the v0.8 era only cache mounts and mounts with from= add the hidden stage', () => {
    const secret = 'FROM alpine\nRUN --mount=type=secret,id=x cat /run/secrets/x';
    expect(plan(secret, { era: 'buildkit-v0.8' }).steps[1]?.label).toBe('[2/2]');
    const cache = 'FROM alpine\nRUN --mount=type=cache,target=/c ls /c';
    expect(plan(cache, { era: 'buildkit-v0.8' }).steps[1]?.label).toBe('[stage-0 2/2]');
  });

  it('names stages in lower case, as BuildKit does', () => {
    expect(plan('FROM alpine AS Builder\nRUN true\nFROM builder\nRUN x').stages.map((s) => s.label)).toEqual(['builder', 'stage-1']);
  });
});

describe("step names asserted by BuildKit's own integration test (dockerfile_core_test.go testStepNames)", () => {
  it('numbers a FROM scratch stage without its FROM and a named stage with WORKDIR', () => {
    const p = plan('FROM busybox AS base\nWORKDIR /out\nRUN echo "base" > base\nFROM scratch\nCOPY --from=base --chmod=0644 /out /out\n');
    const names = p.steps.map((s) => `${s.label} ${s.instruction}`);
    expect(names).toContain('[base 3/3] RUN echo "base" > base');
    expect(names).toContain('[stage-1 1/1] COPY --from=base --chmod=0644 /out /out');
  });
});

describe('which instructions are steps', () => {
  it('counts FROM, RUN, COPY, ADD, WORKDIR and not ENV, ARG, LABEL, EXPOSE, USER, CMD, ENTRYPOINT', () => {
    const p = plan(
      [
        'FROM alpine',
        'ENV A=1',
        'ARG B',
        'LABEL x=y',
        'EXPOSE 80',
        'USER nobody',
        'WORKDIR /app',
        'COPY a b',
        'ADD c d',
        'RUN e',
        'CMD ["x"]',
        'ENTRYPOINT ["y"]',
      ].join('\n'),
    );
    expect(p.steps.map((s) => s.keyword)).toEqual(['FROM', 'WORKDIR', 'COPY', 'ADD', 'RUN']);
    expect(p.steps.every((s) => s.total === 5)).toBe(true);
    expect(p.directives.map((d) => d.keyword)).toEqual(['ENV', 'ARG', 'LABEL', 'EXPOSE', 'USER', 'CMD', 'ENTRYPOINT']);
  });

  it('does not count FROM scratch', () => {
    const p = plan('FROM scratch\nCOPY a /a');
    expect(p.steps.map((s) => [s.label, s.instruction])).toEqual([['[1/1]', 'COPY a /a']]);
  });

  it('does not count the FROM of a stage built FROM an earlier stage, and links it', () => {
    const p = plan('FROM alpine AS base\nRUN a\nFROM base AS app\nRUN b');
    expect(p.stages[1]?.baseStage).toBe(0);
    expect(p.steps.filter((s) => s.stagePosition === 1).map((s) => s.label)).toEqual(['[app 1/1]']);
  });

  it('counts WORKDIR / in the total but prints no step for it (no mkdir)', () => {
    const p = plan('FROM alpine\nWORKDIR /\nRUN a');
    expect(p.steps.map((s) => s.label)).toEqual(['[1/3]', '[2/3]']);
    expect(p.steps[1]?.instruction).toBe('RUN a');
  });

  const onbuild = 'FROM alpine AS base\nONBUILD RUN echo trigger\nONBUILD ENV T=1\nRUN a\nFROM base\nRUN b';

  it('runs a parent stage ONBUILD triggers first in a child stage; ONBUILD itself is no step', () => {
    const p = plan(onbuild);
    expect(p.directives.filter((d) => d.keyword === 'ONBUILD')).toHaveLength(2);
    // Current BuildKit counts every trigger in the total and prefixes them with ONBUILD.
    expect(p.steps.map((s) => `${s.label} ${s.instruction}`)).toEqual([
      '[base 1/2] FROM docker.io/library/alpine:latest',
      '[base 2/2] RUN a',
      '[stage-1 1/3] ONBUILD RUN echo trigger',
      '[stage-1 2/3] RUN b',
    ]);
    const trigger = step(p, '[stage-1 1/3]');
    expect(trigger.onbuild).toBe(true);
    expect(trigger.env).toEqual({});
    expect(step(p, '[stage-1 2/3]').env).toEqual({ T: '1' });
    expect(instructionMatches(trigger, 'ONBUILD RUN echo trigger')).toBe(true);
    expect(instructionMatches(trigger, 'RUN echo trigger')).toBe(true);
  });

  // v0.8 is the one era before v0.17 a log tells apart (see dockerfile/era.ts).
  it('before v0.17 (as in v0.8) the triggers were left out of the total, so indices run past it', () => {
    const p = plan(onbuild, { era: 'buildkit-v0.8' });
    expect(p.steps.filter((s) => s.stagePosition === 1).map((s) => `${s.label} ${s.instruction}`)).toEqual([
      '[stage-1 1/1] RUN echo trigger',
      '[stage-1 2/1] RUN b',
    ]);
  });
});

describe('instruction text as BuildKit prints it', () => {
  it('normalises FROM refs the way the FROM vertex is named', () => {
    expect(normalizeImageRef('ubuntu')).toBe('docker.io/library/ubuntu:latest');
    expect(normalizeImageRef('lab/base:1')).toBe('docker.io/lab/base:1');
    expect(normalizeImageRef('127.0.0.1:5000/lab/base:1')).toBe('127.0.0.1:5000/lab/base:1');
    expect(normalizeImageRef('localhost/x')).toBe('localhost/x:latest');
    expect(normalizeImageRef('alpine@sha256:' + 'a'.repeat(64))).toBe('docker.io/library/alpine@sha256:' + 'a'.repeat(64));
  });

  it('expands global ARGs in FROM, and build args override their defaults', () => {
    const text = 'ARG BASE=alpine\nARG TAG=3.19\nFROM ${BASE}:$TAG\nRUN true';
    expect(plan(text).stages[0]).toMatchObject({ baseRef: '${BASE}:$TAG', baseRefExpanded: 'alpine:3.19' });
    expect(plan(text).steps[0]?.instruction).toBe('FROM docker.io/library/alpine:3.19');
    expect(plan(text, { buildArgs: { TAG: '3.20' } }).stages[0]?.baseRefExpanded).toBe('alpine:3.20');
  });

  it('joins continuation lines as BuildKit does: escape dropped, indentation kept, comment lines gone', () => {
    const p = plan('FROM alpine\nRUN apt-get update && \\\n    # a comment\n    apt-get install -y curl\nRUN done');
    expect(p.steps[1]?.instruction).toBe('RUN apt-get update &&     apt-get install -y curl');
    expect([p.steps[1]?.line, p.steps[1]?.endLine]).toEqual([2, 4]);
    expect(p.steps[2]?.line).toBe(5);
  });

  it('RUN keeps quotes and unknown variables, expands declared ones', () => {
    const p = plan('FROM alpine\nARG V=1\nENV W=two\nRUN echo "$V" \'$W\' $W $HOME ${X:-d}');
    expect(p.steps[1]?.instruction).toBe('RUN echo "1" \'$W\' two $HOME ${X:-d}');
  });

  it('COPY drops quotes and expands unset variables to nothing', () => {
    const p = plan('FROM alpine\nENV D=/dst\nCOPY "a.txt" $UNSET/b $D/');
    expect(p.steps[1]?.instruction).toBe('COPY a.txt /b /dst/');
  });

  it('keeps flags as written and upper-cases only the keyword', () => {
    const p = plan('FROM alpine AS b\nRUN x\nfrom alpine\ncopy --from=b --chown=1:1 --chmod=755 /x /y');
    expect(step(p, '[stage-1 2/2]').instruction).toBe('COPY --from=b --chown=1:1 --chmod=755 /x /y');
  });

  it('prints a text that does not lex (an unclosed quote) unexpanded', () => {
    const p = plan('FROM alpine\nARG A=1\nRUN echo "$A');
    expect(p.steps[1]?.instruction).toBe('RUN echo "$A');
  });
});

describe('ARG scoping', () => {
  const text = [
    'ARG GLOBAL=g',
    'ARG SHARED=s',
    'FROM alpine',
    'RUN echo $GLOBAL',
    'ARG SHARED',
    'ARG LOCAL=l',
    'ARG NODEFAULT',
    'RUN echo $SHARED',
    'RUN echo unrelated',
  ].join('\n');

  it('global ARGs reach FROM only; the plan records them', () => {
    const p = plan(text);
    expect(p.globalArgs).toEqual({ GLOBAL: 'g', SHARED: 's' });
    expect(p.steps[1]?.instruction).toBe('RUN echo $GLOBAL');
    expect(p.steps[1]?.args).toEqual({});
  });

  it('a re-declared global ARG inherits its value; every later step carries every declared ARG, used or not', () => {
    const p = plan(text);
    expect(p.steps[2]?.instruction).toBe('RUN echo s');
    expect(p.steps[3]?.args).toEqual({ SHARED: 's', LOCAL: 'l', NODEFAULT: null });
  });

  it('build args override defaults; a build arg from the environment (null) is unknown', () => {
    const p = plan(text, { buildArgs: { LOCAL: 'x', NODEFAULT: 'y', SHARED: null, UNDECLARED: 'z' } });
    expect(p.steps[3]?.args).toEqual({ SHARED: null, LOCAL: 'x', NODEFAULT: 'y' });
    expect(p.globalArgs['SHARED']).toBeNull();
  });

  it('undeclared proxy build args stay out of args; declared ones are ordinary args', () => {
    const undeclared = plan('FROM alpine\nRUN a', { buildArgs: { http_proxy: 'http://p:3128' } });
    expect(undeclared.steps[1]?.args).toEqual({});
    const declared = plan('FROM alpine\nARG http_proxy\nRUN a', { buildArgs: { http_proxy: 'http://p:3128' } });
    expect(declared.steps[1]?.args).toEqual({ http_proxy: 'http://p:3128' });
  });

  it.each([
    ['HTTP_PROXY', true],
    ['https_proxy', true],
    ['Ftp_Proxy', true],
    ['no_proxy', true],
    ['ALL_PROXY', true],
    ['PROXY', false],
    ['HTTP_PROXY_X', false],
    ['REPO_HASH', false],
  ] as const)('isPredefinedProxyArg(%s) is %s', (name, expected) => {
    expect(isPredefinedProxyArg(name)).toBe(expected);
  });
});

describe('ENV', () => {
  it('is in effect for the steps after it, in order, expanded', () => {
    const p = plan('FROM alpine\nARG V=1\nRUN a\nENV A=x B="y z"\nENV C=$A-$V\nRUN b');
    expect(p.steps[1]?.env).toEqual({});
    expect(p.steps[2]?.env).toEqual({ A: 'x', B: 'y z', C: 'x-1' });
  });

  it('carries from a parent stage into a stage built FROM it (with its ARGs)', () => {
    const p = plan('FROM alpine AS base\nARG V=1\nENV A=parent\nRUN a\nFROM base\nENV B=child\nRUN echo $A $V');
    const child = p.steps.find((s) => s.stagePosition === 1);
    expect(child?.env).toEqual({ A: 'parent', B: 'child' });
    expect(child?.args).toEqual({ V: '1' });
    expect(child?.instruction).toBe('RUN echo parent 1');
  });

  it('expands all pairs of one ENV with the env from before it', () => {
    const p = plan('FROM alpine\nENV A=old\nENV A=new B=$A\nRUN x');
    expect(p.steps[1]?.env).toEqual({ A: 'new', B: 'old' });
  });

  it('reads the legacy `ENV key value with spaces` form and values continued over lines', () => {
    const p = plan('FROM alpine\nENV GREETING hello big world\nENV PATH=/a:\\\n/b X=1\nRUN x');
    expect(p.steps[1]?.env).toEqual({ GREETING: 'hello big world', PATH: '/a:/b', X: '1' });
  });

  it('does not leak into a sibling stage FROM an image', () => {
    const p = plan('FROM alpine AS a\nENV A=1\nRUN a\nFROM alpine\nRUN b');
    expect(p.steps.find((s) => s.stagePosition === 1 && s.keyword === 'RUN')?.env).toEqual({});
  });
});

describe('COPY and ADD sources', () => {
  const text = [
    'FROM golang AS build',
    'RUN go build',
    'FROM alpine',
    'COPY --from=build /out /a',
    'COPY --from=0 /out /b',
    'COPY --from=nginx:1 /etc/nginx /c',
    'COPY --link --chmod=600 --chown=1:2 x.txt y.txt /d/',
    'ADD https://example.com/f.tgz /e',
    'COPY ["with space.txt", "/f/"]',
  ].join('\n');
  const p = plan(text);
  const copies = p.steps.filter((s) => s.copy).map((s) => s.copy);

  it('resolves --from by name and by index to the stage, and leaves images alone', () => {
    expect(copies.slice(0, 3).map((c) => [c?.from, c?.fromStage])).toEqual([
      ['build', 0],
      ['0', 0],
      ['nginx:1', null],
    ]);
  });

  it('reads paths, dest, --link, --chmod, --chown, remote URLs and the JSON form', () => {
    expect(copies[3]).toEqual({
      paths: ['x.txt', 'y.txt'],
      from: null,
      fromStage: null,
      link: true,
      chmod: '600',
      chown: '1:2',
      exclude: [],
      parents: false,
      dest: '/d/',
      remote: false,
    });
    expect(copies[4]).toMatchObject({ paths: ['https://example.com/f.tgz'], remote: true });
    expect(copies[5]).toMatchObject({ paths: ['with space.txt'], dest: '/f/' });
  });

  it('expands declared variables in paths and keeps the ones only the base image could define', () => {
    const v = plan('FROM node\nARG SRC=app\nCOPY $SRC/package.json ${APP_HOME}/\nRUN x');
    expect(v.steps[1]?.copy).toMatchObject({ paths: ['app/package.json'], dest: '${APP_HOME}/' });
    expect(v.steps[1]?.instruction).toBe('COPY app/package.json /');
    expect(instructionMatches(v.steps[1] as PlanStep, 'COPY app/package.json /home/node/app/')).toBe(true);
  });

  it('reports a --from that names a later stage', () => {
    const bad = plan('FROM alpine AS a\nCOPY --from=b /x /y\nFROM alpine AS b\nRUN x');
    expect(bad.problems.map((x) => x.message).join(' ')).toMatch(/not defined before/);
  });

  it('marks stages the target does not need as unreachable', () => {
    const t = plan('FROM alpine AS a\nRUN a\nFROM alpine AS b\nRUN b\nFROM alpine AS c\nCOPY --from=a /x /y', { target: 'c' });
    expect(t.stages.map((s) => s.reachable)).toEqual([true, false, true]);
    const missing = plan('FROM alpine AS a\nRUN a', { target: 'nope' });
    expect(missing.problems[0]?.message).toMatch(/nope/);
  });
});

describe('heredocs', () => {
  const text = [
    'FROM alpine',
    'RUN <<EOF',
    'echo one',
    'echo two',
    'EOF',
    'RUN <<EOF bash',
    'echo three',
    'EOF',
    'COPY <<EOT /etc/x.conf',
    'key=value',
    'EOT',
    'RUN after',
  ].join('\n');
  const p = plan(text);

  it('spans the body: line and endLine cover it, and the next step starts after the terminator', () => {
    expect(p.steps.map((s) => [s.keyword, s.line, s.endLine, s.heredoc])).toEqual([
      ['FROM', 1, 1, false],
      ['RUN', 2, 5, true],
      ['RUN', 6, 8, true],
      ['COPY', 9, 11, true],
      ['RUN', 12, 12, false],
    ]);
  });

  it('names a single-heredoc RUN with its first body line; a heredoc with a command after it without', () => {
    expect(p.steps[1]?.instruction).toBe('RUN <<EOF (echo one...)');
    expect(p.steps[2]?.instruction).toBe('RUN <<EOF bash');
  });

  it('does not take an inline COPY heredoc for a context path', () => {
    expect(p.steps[3]?.copy).toMatchObject({ paths: [], dest: '/etc/x.conf' });
  });
});

describe('parser directives and mounts', () => {
  it('reads # syntax= (a floating frontend)', () => {
    expect(plan('# syntax=docker/dockerfile:1\nFROM alpine').syntax).toBe('docker/dockerfile:1');
    expect(plan('FROM alpine').syntax).toBeNull();
  });

  it('honours # escape=` for line continuations', () => {
    const p = plan('# escape=`\nFROM alpine\nRUN echo a `\n  b');
    expect(p.steps[1]?.instruction).toBe('RUN echo a   b');
  });

  it('parses RUN --mount flags once, into facts (type defaults to bind)', () => {
    const p = plan('FROM alpine\nRUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=npm --mount=target=/src,ro --network=none npm ci');
    expect(p.steps[1]?.mounts).toEqual([
      { type: 'cache', from: null, source: null, target: '/root/.cache', id: null, written: '--mount=type=cache,target=/root/.cache' },
      { type: 'secret', from: null, source: null, target: null, id: 'npm', written: '--mount=type=secret,id=npm' },
      { type: 'bind', from: null, source: null, target: '/src', id: null, written: '--mount=target=/src,ro' },
    ]);
  });

  it('reads COPY --exclude and --parents into the plan', () => {
    const p = plan('# syntax=docker/dockerfile:1.7\nFROM alpine\nCOPY --exclude=*.md --exclude=tests/ --parents ./a/b.txt /dst/\nCOPY x /y');
    expect(p.steps[1]?.copy).toMatchObject({ exclude: ['*.md', 'tests/'], parents: true, paths: ['./a/b.txt'], dest: '/dst/' });
    expect(p.steps[2]?.copy).toMatchObject({ exclude: [], parents: false });
  });

  it('reads --platform of FROM', () => {
    expect(plan('FROM --platform=$BUILDPLATFORM golang AS b\nRUN x').stages[0]?.platform).toBe('${BUILDPLATFORM}');
    expect(plan('FROM --platform=linux/arm64 alpine\nRUN x').stages[0]?.platform).toBe('linux/arm64');
  });

  it('keeps the text split in lines', () => {
    expect(plan('FROM alpine\r\nRUN x\r\n').lines).toEqual(['FROM alpine', 'RUN x', '']);
  });
});

describe('inputs that are not Dockerfiles are problems, never exceptions', () => {
  it.each([
    ['empty', ''],
    ['blank lines', '\n\n  \n'],
    ['only comments', '# just a comment\n'],
    ['a build log', '#1 [internal] load build definition from Dockerfile\n#1 DONE 0.0s\n'],
    ['binary', 'FROM alpine\u0000\u0001\u0002'],
    ['no FROM', 'RUN echo hi'],
    ['JSON', '{"a": 1}'],
  ])('%s', (_name, text) => {
    const p = plan(text);
    expect(p.problems.length).toBeGreaterThan(0);
    expect(p.problems[0]?.hint).toBeTruthy();
    expect(p.steps).toEqual([]);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const p = readDockerfile(s, 'fuzz');
        expect(Array.isArray(p.steps)).toBe(true);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'FROM a AS b',
            'RUN $X "',
            'COPY --from=b x y',
            'ARG X=${',
            'ENV A=',
            'RUN <<EOF',
            'EOF',
            'WORKDIR ..',
            '\\',
            'ONBUILD RUN x',
            'FROM b',
          ),
          { maxLength: 12 },
        ),
        (ls) => {
          const p = readDockerfile(ls.join('\n'), 'fuzz');
          expect(p.steps.every((s) => s.label.startsWith('['))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('matching log steps to plan steps', () => {
  const p = plan('FROM node:20\nWORKDIR $APP_HOME\nRUN echo $NODE_VERSION && npm ci --omit=dev --no-audit --no-fund');

  it('keys steps by stage and index', () => {
    expect(planStepKey({ stage: null, index: 3 })).toBe('-/3');
    expect(planStepKey({ stage: 'builder', index: 2 })).toBe('builder/2');
    expect(findPlanStep(p, { stage: null, index: 3 })?.keyword).toBe('RUN');
  });

  it('finds a single-stage step whether or not the log printed stage-0 (it depends on the BuildKit version)', () => {
    const mount = plan('FROM alpine\nRUN --mount=type=secret,id=x cat /run/secrets/x');
    expect(findPlanStep(mount, { stage: 'stage-0', index: 2 })?.keyword).toBe('RUN');
    expect(findPlanStep(mount, { stage: null, index: 2 })?.keyword).toBe('RUN');
    expect(findPlanStep(mount, { stage: 'builder', index: 2 })).toBeUndefined();
    const multi = plan('FROM alpine AS a\nRUN x\nFROM alpine\nRUN y');
    expect(findPlanStep(multi, { stage: null, index: 2 })).toBeUndefined();
  });

  it('accepts a value the base image defines (unknown to the Dockerfile) for a variable', () => {
    const run = step(p, '[3/3]');
    expect(instructionMatches(run, 'RUN echo 20.11.0 && npm ci --omit=dev --no-audit --no-fund')).toBe(true);
    expect(instructionMatches(run, 'RUN echo 20.11.0 && npm install')).toBe(false);
    expect(instructionMatches(step(p, '[2/3]'), 'WORKDIR /home/node/app')).toBe(true);
  });

  it('accepts a truncated name and a FROM resolved to a digest', () => {
    const run = step(p, '[3/3]');
    expect(instructionMatches(run, 'RUN echo $NODE_VERSION && npm ci --om...')).toBe(true);
    expect(instructionMatches(run, 'RUN echo 20.11.0 && npm ci --om', { truncated: true })).toBe(true);
    expect(instructionMatches(step(p, '[1/3]'), 'FROM docker.io/library/node:20@sha256:' + 'b'.repeat(64))).toBe(true);
    expect(instructionMatches(step(p, '[1/3]'), 'FROM docker.io/library/node:18')).toBe(false);
  });

  it('says when (stage, index) matches but the text does not (another Dockerfile)', () => {
    expect(matchPrintedStep(p, { stage: null, index: 3, instruction: 'RUN make' })?.textMatches).toBe(false);
    expect(matchPrintedStep(p, { stage: 'x', index: 3, instruction: 'RUN make' })).toBeNull();
  });
});
