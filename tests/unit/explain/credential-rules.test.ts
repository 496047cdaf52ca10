/**
 * One rule for credential paths and one for secret names (issue 13: each was written twice and the two
 * copies matched different sets). The names below are the ones one side used to miss; the engine's
 * warnings now name them, as the context index and redaction do.
 */
import { describe, expect, it } from 'vitest';
import { credentialKind, isSecretName, namesCredentials } from '../../../src/core/context/credentials.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { diagnose } from '../../../src/core/explain/index.ts';
import { cmd, trace } from './synthetic.ts';

/** Context files the context index used to miss (only the COPY-source check knew them). */
const CONTEXT_USED_TO_MISS = [
  'app/credentials.json',
  'svc/credentials',
  'home/.ssh/config',
  'home/.gnupg/private-keys-v1.d/ABC.key',
  '.config/gcloud/application_default_credentials.json',
  '.azure/accessTokens.json',
  '.aws/sso/other.json',
  'keys/id_rsa_deploy',
];

/** COPY sources the warning used to miss (only the context index knew them). */
const COPY_USED_TO_MISS = [
  '.env',
  'prod.env',
  '.env.production',
  'tls/server.pem',
  'tls/server.key',
  'id_ecdsa',
  'id_dsa',
  'deploy/kubeconfig',
  'a.kubeconfig',
];

/** Neither side counts these: public halves, templates, and look-alike source files. */
const NOT_CREDENTIALS = ['home/.ssh/id_rsa.pub', 'home/.ssh/known_hosts', '.env.example', 'src/environment.ts', 'pkg/gcloud/client.go', 'docs/credentials.md'];

describe('credential paths, one rule', () => {
  it('a context file counts when either former list knew it', () => {
    for (const path of [...CONTEXT_USED_TO_MISS, ...COPY_USED_TO_MISS]) expect(credentialKind(path), path).toBe('always');
    expect(credentialKind('app/.npmrc')).toBe('npmrc');
  });

  it('a COPY source counts when it is a credential file or a folder of them, as written', () => {
    for (const source of [...CONTEXT_USED_TO_MISS, ...COPY_USED_TO_MISS, './.aws/', '.ssh', '.kube/', '.npmrc'])
      expect(namesCredentials(source), source).toBe(true);
  });

  it('public keys, templates and look-alikes count on neither side', () => {
    for (const path of NOT_CREDENTIALS) {
      expect(credentialKind(path), path).toBeNull();
      expect(namesCredentials(path), path).toBe(false);
    }
  });
});

describe('secret names, one rule', () => {
  it('the warning now knows the names redaction always hid', () => {
    for (const name of ['NPM_AUTH', 'DB_PWD', 'APIKEY', 'api-key', 'access-key', 'GITHUB_TOKEN', 'DB_PASSWORD', 'AWS_SECRET_ACCESS_KEY'])
      expect(isSecretName(name), name).toBe(true);
    for (const name of ['APP_MODE', 'VERSION', 'REPO_HASH', 'GIT_TREE', 'AUTHOR', 'AUTHORS_FILE', 'git_author_name'])
      expect(isSecretName(name), name).toBe(false);
  });

  it('the diagnosis warns of a COPY of prod.env and of a build arg named NPM_AUTH', () => {
    const FROM = 'FROM docker.io/library/alpine:3.19';
    const traces = [
      trace(
        {
          steps: [
            ['[1/2]', FROM, 'CACHED'],
            ['[2/2]', 'COPY prod.env /app/', 'CACHED'],
          ],
        },
        'a.log',
      ),
      trace(
        {
          steps: [
            ['[1/2]', FROM, 'CACHED'],
            ['[2/2]', 'COPY prod.env /app/', 'DONE'],
          ],
        },
        'b.log',
      ),
    ];
    const d = diagnose({
      traces,
      plans: [readDockerfile('FROM alpine:3.19\nCOPY prod.env /app/\n', 'Dockerfile')],
      commands: [cmd('docker build --build-arg NPM_AUTH=a .'), cmd('docker build --build-arg NPM_AUTH=b .')],
    });
    const warnings = d.warnings ?? [];
    expect(warnings.find((w) => w.kind === 'credentials')?.message).toMatch(/copies `prod\.env` into a layer/);
    expect(warnings.find((w) => w.kind === 'build-arg-secret')?.message).toMatch(/^Build arg NPM_AUTH looks like a secret/);
  });
});
