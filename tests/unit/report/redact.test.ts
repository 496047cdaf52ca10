import { describe, expect, it } from 'vitest';
import { redactReport, scrubSecrets, REDACTED } from '../../../src/core/report/index.ts';
import { scrubBuildArgFlags } from '../../../src/core/report/secrets.ts';
import { dockerBuild, sampleReport } from './sample.ts';

/** One line per family the scanner must catch: [kind, text, the secret value that must disappear]. */
const SECRETS: [string, string, string][] = [
  ['AWS access key', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  ['AWS secret key', 'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['AWS secret key', 'export KEY wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  ['GitHub token', 'git clone https://x-access:ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8@github.com/o/r', 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'],
  ['GitHub token', 'GH=ghs_16C7e42F292c6912E7710c838347Ae178B4a', 'ghs_16C7e42F292c6912E7710c838347Ae178B4a'],
  [
    'GitHub token',
    'token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ',
  ],
  ['GitLab token', 'CI: glpat-xxYYzz0011223344556677 used', 'glpat-xxYYzz0011223344556677'],
  ['npm token', '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['npm token', '//npm.example.com/:_authToken=5f1e0c1c-1111-2222-3333-444455556666', '5f1e0c1c-1111-2222-3333-444455556666'],
  ['URL credentials', 'https_proxy=http://user:pass@proxy.corp:3128', 'user:pass'],
  ['Slack token', 'SLACK=xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
  ['JWT', 'Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'eyJhbGciOiJIUzI1NiJ9'],
  ['secret value', 'DB_PASSWORD=hunter2hunter2', 'hunter2hunter2'],
  ['secret value', '{"api_key": "k-1234567890"}', 'k-1234567890'],
  ['private key', '-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA7 -----END RSA PRIVATE KEY-----', 'MIIEpAIBAAKCAQEA7'],
];

describe('scrubSecrets', () => {
  for (const [kind, text, value] of SECRETS) {
    it(`removes a ${kind} from "${text.slice(0, 36)}…"`, () => {
      const r = scrubSecrets(text);
      expect(r.text).not.toContain(value);
      expect(r.text).toContain(REDACTED);
      expect(r.kinds).toContain(kind);
      expect(scrubSecrets(r.text).text).toBe(r.text); // idempotent
    });
  }

  const HARMLESS = [
    '#7 sha256:5d29f3c6631a503444d5e28e6bf29b111e976dc0460f47f878a6906443345f22',
    'REPO_HASH 3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d',
    '[stage-0  2/34] ADD model/Dockerfile/om-datasci-base/.aws/ /root/.aws',
    'RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci',
    '#3 [auth] library/ubuntu:pull token for registry-1.docker.io',
    'FROM docker.io/library/ubuntu:focal@sha256:82becede498899ec668628e7cb0ad87b6e1c371cb8a1e597d83a47fac21d6af3',
    'COPY /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /x',
    // cachewhy's own evidence line for a file .dockerignore no longer excludes
    'secret.env: now-included',
  ];
  for (const text of HARMLESS) {
    it(`keeps harmless text intact: "${text.slice(0, 40)}…"`, () => {
      expect(scrubSecrets(text)).toEqual({ text, kinds: [] });
    });
  }
});

describe('build-arg flags', () => {
  it('replaces every value and keeps every name', () => {
    const text = 'docker build --build-arg A=1 --build-arg=B="two words" --build-arg "C=x" --build-arg D .';
    const r = scrubBuildArgFlags(text);
    expect(r.text).toBe(`docker build --build-arg A=${REDACTED} --build-arg=B=${REDACTED} --build-arg "C=${REDACTED}" --build-arg D .`);
  });
});

describe('redactReport', () => {
  function reportWithSecrets() {
    const report = sampleReport();
    report.commands = [
      dockerBuild(
        1,
        'b.log',
        'docker build --build-arg REPO_HASH=3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d --build-arg http_proxy=http://user:pass@proxy:3128 .',
        { REPO_HASH: '3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d', http_proxy: 'http://user:pass@proxy:3128', FROM_ENV: null },
      ),
    ];
    report.diagnosis!.causes[0]!.evidence.push('build-arg REPO_HASH: 3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d');
    report.builds[1]!.errors = [
      {
        step: null,
        message: 'failed: AKIAIOSFODNN7EXAMPLE',
        lines: ['-----BEGIN OPENSSH PRIVATE KEY-----', 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ', '-----END OPENSSH PRIVATE KEY-----', 'after'],
      },
    ];
    report.dockerfile = {
      source: 'Dockerfile',
      lines: [
        'FROM lab/base:1',
        'ARG REPO_HASH',
        'ARG LEVEL=3',
        'ENV TOKEN=abc123 \\',
        '    OTHER="x y"',
        'ENV LEGACY some value',
        'LABEL maintainer="me@example.com"',
        'RUN echo ok',
      ],
    };
    return report;
  }

  it('removes build-arg values everywhere, keeps names, and lists what went', () => {
    const before = reportWithSecrets();
    const { report, redactions } = redactReport(before);
    const json = JSON.stringify(report);
    for (const value of [
      '3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d',
      'user:pass',
      'AKIAIOSFODNN7EXAMPLE',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
      'abc123',
      'x y',
      'some value',
      'me@example.com',
    ]) {
      expect(JSON.stringify(before)).toContain(value.replace(/"/g, '\\"'));
      expect(json).not.toContain(value);
    }
    // One marker per distinct value, the same wherever it is quoted.
    expect(report.commands![0]!.command.build_args).toEqual({ REPO_HASH: '<redacted A>', http_proxy: '<redacted B>', FROM_ENV: null });
    expect(report.commands![0]!.command.text).toContain('--build-arg REPO_HASH=<redacted A> --build-arg http_proxy=<redacted B>');
    expect(report.builds[1]!.errors![0]!.lines.at(-1)).toBe('after');
    expect(report.redactions).toEqual(redactions);
    const listed = redactions.join('\n');
    expect(listed).toContain('build-arg value REPO_HASH');
    expect(listed).toContain('AWS access key');
    expect(listed).toContain('private key');
    expect(listed).not.toContain('AKIAIOSFODNN7EXAMPLE');
  });

  it('keeps Dockerfile line numbers and instructions, drops ENV/ARG/LABEL values', () => {
    const { report } = redactReport(reportWithSecrets());
    expect(report.dockerfile!.lines).toEqual([
      'FROM lab/base:1',
      'ARG REPO_HASH',
      `ARG LEVEL=${REDACTED}`,
      `ENV TOKEN=${REDACTED} \\`,
      `    OTHER=${REDACTED}`,
      `ENV LEGACY ${REDACTED}`,
      `LABEL maintainer=${REDACTED}`,
      'RUN echo ok',
    ]);
  });

  it('does not modify its input and is idempotent', () => {
    const input = reportWithSecrets();
    const snapshot = JSON.stringify(input);
    const once = redactReport(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    const twice = redactReport(once.report);
    expect(twice.report).toEqual(once.report);
  });

  it('leaves a report without secrets unchanged and lists nothing', () => {
    const report = sampleReport();
    const r = redactReport(report);
    expect(r.redactions).toEqual([]);
    expect(r.report).toEqual(report);
  });
});

describe('short build-arg values', () => {
  it('are removed after their arg name, and left alone elsewhere', () => {
    const report = sampleReport();
    report.commands = [0, 1].map((build) => dockerBuild(build, 'commands.txt', `docker build --build-arg V=${build + 1} .`, { V: String(build + 1) }));
    report.diagnosis!.verdict = 'Step 2/3 `RUN echo` missed because the build arg V changed (1 → 2); 1 step after it was rebuilt.';
    const { report: out } = redactReport(report);
    // The two values get two markers, so the change still reads as one; a short value goes after its name.
    expect(out.diagnosis!.verdict).toBe(
      'Step 2/3 `RUN echo` missed because the build arg V changed (<redacted A> → <redacted B>); <redacted A> step after it was rebuilt.',
    );
    expect(out.builds[1]!.steps.map((s) => s.index)).toEqual([1, 2, 3, 4]);
    expect(out.diagnosis!.steps[0]!.instruction).toBe(report.diagnosis!.steps[0]!.instruction);
  });
});

describe('Dockerfile values', () => {
  it('a secret-named ENV value is removed from evidence too; a plain ENV value stays readable there', () => {
    const report = sampleReport();
    report.dockerfile = { source: 'Dockerfile', lines: ['FROM x', 'ENV DB_PASSWORD="pa ss" APP_MODE=prod'] };
    report.diagnosis!.causes[0]!.evidence.push('Dockerfile:2 changed: pa ss', 'APP_MODE: dev → prod');
    const { report: out } = redactReport(report);
    expect(out.dockerfile!.lines[1]).toBe(`ENV DB_PASSWORD=${REDACTED} APP_MODE=${REDACTED}`);
    expect(out.diagnosis!.causes[0]!.evidence.slice(-2)).toEqual(['Dockerfile:2 changed: <redacted A>', 'APP_MODE: dev → prod']);
  });
});
