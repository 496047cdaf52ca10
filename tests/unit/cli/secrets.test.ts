/**
 * Secrets stay home: a case whose logs, build commands, Dockerfile and contexts carry AWS keys, GitHub,
 * GitLab and npm tokens, a private key and a proxy password. None of the values may reach the JSON, the
 * Markdown or the share link (decoded and searched), while the report still says what was removed and
 * that credential files are in the context.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { decodeShareLink } from '../../../src/core/report/index.ts';
import { runCli } from './run.ts';

const DIR = join(import.meta.dirname, 'fixtures/secrets');
const FILES = ['a.log', 'b.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(DIR, f));

const SECRETS: Record<string, string> = {
  'AWS access key': 'AKIAIOSFODNN7EXAMPLE',
  'AWS secret key': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  'GitHub token': 'ghp_R8x2Lq7Vn4Tz9Wc1Yb6Hd3Kf5Mj0Ps8Ga2Ue',
  'GitLab token': 'glpat-9Xy8Wv7Ut6Sr5Qp4On3M',
  'npm token': 'npm_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78',
  'proxy password': 'user:pass',
  'ENV password': 's3cr3t-Pa55word',
  'private key body': 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ',
};

/** The texts a value could hide in: as is, JSON-escaped, URL-encoded. */
function leaks(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value) || text.includes(JSON.stringify(value).slice(1, -1)) || text.includes(encodeURIComponent(value)))
    .map(([kind]) => kind);
}

describe('secrets never leave in any output', () => {
  it('the unredacted analysis does carry them (so the checks below can fail)', () => {
    const text = (f: string) => ({ name: f, text: readFileSync(join(DIR, f), 'utf8') });
    const { report } = analyze({ logs: [text('a.log'), text('b.log')], dockerfiles: [text('Dockerfile')], commands: [text('commands.txt')] });
    const json = JSON.stringify(report);
    expect(leaks(json)).toEqual(
      expect.arrayContaining(['AWS access key', 'AWS secret key', 'GitHub token', 'GitLab token', 'npm token', 'proxy password', 'ENV password']),
    );
  });

  it('--json contains none, lists the redactions by kind, keeps the build-arg names and the credential file names', async () => {
    const r = await runCli(['--json', ...FILES]);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout)).toEqual([]);
    expect(leaks(r.stderr)).toEqual([]);
    const report = JSON.parse(r.stdout);
    const redactions: string = report.redactions.join('\n');
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'NPM_TOKEN', 'http_proxy']) {
      expect(redactions).toContain(`build-arg value ${name}`);
      expect(report.commands[1].command.build_args[name]).toMatch(/^<redacted [A-Z]{1,3}>$/);
    }
    expect(redactions).toContain('GitLab token');
    expect(redactions).toContain('Dockerfile ENV/ARG/LABEL value');
    expect(leaks(redactions)).toEqual([]);
    expect(report.contexts[0].credentials).toEqual(expect.arrayContaining(['.aws/credentials', '.npmrc']));
    // Still a useful report: the real miss is named.
    expect(report.diagnosis.first_miss).toMatchObject({ index: 3, instruction: 'COPY app.conf /etc/app.conf' });
  });

  it('--markdown contains none and says credential files are in the context', async () => {
    const r = await runCli(['--markdown', ...FILES]);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('contains credential files');
    expect(r.stdout).toContain('`.aws/credentials`');
  });

  it('the default summary contains none', async () => {
    const r = await runCli(FILES);
    expect(r.code).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });

  it('--link contains none, in the URL or in the decoded report', async () => {
    const r = await runCli(['--link', ...FILES]);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(leaks(url)).toEqual([]);
    const decoded = await decodeShareLink(url);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(leaks(JSON.stringify(decoded.value))).toEqual([]);
    expect(decoded.value.redactions?.join('\n')).toContain('build-arg value GITHUB_TOKEN');
  });
});
