/**
 * The public JSON is snake_case throughout: every key of the reports the CLI writes for every kind of
 * fixture (BuildKit logs of each era, tty, rawjson, legacy builder, build records and `history inspect`
 * files, contexts, commands, public logs), in each form a report leaves in (`--json`, the compact form
 * of a link, a link decoded, `check --report x.json`). A camelCase key fails, wherever it appears,
 * except inside the maps of user data named in upgrade-keys.ts.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compactReport, decodeShareLink } from '../../../src/core/report/index.ts';
import { runCli } from '../cli/run.ts';
import { keyPaths, notSnakeCase, USER_DATA_MAPS } from './upgrade-keys.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');

const existing = (dir: string, files: string[]): string[] => files.map((f) => join(dir, f)).filter(existsSync);

/** Each fixture case, once per kind of input it holds. */
function cases(): { name: string; files: string[] }[] {
  const out: { name: string; files: string[] }[] = [];
  for (const group of ['lab', 'lab-modern', 'lab-2026', 'real-buildkit', 'real-gate', 'checksum']) {
    for (const entry of readdirSync(join(FIXTURES, group), { withFileTypes: true }).filter((d) => d.isDirectory())) {
      const dir = join(FIXTURES, group, entry.name);
      const name = `${group}/${entry.name}`;
      const has = (file: string) => existsSync(join(dir, file));
      if (has('a.log'))
        out.push({ name, files: existing(dir, ['a.log', 'b.log', 'Dockerfile', 'Dockerfile.b', 'commands.txt', 'context-a.tar', 'context-b.tar']) });
      if (has('a.rawjson.log')) out.push({ name: `${name} rawjson`, files: existing(dir, ['a.rawjson.log', 'b.rawjson.log', 'Dockerfile', 'commands.txt']) });
      if (has('legacy-a.log')) out.push({ name: `${name} legacy`, files: existing(dir, ['legacy-a.log', 'legacy-b.log', 'Dockerfile']) });
      if (has('a.dockerbuild'))
        out.push({ name: `${name} records`, files: existing(dir, ['a.dockerbuild', 'b.dockerbuild', 'context-a.tar', 'context-b.tar']) });
      if (has('a.history.json')) {
        out.push({
          name: `${name} history`,
          files: existing(dir, ['a.history-logs.log', 'b.history-logs.log', 'a.history.json', 'b.history.json', 'Dockerfile']),
        });
      }
    }
  }
  out.push({ name: 'seed forum post', files: [join(FIXTURES, 'seed/forum-post.txt')] });
  for (const log of readdirSync(join(FIXTURES, 'public')).filter((f) => f.endsWith('.log')))
    out.push({ name: `public/${log}`, files: [join(FIXTURES, 'public', log)] });
  return out;
}

const CASES = cases();
const seen = new Set<string>();
const scratch = mkdtempSync(join(tmpdir(), 'cachewhy-keys-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('every key of every report is snake_case', () => {
  it('finds every kind of fixture', () => {
    const kinds = ['rawjson', 'legacy', 'records', 'history', 'public/', 'real-buildkit/', 'lab-2026/'];
    for (const kind of kinds)
      expect(
        CASES.some((c) => c.name.includes(kind)),
        kind,
      ).toBe(true);
    expect(CASES.length).toBeGreaterThan(150);
  });

  for (const c of CASES) {
    it(`${c.name}: --json and its compact form`, async () => {
      const r = await runCli(['--json', ...c.files]);
      expect(r.code, r.stderr).toBe(0);
      const report: unknown = JSON.parse(r.stdout);
      expect(notSnakeCase(report)).toEqual([]);
      expect(notSnakeCase(compactReport(report as never))).toEqual([]);
      for (const path of keyPaths(report)) seen.add(path);
    });
  }

  // One case of each group also through the link and the gate (the same report, other doors).
  const doors = ['lab/seed-replica', 'lab-modern/multistage rawjson', 'lab-2026/arg-used records', 'lab-2026/env-change history', 'real-gate/arg-timestamp'];
  for (const name of doors) {
    it(`${name}: the link decoded and check --report x.json`, async () => {
      const files = CASES.find((c) => c.name === name)!.files;
      const link = await runCli(['--link', ...files]);
      const decoded = await decodeShareLink(link.stdout.trim());
      expect(decoded.ok).toBe(true);
      if (decoded.ok) expect(notSnakeCase(decoded.value)).toEqual([]);
      const file = join(scratch, `${name.replace(/\W+/g, '-')}.json`);
      await runCli(['check', '--report', file, ...files]);
      expect(notSnakeCase(JSON.parse(readFileSync(file, 'utf8')))).toEqual([]);
    });
  }

  it('saw the fields that were camelCase in schema v1, and the user-data maps', () => {
    for (const path of [
      'builds[].builder.digest_lines',
      'builds[].base_images[].metadata_digest',
      'builds[].base_images[].image_id',
      'commands[].command.no_cache_filter',
      'contexts[].modes_known',
      'contexts[].keys[].cache_db_key',
      'diagnosis.context_diffs[].before.edge_selector',
      'diagnosis.context_diffs[].build_files',
      ...USER_DATA_MAPS,
    ]) {
      expect(seen, path).toContain(path);
    }
  });
});
