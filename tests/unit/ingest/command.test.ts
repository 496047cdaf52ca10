/**
 * Build command lines: every fixture commands.txt, CI logs that echo the command, and hand-made lines.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportsInlineCache, findBuildCommands, parseBuildCommand, parseCommandsFile, splitShellWords } from '../../../src/core/ingest/command.ts';

const FIXTURES = 'tests/fixtures';
const commandFiles = readdirSync(FIXTURES)
  .filter((g) => g.startsWith('lab'))
  .flatMap((g) => readdirSync(join(FIXTURES, g)).map((c) => join(FIXTURES, g, c, 'commands.txt')))
  .filter((f) => existsSync(f))
  .sort();

const read = (p: string): string => readFileSync(p, 'utf8');

describe('fixture commands.txt files', () => {
  it('finds them all', () => {
    expect(commandFiles.length).toBe(24);
  });

  it.each(commandFiles)('%s: one entry per log line, each a docker build of the context "."', (file) => {
    const text = read(file);
    const logLines = text.split('\n').filter((l) => /^[\w.-]+\.log\t/.test(l));
    const entries = parseCommandsFile(text);
    expect(entries.map((e) => e.log)).toEqual(logLines.map((l) => l.split('\t')[0]));
    expect(entries.map((e) => e.exit)).toEqual(logLines.map((l) => Number(/exit=(\d+)/.exec(l)?.[1])));
    for (const { command } of entries) {
      expect(['docker build', 'docker buildx build']).toContain(command.tool);
      expect(command.context).toBe('.');
      expect(['plain', 'tty', 'rawjson', null]).toContain(command.progress);
      expect(command.tags.length).toBeGreaterThan(0);
    }
    // The same file read as "text with commands in it" gives the same commands, in order.
    expect(findBuildCommands(text).map((c) => c.text)).toEqual(entries.map((e) => e.command.text));
  });

  // [case, log, fact] — facts read off the fixture's command line by hand.
  const entry = (c: string, log: string) => {
    const e = parseCommandsFile(read(join(FIXTURES, c, 'commands.txt'))).find((x) => x.log === log);
    if (!e) throw new Error(`${c} ${log} missing`);
    return e;
  };

  it('reads the changed build arg of arg-used and arg-unused', () => {
    expect(entry('lab/arg-used', 'a.log').command.build_args).toEqual({ V: '1' });
    expect(entry('lab/arg-used', 'b.log').command.build_args).toEqual({ V: '2' });
    expect(entry('lab/arg-unused', 'b.log').command.build_args).toEqual({ UNUSED: '2' });
    expect(entry('lab/arg-unused', 'legacy-b.log').command.tags).toEqual(['lab/legacy-arg-unused']);
  });

  it('sees --no-cache only in the no-cache build', () => {
    expect(entry('lab/no-cache', 'a.log').command.no_cache).toBe(false);
    expect(entry('lab/no-cache', 'b.log').command.no_cache).toBe(true);
  });

  it('reads the seed replica command: --file=, proxies, cache-from, inline cache, two tags', () => {
    const { command } = entry('lab/seed-replica', 'b.log');
    expect(command.file).toBe('model/Dockerfile/om-datasci-base/Dockerfile');
    expect(command.build_args).toEqual({
      http_proxy: 'http://127.0.0.1:3128',
      https_proxy: 'http://127.0.0.1:3128',
      REPO_HASH: '7e6d5c4b3a29180f1e2d3c4b5a69788f9e0d1c2b',
      GIT_TREE: '1b2c3d4e5f6a',
      GIT_BLOB: '6f5e4d3c2b1a',
      BUILDKIT_INLINE_CACHE: '1',
    });
    expect(command.cache_from).toEqual(['127.0.0.1:5000/lab/seed-replica:latest']);
    expect(command.tags).toEqual(['lab/case-seed-replica', '127.0.0.1:5000/lab/seed-replica:latest']);
    expect(exportsInlineCache(command)).toBe(true);
  });

  it('reads the failed build exit code and a tty build wrapped in script -c "…"', () => {
    expect(entry('lab/failed-build', 'b.log').exit).toBe(1);
    const tty = entry('lab/failed-build', 'b-tty.log');
    expect(tty.command).toMatchObject({ tool: 'docker build', progress: 'tty', context: '.', tags: ['lab/case-failed-build'] });
    expect(tty.exit).toBe(1);
  });

  it('reads buildx commands with -f and --build-arg of the cache-mount writer', () => {
    const w = entry('lab-modern/cache-mount', 'writer-before-b.log').command;
    expect(w).toMatchObject({ tool: 'docker buildx build', file: 'writer.Dockerfile', build_args: { NONCE: 'second' }, progress: 'plain' });
    expect(entry('lab-modern/cache-mount', 'b.rawjson.log').command.progress).toBe('rawjson');
  });
});

describe('commands inside CI logs', () => {
  const buildLog = read(join(FIXTURES, 'lab/copy-file-content/b.jenkins.log'));
  const cmd = 'docker build --progress=plain -t lab/case-copy-file-content .';

  it('finds a Jenkins `+ docker build` trace and nothing in the build output', () => {
    const log = `16:26:55 [Pipeline] sh\n16:26:55 + ${cmd}\n${buildLog}`;
    const found = findBuildCommands(log);
    expect(found.map((c) => c.text)).toEqual([cmd]);
  });

  it('finds the same command twice when it built twice, in order', () => {
    const log = `+ ${cmd}\n${buildLog}\n+ ${cmd.replace('case-copy', 'other')}\n${buildLog}\n+ ${cmd}\n${buildLog}`;
    expect(findBuildCommands(log).map((c) => c.tags[0])).toEqual(['lab/case-copy-file-content', 'lab/other-file-content', 'lab/case-copy-file-content']);
  });

  it('counts a GitHub Actions `Run …` header and its echo once', () => {
    const log = [
      '2024-05-01T10:00:00.0000000Z ##[group]Run docker buildx build --build-arg V=1 \\',
      '2024-05-01T10:00:00.0000000Z   --cache-from type=gha --cache-to type=gha,mode=max -t app .',
      '2024-05-01T10:00:00.0000000Z docker buildx build --build-arg V=1 \\',
      '2024-05-01T10:00:00.0000000Z   --cache-from type=gha --cache-to type=gha,mode=max -t app .',
      '2024-05-01T10:00:00.0000000Z shell: /usr/bin/bash -e {0}',
      '2024-05-01T10:00:00.0000000Z ##[endgroup]',
      '2024-05-01T10:00:01.0000000Z #0 building with "default" instance using docker driver',
      '2024-05-01T10:00:01.0000000Z #5 [2/4] RUN docker build -t inner .',
    ].join('\n');
    const found = findBuildCommands(log);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      tool: 'docker buildx build',
      build_args: { V: '1' },
      cache_from: ['type=gha'],
      cache_to: ['type=gha,mode=max'],
      context: '.',
    });
  });

  it('finds the command docker/build-push-action runs (absolute path, many flags)', () => {
    const log = [
      '2024-05-01T10:00:02.1234567Z /usr/bin/docker buildx build --build-arg NODE_ENV=production --cache-from type=gha --cache-to type=gha,mode=max --iidfile /home/runner/work/_temp/docker-actions-toolkit-abc/iidfile --label org.opencontainers.image.revision=1a2b --metadata-file /home/runner/work/_temp/docker-actions-toolkit-abc/metadata-file --platform linux/amd64,linux/arm64 --push --tag ghcr.io/o/r:main .',
      '2024-05-01T10:00:02.2234567Z #0 building with "builder-1" instance using docker-container driver',
    ].join('\n');
    const [c] = findBuildCommands(log);
    expect(c).toMatchObject({
      tool: 'docker buildx build',
      build_args: { NODE_ENV: 'production' },
      platform: ['linux/amd64', 'linux/arm64'],
      tags: ['ghcr.io/o/r:main'],
      context: '.',
    });
    expect(c && exportsInlineCache(c)).toBe(false);
  });

  it('finds Azure Pipelines `##[command]` lines and ISO-stamped Jenkins traces', () => {
    const azure = '2024-05-01T10:00:00.0000000Z ##[command]/usr/bin/docker build -f /a/Dockerfile --label x=y -t r/app:1 /a\n';
    expect(findBuildCommands(azure)[0]).toMatchObject({ file: '/a/Dockerfile', tags: ['r/app:1'], context: '/a' });
    const jenkins = '[2026-11-29T16:26:55.001Z] + docker build --no-cache-filter=builder -t x .\n';
    expect(findBuildCommands(jenkins)[0]).toMatchObject({ no_cache_filter: ['builder'], context: '.' });
  });

  it('finds GitLab `$ docker build` lines and a plain file of commands, one per line', () => {
    expect(findBuildCommands('$ docker login -u x\n$ docker build --pull -t $CI_REGISTRY_IMAGE .\n')[0]).toMatchObject({
      pull: true,
      tags: ['$CI_REGISTRY_IMAGE'],
    });
    const file = 'docker build -t a:1 .\ndocker build --no-cache -t a:2 .\n';
    expect(findBuildCommands(file).map((c) => c.no_cache)).toEqual([false, true]);
    expect(parseCommandsFile(file).map((e) => [e.log, e.exit, e.command.tags[0]])).toEqual([
      [null, null, 'a:1'],
      [null, null, 'a:2'],
    ]);
  });

  it('finds the forum post command and not the prune', () => {
    const found = findBuildCommands(read(join(FIXTURES, 'seed/forum-post.txt')));
    expect(found).toHaveLength(1);
    const c = found[0];
    expect(c).toMatchObject({
      tool: 'docker buildx build',
      progress: 'plain',
      build_args: {
        http_proxy: 'http://172.17.0.2:3128',
        https_proxy: 'http://172.17.0.2:3128',
        REPO_HASH: '${REPO_HASH}',
        GIT_TREE: '${GIT_TREE}',
        GIT_BLOB: '${GIT_BLOB}',
      },
      cache_from: ['$tag'],
      cache_to: ['type=inline'],
      tags: ['$tag'],
      file: '$dockerfile',
      context: '.',
    });
    expect(c && exportsInlineCache(c)).toBe(true);
  });
});

describe('one command line', () => {
  it.each([
    ['--build-arg=K=V', 'docker build --build-arg=K=V .', { build_args: { K: 'V' } }],
    ['--build-arg K (from env)', 'docker build --build-arg K --build-arg L=1 .', { build_args: { K: null, L: '1' } }],
    ['a value with = and quotes', `docker build --build-arg "OPTS=a=b c" --build-arg 'Q=$HOME' .`, { build_args: { OPTS: 'a=b c', Q: '$HOME' } }],
    ['--no-cache-filter list', 'docker buildx build --no-cache-filter a,b --no-cache-filter=c .', { no_cache_filter: ['a', 'b', 'c'], no_cache: false }],
    ['--no-cache=false', 'docker build --no-cache=false .', { no_cache: false }],
    ['--platform list', 'docker buildx build --platform linux/amd64,linux/arm64 .', { platform: ['linux/amd64', 'linux/arm64'] }],
    [
      '-f, --target, several -t',
      'docker build -f docker/Dockerfile --target prod -t a -t b:2 ctx/',
      { file: 'docker/Dockerfile', target: 'prod', tags: ['a', 'b:2'], context: 'ctx/' },
    ],
    ['glued short flag', 'docker build -fDockerfile.ci .', { file: 'Dockerfile.ci' }],
    [
      'cache-to with mode=max',
      'docker buildx build --cache-to type=registry,ref=r/c,mode=max --cache-from type=registry,ref=r/c .',
      { cache_to: ['type=registry,ref=r/c,mode=max'], cache_from: ['type=registry,ref=r/c'] },
    ],
    ['continuations', 'docker build \\\n  --pull \\\n  -t x \\\n  .', { pull: true, tags: ['x'], context: '.' }],
    ['env prefix, sudo and subshell', '(cd app && DOCKER_BUILDKIT=1 sudo -E docker build -t x .)', { tool: 'docker build', context: '.' }],
    ['docker global options', 'docker --context ci --debug buildx build -t x .', { tool: 'docker buildx build' }],
    ['docker image build', 'docker image build -t x .', { tool: 'docker image build' }],
    ['docker builder build', 'docker builder build .', { tool: 'docker builder build' }],
    [
      'compose build',
      'docker compose -f ci.yml build --no-cache --build-arg A=1 web',
      { tool: 'docker compose build', no_cache: true, build_args: { A: '1' }, context: null },
    ],
    ['docker-compose build', 'docker-compose build --pull', { tool: 'docker compose build', pull: true }],
    ['compose options before build', 'docker compose --project-name p --progress plain build api', { tool: 'docker compose build', progress: 'plain' }],
    ['sh -c', `bash -c 'docker build -t x .'`, { tool: 'docker build', tags: ['x'] }],
    [
      'buildctl',
      'buildctl build --frontend dockerfile.v0 --local context=. --local dockerfile=. --opt build-arg:A=1 --opt target=t --opt filename=D --opt platform=linux/arm64 --import-cache type=registry,ref=r --export-cache type=inline --output type=image,name=img:1,push=true',
      {
        tool: 'buildctl build',
        build_args: { A: '1' },
        target: 't',
        file: 'D',
        platform: ['linux/arm64'],
        cache_from: ['type=registry,ref=r'],
        cache_to: ['type=inline'],
        context: '.',
        tags: ['img:1'],
      },
    ],
    ['absolute path to docker, comment after', '/usr/bin/docker build . # rebuild', { tool: 'docker build', context: '.' }],
  ] as const)('%s', (_name, line, expected) => {
    expect(parseBuildCommand(line)).toMatchObject(expected);
  });

  it.each([
    'docker buildx prune -f --filter until=48h',
    'docker builder prune -af',
    'docker run --rm build',
    'echo docker build .',
    'docker push registry/build:1',
    '#5 [2/4] RUN docker build .',
    'make build',
    'docker compose run build',
    'docker compose -f build.yml up',
    '',
  ])('%j runs no build', (line) => {
    expect(parseBuildCommand(line)).toBeNull();
  });

  it('keeps the command as written in text', () => {
    expect(parseBuildCommand('  docker build -t x .  ')?.text).toBe('docker build -t x .');
  });

  it('splits shell words without expanding variables', () => {
    expect(splitShellWords(`a "b $X" 'c $Y' \${Z} $(date +%s) d\\ e && f`)).toEqual([
      { kind: 'word', value: 'a' },
      { kind: 'word', value: 'b $X' },
      { kind: 'word', value: 'c $Y' },
      { kind: 'word', value: '${Z}' },
      { kind: 'word', value: '$(date +%s)' },
      { kind: 'word', value: 'd e' },
      { kind: 'op', value: '&&' },
      { kind: 'word', value: 'f' },
    ]);
  });

  it('never throws on unbalanced quotes', () => {
    expect(parseBuildCommand(`docker build --build-arg "A=1 .`)?.build_args).toEqual({ A: '1 .' });
  });

  it('never throws, whatever the text', () => {
    const pieces = fc.constantFrom(
      'docker',
      'build',
      'buildx',
      '--build-arg',
      'A=1',
      '"',
      "'",
      '\\\n',
      '$(',
      ')',
      '(',
      '&&',
      ';',
      '-t',
      '.',
      '#',
      '\t',
      'exit=0',
      'a.log',
      '\n',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 20 }), fc.string({ maxLength: 40 }), (words, noise) => {
        const text = words.join(' ') + noise;
        parseBuildCommand(text);
        findBuildCommands(text);
        parseCommandsFile(text);
      }),
      { numRuns: 500 },
    );
  });
});
