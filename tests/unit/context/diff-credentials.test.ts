/**
 * The context diff on generated contexts (every field it can name) and the credential-file detection.
 */
import { describe, expect, it } from 'vitest';
import { diffContexts, indexContext } from '../../../src/core/context/index.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import type { ContextIndex } from '../../../src/core/model.ts';
import { streamOf, wasmSha256, writeTar, type TarSpec } from './helpers.ts';

async function index(specs: TarSpec[], dockerignore?: string): Promise<ContextIndex> {
  const r = await indexContext(streamOf(writeTar(specs)), { name: 'ctx', hasher: await wasmSha256, dockerignore });
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

const BASE: TarSpec[] = [
  { name: 'Dockerfile', data: 'FROM scratch\n' },
  { name: 'conf/', flag: '5' },
  { name: 'conf/app.conf', data: 'port=1\n' },
  { name: 'conf/current', flag: '2', linkname: 'app.conf' },
  { name: 'conf/extra', data: 'x' },
  { name: 'bin/', flag: '5' },
  { name: 'bin/run.sh', data: 'echo\n', mode: 0o755 },
  { name: 'notes.txt', data: 'n' },
];

const plan = readDockerfile('FROM scratch\nCOPY conf/ /etc/conf/\nCOPY bin/*.sh /bin/\nCOPY notes.txt /\n', 'Dockerfile');

function change(specs: TarSpec[], name: string, patch: Partial<TarSpec> | null): TarSpec[] {
  return specs.flatMap((s) => (s.name !== name ? [s] : patch ? [{ ...s, ...patch }] : []));
}

describe('diffContexts', () => {
  it.each([
    ['content', change(BASE, 'conf/app.conf', { data: 'port=2\n' }), 0, [{ path: 'conf/app.conf', change: 'content', detail: '7 B, same size' }]],
    ['mode', change(BASE, 'bin/run.sh', { mode: 0o644 }), 1, [{ path: 'bin/run.sh', change: 'mode', detail: '0755 → 0644' }]],
    [
      'symlink target',
      change(BASE, 'conf/current', { linkname: 'other.conf' }),
      0,
      [{ path: 'conf/current', change: 'symlink', detail: 'app.conf → other.conf' }],
    ],
    [
      'type',
      change(BASE, 'conf/current', { flag: '0', linkname: undefined, data: 'app.conf' }),
      0,
      [{ path: 'conf/current', change: 'type', detail: 'symlink → file' }],
    ],
    ['xattr', change(BASE, 'notes.txt', { pax: { 'SCHILY.xattr.user.tag': 'v' } }), 2, [{ path: 'notes.txt', change: 'xattr' }]],
    ['removed', change(BASE, 'conf/extra', null), 0, [{ path: 'conf/extra', change: 'removed' }]],
    ['added', [...BASE, { name: 'bin/new.sh', data: 'new' }], 1, [{ path: 'bin/new.sh', change: 'added' }]],
    // Named with a caveat: BuildKit passes a directory's chmod on only to a fresh context transfer.
    [
      'directory mode',
      change(BASE, 'conf/', { mode: 0o700 }),
      0,
      [{ path: 'conf', change: 'mode', detail: '0755 → 0700', caveat: expect.stringMatching(/afresh/) }],
    ],
  ] as const)('names a %s change on the one step that covers it', async (_, after, stepAt, files) => {
    const a = await index(BASE);
    const b = await index(after as TarSpec[]);
    const diffs = diffContexts(a, b, plan);
    expect(diffs).toHaveLength(3);
    diffs.forEach((d, i) => {
      expect(d.changed, d.instruction).toBe(i === stepAt);
      expect(d.files, d.instruction).toEqual(i === stepAt ? files : []);
    });
  });

  it('names now-excluded and now-included when .dockerignore changes what is sent', async () => {
    const a = await index(BASE, 'conf/extra');
    const b = await index(BASE, 'notes.txt');
    const [conf, , notes] = diffContexts(a, b, plan);
    expect(conf!.files).toEqual([{ path: 'conf/extra', change: 'now-included' }]);
    expect(notes!.files).toEqual([{ path: 'notes.txt', change: 'now-excluded' }]);
    expect(notes!.after!.content_key).toBe('');
  });

  it('ignores mtime and owner changes', async () => {
    const a = await index(BASE);
    const b = await index(BASE.map((s) => ({ ...s, mtime: 1_800_000_000, uid: 1000 })));
    expect(diffContexts(a, b, plan).every((d) => !d.changed && d.files.length === 0)).toBe(true);
  });

  it('separates Dockerfile changes that count for COPY . .', async () => {
    const a = await index(BASE);
    const b = await index(change(BASE, 'Dockerfile', { data: 'FROM scratch\nRUN x\n' }));
    const dot = readDockerfile('FROM scratch\nCOPY . .\n', 'Dockerfile');
    const [d] = diffContexts(a, b, dot);
    expect(d!.changed).toBe(true);
    expect(d!.build_files).toEqual([{ path: 'Dockerfile', change: 'content', detail: '13 B → 19 B' }]);
  });

  it('compares with the matching step of a changed Dockerfile', async () => {
    const a = await index(BASE);
    const planB = readDockerfile('FROM scratch\nRUN true\nCOPY notes.txt /\n', 'Dockerfile');
    const diffs = diffContexts(a, a, plan, planB);
    expect(diffs.map((d) => [d.instruction, d.after?.instruction ?? null, d.changed])).toEqual([
      ['COPY conf/ /etc/conf/', null, true],
      ['COPY bin/*.sh /bin/', null, true],
      ['COPY notes.txt /', 'COPY notes.txt /', false],
    ]);
  });
});

describe('credential files in the context', () => {
  it('lists well-known secret files by name only, and .npmrc only with auth', async () => {
    const ix = await index(
      [
        { name: '.aws/credentials', data: '[default]\naws_secret_access_key=x\n' },
        { name: '.aws/config', data: '[default]\n' },
        { name: '.aws/cli/cache/abc.json', data: '{}' },
        { name: '.aws/sso/cache/def.json', data: '{}' },
        { name: 'app/.npmrc', data: 'registry=https://r\n//r/:_authToken=secret\n' },
        { name: 'lib/.npmrc', data: 'registry=https://r\n' },
        { name: '.env', data: 'A=1' },
        { name: 'prod.env', data: 'A=1' },
        { name: '.env.example', data: 'A=' },
        { name: 'home/.ssh/id_rsa', data: 'k' },
        { name: 'home/.ssh/id_rsa.pub', data: 'k' },
        { name: 'home/.ssh/id_ed25519', data: 'k' },
        { name: 'tls/server.pem', data: 'k' },
        { name: 'tls/server.key', data: 'k' },
        { name: '.git-credentials', data: 'k' },
        { name: '.docker/config.json', data: '{}' },
        { name: '.netrc', data: 'k' },
        { name: '.pypirc', data: 'k' },
        { name: '.kube/config', data: 'k' },
        { name: 'deploy/kubeconfig', data: 'k' },
        { name: 'src/environment.ts', data: 'k' },
        { name: 'ignored/.env', data: 'A=1' },
      ],
      'ignored',
    );
    expect(ix.credentials).toEqual([
      '.aws/cli/cache/abc.json',
      '.aws/config',
      '.aws/credentials',
      '.aws/sso/cache/def.json',
      '.docker/config.json',
      '.env',
      '.git-credentials',
      '.kube/config',
      '.netrc',
      '.pypirc',
      'app/.npmrc',
      'deploy/kubeconfig',
      'home/.ssh/id_ed25519',
      'home/.ssh/id_rsa',
      'prod.env',
      'tls/server.key',
      'tls/server.pem',
    ]);
    expect(JSON.stringify(ix)).not.toContain('secret');
  });

  it('finds npm auth split across chunk boundaries', async () => {
    const tar = writeTar([{ name: '.npmrc', data: 'x'.repeat(509) + '_authToken=1' }]);
    for (const size of [1, 3, 512, 515]) {
      const r = await indexContext(streamOf(tar, [size]), { name: 'ctx', hasher: await wasmSha256 });
      expect(r.ok && r.value.credentials, `chunks of ${size}`).toEqual(['.npmrc']);
    }
  });
});
