/**
 * Secrets stay home: a generated case (tests/fixtures/hostile/secrets/make.ts) carries AWS keys, GitHub,
 * GitLab and npm tokens, a private key, a proxy password and .env values in its logs (command line AND
 * step output), commands file, Dockerfile and contexts. The JSON, the Markdown and the share link (raw
 * fragment and decoded report) must hold none of them, and still say that credential files are in the
 * context and sent to the build.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeShareLink } from '../../../src/core/report/index.ts';
import { makeSecretsCase, SECRETS } from '../../fixtures/hostile/secrets/make.ts';
import { runCli } from '../cli/run.ts';

const dir = mkdtempSync(join(tmpdir(), 'cachewhy-secrets-'));
const files = makeSecretsCase();
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
const ARGS = ['a.log', 'b.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(dir, f));

/** Every form a value could take in an output: as is, JSON-escaped, URL-encoded, base64url-free text. */
function leaks(text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, v]) => [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v), v.slice(0, 16)].some((form) => text.includes(form)))
    .map(([kind]) => kind);
}

describe('secrets never leave, whatever the output', () => {
  it('the inputs really carry every secret (so the checks below can fail)', () => {
    const all = Object.values(files)
      .map((f) => (typeof f === 'string' ? f : new TextDecoder().decode(f)))
      .join('\n');
    expect(leaks(all).sort()).toEqual(Object.keys(SECRETS).sort());
  });

  it('--json: none of them, and the credential files are named', async () => {
    const r = await runCli(['--json', ...ARGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    const report = JSON.parse(r.stdout);
    expect(report.contexts[0].credentials).toEqual(expect.arrayContaining(['.aws/credentials', '.npmrc', '.env']));
    // `COPY . /src` bakes them into a layer: the report says so, by name, without a value.
    const warnings: { kind: string; message: string }[] = report.diagnosis?.warnings ?? [];
    const baked = warnings
      .filter((w) => w.kind === 'credentials')
      .map((w) => w.message)
      .join('\n');
    for (const name of ['.aws/credentials', '.npmrc', '.env']) expect(baked).toContain(name);
  });

  it('--markdown: none of them, and it says a credential file is in the context', async () => {
    const r = await runCli(['--markdown', ...ARGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
    expect(r.stdout).toMatch(/credential/i);
    expect(r.stdout).toContain('.aws/credentials');
  });

  it('--link: none in the raw fragment, none in the decoded report', async () => {
    const r = await runCli(['--link', ...ARGS]);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(leaks(url)).toEqual([]);
    const decoded = await decodeShareLink(url);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(leaks(JSON.stringify(decoded.value))).toEqual([]);
    expect(JSON.stringify(decoded.value.contexts)).toMatch(/\.aws\/credentials/);
  });

  it('the default summary: none of them', async () => {
    const r = await runCli(ARGS);
    expect(leaks(r.stdout + r.stderr)).toEqual([]);
  });
});
