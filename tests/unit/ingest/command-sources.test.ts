/**
 * Where build commands really come from: CI consoles that echo them (GitHub Actions raw logs with their
 * colour codes, GitLab job traces, Jenkins `set -x` traces, make's echo), Makefiles, shell scripts and
 * command files with continued lines. The texts are kept inline, byte for byte as those tools print them
 * (ESC included), so the fixture-wide sniffing tests do not see them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findBuildCommands, parseBuildCommand, parseCommandsFile } from '../../../src/core/ingest/command.ts';
import { CommandLines } from '../../../src/core/log/index.ts';

const ESC = '\x1b';
const stamp = (lines: string[]): string => lines.map((l, i) => `2024-05-14T09:12:03.${String(4410127 + i * 431).padStart(7, '0')}Z ${l}`).join('\n');

// A `run: |` step with a continued docker build, then the build's first lines (raw log download).
const ACTIONS_RUN_STEP = stamp([
  '##[group]Run docker build \\',
  `${ESC}[36;1mdocker build \\${ESC}[0m`,
  `${ESC}[36;1m  --build-arg NODE_VERSION=20 \\${ESC}[0m`,
  `${ESC}[36;1m  --cache-from type=gha \\${ESC}[0m`,
  `${ESC}[36;1m  -t ghcr.io/acme/web:3f9a1c07d2 .${ESC}[0m`,
  'shell: /usr/bin/bash -e {0}',
  'env:',
  '  DOCKER_BUILDKIT: 1',
  '##[endgroup]',
  '#0 building with "default" instance using docker driver',
  '',
  '#1 [internal] load build definition from Dockerfile',
  '#1 transferring dockerfile: 612B done',
  '#1 DONE 0.0s',
]);

// docker/build-push-action and docker/bake-action print the command they run after `[command]`.
const ACTIONS_TOOLKIT = stamp([
  '##[group]Building',
  '[command]/usr/bin/docker buildx build --build-arg NODE_VERSION=20 --cache-from type=gha --cache-to type=gha,mode=max --iidfile /home/runner/work/_temp/docker-actions-toolkit-pQx3kS/iidfile --label org.opencontainers.image.source=https://github.com/acme/web --platform linux/amd64,linux/arm64 --provenance mode=min,inline-only=true,builder-id=https://github.com/acme/web/actions/runs/9078123456 --metadata-file /home/runner/work/_temp/docker-actions-toolkit-pQx3kS/metadata-file --push --tag ghcr.io/acme/web:main .',
  '#0 building with "builder-5f1c" instance using docker-container driver',
  '##[endgroup]',
  '##[group]Bake definition',
  '[command]/usr/bin/docker buildx bake --file ./docker-bake.hcl --set *.cache-from=type=gha --set *.cache-to=type=gha,mode=max --metadata-file /home/runner/work/_temp/docker-actions-toolkit-Y8mR2s/bake-metadata.json --push release',
  '#0 building with "builder-5f1c" instance using docker-container driver',
]);

// A GitLab job trace: ANSI colours, section markers with CR, `$ ` echoes of the script lines.
const GITLAB_TRACE = [
  `${ESC}[0KRunning with gitlab-runner 16.11.0 (91a27b2a)${ESC}[0;m`,
  `section_start:1715677931:step_script\r${ESC}[0K${ESC}[0K${ESC}[36;1mExecuting "step_script" stage of the job script${ESC}[0;m${ESC}[0;m`,
  `${ESC}[32;1m$ docker login -u "$CI_REGISTRY_USER" -p "$CI_REGISTRY_PASSWORD" $CI_REGISTRY${ESC}[0;m`,
  'Login Succeeded',
  `${ESC}[32;1m$ docker build --pull --cache-from "$CI_REGISTRY_IMAGE:latest" --build-arg BUILDKIT_INLINE_CACHE=1 -t "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA" .${ESC}[0;m`,
  '#0 building with "default" instance using docker driver',
  '#1 [internal] load build definition from Dockerfile',
  `${ESC}[32;1m$ docker build -t "$CI_REGISTRY_IMAGE/base" -f base.Dockerfile . && docker build -t "$CI_REGISTRY_IMAGE/app" .${ESC}[0;m`,
  '#0 building with "default" instance using docker driver',
  `${ESC}[32;1m$ docker buildx build --platform linux/arm64 \\ # collapsed multi-line command${ESC}[0;m`,
  '#0 building with "default" instance using docker driver',
  `section_end:1715677990:step_script\r${ESC}[0K`,
].join('\n');

// Jenkins `sh` steps run with -x: `+ ` for each command (a pipeline's parts on their own lines), `++ ` inside $(…).
const JENKINS_CONSOLE = [
  '[Pipeline] { (Build image)',
  '[Pipeline] sh',
  '++ git rev-parse --short HEAD',
  '+ GIT_SHA=7c1e9a2',
  "+ sudo -E docker build --build-arg GIT_SHA=7c1e9a2 --build-arg 'APP_VERSION=1.4.2 (rc1)' -t registry.acme.io/shop/cart:7c1e9a2 .",
  '+ tee build.log',
  '#0 building with "default" instance using docker driver',
  '#1 [internal] load build definition from Dockerfile',
  '[Pipeline] sh',
  "+ bash -c 'DOCKER_BUILDKIT=1 docker build --no-cache -t registry.acme.io/shop/cart:nightly .'",
  '#0 building with "default" instance using docker driver',
].join('\n');

// `make image` echoes each recipe line after expanding its variables (`@` lines are not echoed), continuations as written.
const MAKE_OUTPUT = [
  '$ make image-multiarch',
  'docker buildx build --platform linux/amd64,linux/arm64 \\',
  '\t--build-arg VERSION=v1.4.2-3-g7c1e9a2 \\',
  '\t-t ghcr.io/acme/api:v1.4.2-3-g7c1e9a2 --push .',
  '#0 building with "multiarch" instance using docker-container driver',
  'make: *** [Makefile:21: image-multiarch] Error 1',
].join('\n');

describe('commands echoed in CI logs', () => {
  it('GitHub Actions: a continued `run:` script (header, coloured echo) is one command with all its flags', () => {
    const found = findBuildCommands(ACTIONS_RUN_STEP);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      tool: 'docker build',
      build_args: { NODE_VERSION: '20' },
      cache_from: ['type=gha'],
      tags: ['ghcr.io/acme/web:3f9a1c07d2'],
      context: '.',
    });
    expect(found[0]?.text).not.toContain(ESC);
  });

  it('GitHub Actions: a one-line `Run` header and its coloured echo count once', () => {
    const log = stamp([
      '##[group]Run docker build -t app .',
      `${ESC}[36;1mdocker build -t app .${ESC}[0m`,
      'shell: /usr/bin/bash -e {0}',
      '##[endgroup]',
      '#0 building with "default" instance using docker driver',
    ]);
    expect(findBuildCommands(log).map((c) => c.text)).toEqual(['docker build -t app .']);
  });

  it('GitHub Actions: `[command]` lines of build-push-action and bake-action', () => {
    const [build, bake] = findBuildCommands(ACTIONS_TOOLKIT);
    expect(build).toMatchObject({
      tool: 'docker buildx build',
      platform: ['linux/amd64', 'linux/arm64'],
      tags: ['ghcr.io/acme/web:main'],
      cache_to: ['type=gha,mode=max'],
      context: '.',
    });
    expect(bake).toMatchObject({ tool: 'docker buildx bake', cache_from: ['type=gha'], cache_to: ['type=gha,mode=max'], file: null, targets: ['release'] });
  });

  it('GitLab: coloured `$ ` echoes, a chain of two builds, a collapsed multi-line entry', () => {
    const found = findBuildCommands(GITLAB_TRACE);
    expect(found.map((c) => c.tool)).toEqual(['docker build', 'docker build', 'docker build', 'docker buildx build']);
    expect(found[0]).toMatchObject({ pull: true, cache_from: ['$CI_REGISTRY_IMAGE:latest'], tags: ['$CI_REGISTRY_IMAGE:$CI_COMMIT_SHORT_SHA'], context: '.' });
    expect(found[1]).toMatchObject({ file: 'base.Dockerfile', text: 'docker build -t "$CI_REGISTRY_IMAGE/base" -f base.Dockerfile .' });
    expect(found[2]).toMatchObject({ file: null, text: 'docker build -t "$CI_REGISTRY_IMAGE/app" .' });
    // Only the first line is shown: what it says is kept, the context is unknown.
    expect(found[3]).toMatchObject({ platform: ['linux/arm64'], context: null });
  });

  it('Jenkins: `+ sudo -E docker build` and `+ bash -c …`, not the `++` or `+ tee` lines', () => {
    const found = findBuildCommands(JENKINS_CONSOLE);
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({
      build_args: { GIT_SHA: '7c1e9a2', APP_VERSION: '1.4.2 (rc1)' },
      tags: ['registry.acme.io/shop/cart:7c1e9a2'],
      context: '.',
    });
    expect(found[1]).toMatchObject({ no_cache: true, tags: ['registry.acme.io/shop/cart:nightly'] });
  });

  it("make's echo of a continued recipe line", () => {
    const found = findBuildCommands(MAKE_OUTPUT);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      tool: 'docker buildx build',
      build_args: { VERSION: 'v1.4.2-3-g7c1e9a2' },
      tags: ['ghcr.io/acme/api:v1.4.2-3-g7c1e9a2'],
      context: '.',
    });
  });

  it.each([
    ['set -x', '+ docker build -t app .'],
    ['nested set -x', '++ docker build -t app .'],
    ['GitLab', '$ docker build -t app .'],
    ['prompt', '> docker build -t app .'],
    ['root prompt', '# docker build -t app .'],
    ['terminal prompt', 'dev@build-box:~/src/app$ docker build -t app .'],
    ['virtualenv prompt', '(venv) dev@build-box:~/src/app$ docker build -t app .'],
    ['RHEL prompt', '[dev@build-box app]$ docker build -t app .'],
    ['PowerShell', 'PS C:\\src\\app> docker build -t app .'],
    ['Actions Run', 'Run docker build -t app .'],
    ['Actions toolkit', '[command]/usr/bin/docker build -t app .'],
    ['Azure', '##[command]/usr/bin/docker build -t app .'],
    ['Jenkins timestamper', '09:12:03  + docker build -t app .'],
  ])('%s prefix', (_name, line) => {
    expect(findBuildCommands(`${line}\n#0 building with "default" instance using docker driver\n`)).toMatchObject([
      { tool: 'docker build', tags: ['app'], context: '.' },
    ]);
  });

  it('CommandLines (the streaming path) keeps what these logs need', () => {
    for (const log of [ACTIONS_RUN_STEP, ACTIONS_TOOLKIT, GITLAB_TRACE, JENKINS_CONSOLE, MAKE_OUTPUT]) {
      const lines = new CommandLines();
      for (let at = 0; at < log.length; at += 7) lines.write(log.slice(at, at + 7));
      expect(findBuildCommands(lines.text())).toEqual(findBuildCommands(log));
    }
  });
});

describe('command files', () => {
  it('a Makefile: recipe prefixes, make variables as written, a continued recipe line', () => {
    const makefile = [
      'IMAGE ?= ghcr.io/acme/api',
      'VERSION ?= $(shell git describe --tags --always --dirty)',
      'DOCKER ?= docker',
      'PLATFORMS ?= linux/amd64,linux/arm64',
      '',
      '.PHONY: image image-nocache image-multiarch',
      '',
      'image: ## Build the image for this machine',
      '\t@echo "Building $(IMAGE):$(VERSION)"',
      '\t@docker build --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) .',
      '',
      'image-nocache:',
      '\t-docker build --no-cache -t $(IMAGE):nocache .',
      '',
      'image-multiarch:',
      '\t$(DOCKER) buildx build --platform $(PLATFORMS) \\',
      '\t\t--build-arg VERSION=$(VERSION) \\',
      '\t\t--cache-from type=registry,ref=$(IMAGE):buildcache \\',
      '\t\t-t $(IMAGE):$(VERSION) --push .',
      '\t# docker build -t $(IMAGE):old . (commented out)',
    ].join('\n');
    const entries = parseCommandsFile(makefile);
    expect(entries.map((e) => [e.log, e.exit, e.command.tool, e.command.tags])).toEqual([
      [null, null, 'docker build', ['$(IMAGE):$(VERSION)']],
      [null, null, 'docker build', ['$(IMAGE):nocache']],
      [null, null, 'docker buildx build', ['$(IMAGE):$(VERSION)']],
    ]);
    expect(entries[0]?.command.build_args).toEqual({ VERSION: '$(VERSION)' });
    expect(entries[1]?.command.no_cache).toBe(true);
    expect(entries[2]?.command).toMatchObject({ platform: ['$(PLATFORMS)'], cache_from: ['type=registry,ref=$(IMAGE):buildcache'], context: '.' });
  });

  it('kubebuilder-style `$(CONTAINER_TOOL) build`', () => {
    expect(parseBuildCommand('\t$(CONTAINER_TOOL) build -t ${IMG} .')).toMatchObject({ tool: 'docker build', tags: ['${IMG}'], context: '.' });
  });

  it('a shell script: set -euo pipefail, a continued build piped to tee, then a push', () => {
    const script = [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      '',
      'IMAGE="${REGISTRY:-ghcr.io/acme}/worker"',
      'TAG="$(git rev-parse --short HEAD)"',
      '',
      'echo "Building ${IMAGE}:${TAG}"',
      'DOCKER_BUILDKIT=1 docker build \\',
      '  --progress=plain \\',
      '  --build-arg "GIT_SHA=${TAG}" \\',
      '  --cache-from "${IMAGE}:latest" \\',
      '  -t "${IMAGE}:${TAG}" \\',
      '  -t "${IMAGE}:latest" \\',
      '  . 2>&1 | tee build.log',
      '',
      'docker push "${IMAGE}:${TAG}"',
    ].join('\n');
    const entries = parseCommandsFile(script);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.command).toMatchObject({
      progress: 'plain',
      build_args: { GIT_SHA: '${TAG}' },
      cache_from: ['${IMAGE}:latest'],
      tags: ['${IMAGE}:${TAG}', '${IMAGE}:latest'],
      context: '.',
    });
  });

  it('a plain commands file: continued commands read as one, CRLF, and lines that are no build skipped', () => {
    const file = [
      '# the two builds, in order',
      'docker build \\',
      '  --build-arg NODE_VERSION=20 \\',
      '  -t web:a \\',
      '  .',
      'make image',
      '))) && | ;; $(',
      'docker buildx bake --print',
      'docker build --build-arg "BROKEN=unterminated',
      'sudo docker build --build-arg NODE_VERSION=22 \\',
      '  -t web:b .',
    ].join('\r\n');
    const entries = parseCommandsFile(file);
    expect(entries.map((e) => e.command.tags)).toEqual([['web:a'], [], ['web:b']]);
    expect(entries[0]?.command).toMatchObject({ build_args: { NODE_VERSION: '20' }, context: '.' });
    expect(entries[1]?.command.build_args).toEqual({ BROKEN: 'unterminated' });
    expect(entries[2]?.command).toMatchObject({ build_args: { NODE_VERSION: '22' }, context: '.' });
    expect(findBuildCommands(file).map((c) => c.tags)).toEqual([['web:a'], [], ['web:b']]);
  });

  it('commands.txt lines with wrapped commands keep their log name and exit code', () => {
    const file = [
      'a.log\tsudo -E docker build --progress=plain -t app .\texit=0',
      "b.log\tbash -c 'DOCKER_BUILDKIT=1 docker build --progress=plain --build-arg V=2 -t app . 2>&1 | tee b.raw'\texit=1",
      'c.log\tmake image\texit=2',
      'd.log\tpodman build --progress=plain -t app .\texit=0',
    ].join('\n');
    expect(parseCommandsFile(file).map((e) => [e.log, e.exit, e.command.tool, e.command.build_args])).toEqual([
      ['a.log', 0, 'docker build', {}],
      ['b.log', 1, 'docker build', { V: '2' }],
      ['d.log', 0, 'podman build', {}],
    ]);
  });

  it('a tab inside an echoed command does not make it a commands.txt line', () => {
    expect(findBuildCommands('09:12:03 + docker build\t--pull -t app .\n')).toMatchObject([{ pull: true, context: '.' }]);
  });
});

describe('never throws', () => {
  const word = fc.oneof(
    fc.constantFrom(
      'sudo',
      '-E',
      '-u',
      'env',
      'X=1',
      'time',
      'nice',
      '-n',
      'timeout',
      'bash',
      '-lc',
      'sh',
      '-c',
      'script',
      '-q',
      '/dev/null',
      'eval',
      'command',
      'exec',
      'docker',
      'podman',
      'buildah',
      'bud',
      'nerdctl',
      'docker-compose',
      'compose',
      'buildx',
      'bake',
      'build',
      'b',
      'f',
      '--set',
      '*.args.A=1',
      'x.args=',
      '.=',
      '--print',
      '-f',
      '--file',
      '--context',
      '-H',
      '--builder',
      '2>&1',
      '>',
      '&>',
      '<',
      '<<',
      '|',
      '|&',
      'tee',
      '&&',
      ';',
      '(',
      ')',
      '"',
      "'",
      '\\',
      '\\\n',
      '@',
      '-',
      '$(DOCKER)',
      '${CONTAINER_TOOL}',
      '$(',
      '`',
      '#',
      '\t',
      'a.log\t',
      '\texit=1',
      '+ ',
      '$ ',
      'Run ',
      '##[group]Run ',
      '[command]',
      '\x1b[36;1m',
      '\x1b[0m',
      '\r',
      'section_start:1:x\r',
      '# collapsed multi-line command',
      '.',
    ),
    fc.string({ maxLength: 5 }),
  );

  it('on any mix of wrappers, tools, redirects and CI prefixes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { maxLength: 16 }).map((w) => w.join(' ')),
          { maxLength: 6 },
        ),
        (lines) => {
          const text = lines.join('\n');
          for (const line of lines) {
            const cmd = parseBuildCommand(line);
            if (cmd) expect(typeof cmd.tool).toBe('string');
          }
          expect(Array.isArray(findBuildCommands(text))).toBe(true);
          expect(Array.isArray(parseCommandsFile(text))).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('the streaming path agrees on the same mixes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { maxLength: 12 }).map((w) => w.join(' ')),
          { maxLength: 6 },
        ),
        fc.integer({ min: 1, max: 9 }),
        (lines, size) => {
          const text = lines.join('\n');
          const streamed = new CommandLines();
          for (let at = 0; at < text.length; at += size) streamed.write(text.slice(at, at + size));
          expect(findBuildCommands(streamed.text())).toEqual(findBuildCommands(text));
        },
      ),
      { numRuns: 800 },
    );
  });
});
