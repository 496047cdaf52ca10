/**
 * Build command lines as people really write them: behind sudo/time/env/sh -c/script, with leading
 * assignments, global engine options, redirects and pipes, in && chains, and other tools (podman, buildah,
 * buildx bake, compose). Each line is one as it appears in a CI script, a Makefile or a README.
 */
import { describe, expect, it } from 'vitest';
import { parseBuildCommand, parseBuildCommands } from '../../../src/core/ingest/command.ts';

describe('a build behind a wrapper', () => {
  it.each([
    [
      'script -c (tty progress in CI)',
      `script -q -e -c "docker build --progress=tty -t lab/app:ci ." /dev/null`,
      { tool: 'docker build', progress: 'tty', tags: ['lab/app:ci'], context: '.' },
    ],
    [
      'macOS script (command after the file)',
      'script -q /dev/null docker build --progress=tty -t app .',
      { tool: 'docker build', progress: 'tty', context: '.' },
    ],
    [
      'bash -c',
      `bash -c 'docker build --build-arg GIT_SHA=$(git rev-parse HEAD) -t app:latest .'`,
      { build_args: { GIT_SHA: '$(git rev-parse HEAD)' }, tags: ['app:latest'], context: '.' },
    ],
    [
      'sh -lc',
      `sh -lc "docker buildx build --platform linux/amd64 -t ghcr.io/acme/api:pr-42 ."`,
      { tool: 'docker buildx build', platform: ['linux/amd64'], tags: ['ghcr.io/acme/api:pr-42'] },
    ],
    ['sh -c with cd and &&', `sh -c "cd services/api && docker build -t api ."`, { tool: 'docker build', tags: ['api'], context: '.' }],
    ['sudo', 'sudo docker build -t myapp .', { tool: 'docker build', tags: ['myapp'], context: '.' }],
    [
      'sudo -E (proxy from the environment)',
      'sudo -E docker build --build-arg HTTP_PROXY --build-arg HTTPS_PROXY -t myapp .',
      { build_args: { HTTP_PROXY: null, HTTPS_PROXY: null }, context: '.' },
    ],
    ['sudo -u user -E', 'sudo -u jenkins -E docker build -t myapp .', { tool: 'docker build', tags: ['myapp'] }],
    ['sudo -E env PATH=…', 'sudo -E env "PATH=$PATH" docker build -t myapp .', { tool: 'docker build', tags: ['myapp'] }],
    ['time', 'time docker build --no-cache -t app .', { no_cache: true, context: '.' }],
    ['time -p', 'time -p docker build -t app .', { tags: ['app'] }],
    ['/usr/bin/time -v', '/usr/bin/time -v docker build -t app .', { tags: ['app'] }],
    ['env X=1 Y=2', 'env DOCKER_BUILDKIT=1 BUILDKIT_PROGRESS=plain docker build -t app .', { tool: 'docker build', tags: ['app'] }],
    [
      'leading assignments',
      'DOCKER_BUILDKIT=1 COMPOSE_DOCKER_CLI_BUILD=1 docker build --build-arg BUILDKIT_INLINE_CACHE=1 -t app .',
      { build_args: { BUILDKIT_INLINE_CACHE: '1' } },
    ],
    ['nice', 'nice -n 19 docker build -t app .', { tags: ['app'], context: '.' }],
    ['nohup, output to a file, in the background', 'nohup docker build -t app . > build.log 2>&1 &', { tags: ['app'], context: '.' }],
    ['exec', 'exec docker build --pull -t app "$@" .', { pull: true, context: '.' }],
    ['command', 'command docker build -t app .', { tags: ['app'] }],
    ['timeout', 'timeout --signal=KILL 45m docker build -t app .', { tags: ['app'], context: '.' }],
    ['absolute path', '/usr/bin/docker build -t app .', { tool: 'docker build' }],
    ['/usr/local/bin buildx', '/usr/local/bin/docker buildx build --load -t app .', { tool: 'docker buildx build' }],
    ['if !', 'if ! docker build -t app .; then echo "build failed" >&2; exit 1; fi', { tool: 'docker build', context: '.' }],
    ['eval', `eval "docker build $BUILD_FLAGS -t app ."`, { tool: 'docker build', context: '.' }],
  ] as const)('%s', (_name, line, expected) => {
    expect(parseBuildCommand(line)).toMatchObject(expected);
  });

  it('keeps the whole line as the text of its one build', () => {
    const line = `script -q -e -c "docker build --progress=tty -t lab/app:ci ." /dev/null`;
    expect(parseBuildCommand(line)?.text).toBe(line);
  });

  it('does not take a query or an echo for a build', () => {
    for (const line of [
      'command -v docker',
      'sudo docker push app',
      'bash ./scripts/build.sh',
      'sh -c "echo docker build"',
      'time make build',
      'env | grep DOCKER',
    ]) {
      expect(parseBuildCommand(line), line).toBeNull();
    }
  });
});

describe('docker global options', () => {
  it.each([
    ['--context', 'docker --context remote-builder build -t app .', { tool: 'docker build', tags: ['app'], context: '.' }],
    ['-H tcp://', 'docker -H tcp://10.0.4.17:2376 --tlsverify build -t app .', { tool: 'docker build', context: '.' }],
    [
      '--log-level debug buildx',
      'docker --log-level debug buildx build --cache-to type=inline -t app .',
      { tool: 'docker buildx build', cache_to: ['type=inline'] },
    ],
    ['-l debug', 'docker -l debug build .', { tool: 'docker build', context: '.' }],
    ['--config', 'docker --config /tmp/docker-cfg build -t app .', { tool: 'docker build' }],
    ['buildx --builder', 'docker buildx --builder ci-builder build --push -t app .', { tool: 'docker buildx build', context: '.' }],
  ] as const)('%s', (_name, line, expected) => {
    expect(parseBuildCommand(line)).toMatchObject(expected);
  });
});

describe('redirects and pipes', () => {
  it.each([
    ['| tee', 'docker build --progress=plain -t app . | tee build.log'],
    ['2>&1 | tee', 'docker build --progress=plain -t app . 2>&1 | tee build.log'],
    ['|& tee -a', 'docker build --progress=plain -t app . |& tee -a build.log'],
    ['set -o pipefail; …', 'set -o pipefail; docker build --progress=plain -t app . 2>&1 | tee "$WORKSPACE/build.log"'],
    ['> file 2>&1', 'docker build --progress=plain -t app . > build.log 2>&1'],
    ['&> file', 'docker build --progress=plain -t app . &>build.log'],
    ['redirect before the context', 'docker build --progress=plain -t app 2>build.err .'],
  ])('%s', (_name, line) => {
    expect(parseBuildCommand(line)).toMatchObject({ tool: 'docker build', progress: 'plain', tags: ['app'], context: '.' });
  });

  it('reads a Dockerfile from stdin (-f -) with the context after it', () => {
    expect(parseBuildCommand('docker build -f - -t app . < docker/Dockerfile')).toMatchObject({ file: '-', context: '.' });
  });
});

describe('&& chains and ; lists', () => {
  it('finds each build of a chain, each with its own text', () => {
    const line = 'docker build -t acme/base:1 -f base.Dockerfile . && docker build --build-arg BASE=acme/base:1 -t acme/app:1 .';
    const found = parseBuildCommands(line);
    expect(found.map((c) => [c.text, c.tags, c.file])).toEqual([
      ['docker build -t acme/base:1 -f base.Dockerfile .', ['acme/base:1'], 'base.Dockerfile'],
      ['docker build --build-arg BASE=acme/base:1 -t acme/app:1 .', ['acme/app:1'], null],
    ]);
  });

  it('finds builds across ; and skips the other commands', () => {
    const line =
      'docker pull ghcr.io/acme/app:main || true; docker build --cache-from ghcr.io/acme/app:main -t app . ; docker push app; docker build -t app-debug --target debug .';
    expect(parseBuildCommands(line).map((c) => [c.cache_from, c.target])).toEqual([
      [['ghcr.io/acme/app:main'], null],
      [[], 'debug'],
    ]);
  });

  it('keeps the whole line when it runs one build', () => {
    const line = 'cd app && docker build -t app . && docker push app';
    expect(parseBuildCommands(line).map((c) => c.text)).toEqual([line]);
  });

  it('finds both builds inside one sh -c argument', () => {
    expect(parseBuildCommands(`bash -c 'docker build -t a ./a && docker build -t b ./b'`).map((c) => c.context)).toEqual(['./a', './b']);
  });
});

describe('other build tools', () => {
  it.each([
    [
      'podman build',
      'podman build --layers -f Containerfile -t localhost/app:dev .',
      { tool: 'podman build', file: 'Containerfile', tags: ['localhost/app:dev'], context: '.' },
    ],
    ['podman --remote', 'podman --remote --connection ci build --build-arg V=2 -t app .', { tool: 'podman build', build_args: { V: '2' } }],
    ['podman --pull=always', 'podman build --pull=always -t app .', { pull: true }],
    ['podman --pull=never', 'podman build --pull=never -t app .', { pull: false }],
    ['podman image build', 'podman image build --no-cache -t app .', { tool: 'podman image build', no_cache: true }],
    ['sudo podman with -v', 'sudo podman build -v /var/cache/dnf:/var/cache/dnf:O -t app .', { tool: 'podman build', context: '.' }],
    [
      'buildah bud',
      'buildah bud --layers --build-arg VERSION=1.2.3 -t quay.io/acme/app:1.2.3 .',
      { tool: 'buildah bud', build_args: { VERSION: '1.2.3' }, context: '.' },
    ],
    [
      'buildah --storage-driver bud',
      'buildah --storage-driver vfs bud --format docker -f Dockerfile.ubi -t app .',
      { tool: 'buildah bud', file: 'Dockerfile.ubi', context: '.' },
    ],
    ['buildah build', 'buildah build --pull-always -t app .', { tool: 'buildah build', pull: true }],
    ['nerdctl', 'nerdctl --namespace k8s.io build -t app .', { tool: 'nerdctl build', context: '.' }],
  ] as const)('%s', (_name, line, expected) => {
    expect(parseBuildCommand(line)).toMatchObject(expected);
  });
});

describe('docker buildx bake', () => {
  it('maps --set args, --no-cache, --pull, and keeps the bake file out of `file`', () => {
    const cmd = parseBuildCommand('docker buildx bake -f docker-bake.hcl --set *.args.NODE_VERSION=20 --set app.args.GIT_SHA=4f1c2e9 --no-cache --pull app');
    expect(cmd).toMatchObject({
      tool: 'docker buildx bake',
      build_args: { NODE_VERSION: '20', GIT_SHA: '4f1c2e9' },
      no_cache: true,
      pull: true,
      file: null,
      target: null,
      targets: ['app'],
    });
  });

  it('maps --set platform, cache, tags, and the Dockerfile stage and path', () => {
    const cmd = parseBuildCommand(
      `docker buildx bake --set '*.platform=linux/amd64,linux/arm64' --set=*.cache-from=type=gha --set '*.cache-to=type=gha,mode=max' --set app.tags=ghcr.io/acme/app:main --set app.target=runtime --set app.dockerfile=docker/Dockerfile.prod --progress plain`,
    );
    expect(cmd).toMatchObject({
      platform: ['linux/amd64', 'linux/arm64'],
      cache_from: ['type=gha'],
      cache_to: ['type=gha,mode=max'],
      tags: ['ghcr.io/acme/app:main'],
      target: 'runtime',
      file: 'docker/Dockerfile.prod',
      progress: 'plain',
    });
    expect(cmd?.targets).toBeUndefined();
  });

  it('lists several targets', () => {
    expect(parseBuildCommand('docker buildx bake --load api worker')?.targets).toEqual(['api', 'worker']);
  });

  it('does not count --print and --list, which build nothing', () => {
    expect(parseBuildCommand('docker buildx bake --print app')).toBeNull();
    expect(parseBuildCommand('docker buildx bake --list=targets')).toBeNull();
  });
});

describe('docker compose build', () => {
  it.each([
    [
      'compose -f file build with flags and a service',
      'docker compose -f docker-compose.ci.yml build --no-cache --build-arg GIT_SHA=$CI_COMMIT_SHA web',
      { tool: 'docker compose build', no_cache: true, build_args: { GIT_SHA: '$CI_COMMIT_SHA' }, file: null, target: null, context: null, targets: ['web'] },
    ],
    [
      'docker-compose v1',
      'docker-compose build --pull --build-arg NODE_ENV=production',
      { tool: 'docker compose build', pull: true, build_args: { NODE_ENV: 'production' } },
    ],
    [
      'global --progress, two services',
      'docker compose --progress plain build --pull api worker',
      { progress: 'plain', pull: true, targets: ['api', 'worker'] },
    ],
    [
      'env prefix and two compose files',
      'COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 docker-compose -f docker-compose.yml -f docker-compose.prod.yml build app',
      { tool: 'docker compose build', targets: ['app'], file: null },
    ],
  ] as const)('%s', (_name, line, expected) => {
    expect(parseBuildCommand(line)).toMatchObject(expected);
  });

  it('names no services when none is given', () => {
    expect(parseBuildCommand('docker compose build')?.targets).toBeUndefined();
  });
});
