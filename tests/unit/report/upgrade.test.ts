/**
 * Reports and links of schema v1 (camelCase fields, tests/fixtures/reports/, written by the last version
 * that wrote v1) still open in every reader — report validator, share links of each format, the CLI, the
 * app's file opener — in the current shape, equal to the report the current code makes of the same inputs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA, type Report } from '../../../src/core/model.ts';
import { decodeShareLink, encodeShareLinkDetailed, readReport, redactReport, validateReport } from '../../../src/core/report/index.ts';
import { fromBase64Url } from '../../../src/core/report/share.ts';
import { squeezeReport } from '../../../src/core/report/share-predict.ts';
import type { Json } from '../../../src/core/report/share-pack.ts';
import { upgradeReport, V1_RENAMES } from '../../../src/core/report/upgrade.ts';
import { parseReportJson } from '../../../src/ui/report-file.ts';
import { runCli } from '../cli/run.ts';
import { notSnakeCase } from './upgrade-keys.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const SAVED = join(FIXTURES, 'reports');

/** Each saved report and the inputs it was made from (tests/fixtures/reports/README.md). */
const CASES: { name: string; dir: string; files: string[] }[] = [
  { name: 'seed-replica', dir: 'lab/seed-replica', files: ['a.log', 'b.jenkins.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'] },
  { name: 'dockerignore-change', dir: 'lab/dockerignore-change', files: ['a.log', 'b.log', 'Dockerfile', 'commands.txt', 'context-a.tar', 'context-b.tar'] },
  { name: 'arg-unused-legacy', dir: 'lab/arg-unused', files: ['legacy-a.log', 'legacy-b.log', 'Dockerfile'] },
  { name: 'base-image-updated', dir: 'lab/base-image-updated', files: ['a.log', 'b.log', 'Dockerfile', 'commands.txt'] },
];

const savedText = (name: string): string => readFileSync(join(SAVED, `${name}.v1.json`), 'utf8');
const LINKS = JSON.parse(readFileSync(join(SAVED, 'share-links-v1.json'), 'utf8')) as Record<string, Record<'r=1' | 'r=2' | 'r=3', string>>;

/**
 * Prose is the explainers' to reword, and the engine adds fields over time (a cause's sub-kind, …): what
 * must hold is that every fact of the old report is in the new one, at the same place, with the same
 * value. So prose is compared as "text is there" and the new report may hold more fields.
 */
const PROSE = new Set(['summary', 'evidence', 'verdict', 'explanation', 'key_parts', 'to_tell_apart', 'title', 'detail', 'notes', 'message', 'caveat']);

function factsOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(factsOf);
  // A hidden value is a fact ("hidden"); which marker hides it (`<redacted>`, later `<redacted A>`) is wording.
  if (typeof value === 'string') return value.replace(/<redacted(?: [A-Z]{1,3})?>/g, '<hidden>');
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, PROSE.has(key) ? (Array.isArray(field) ? 'texts' : 'text') : factsOf(field)]));
}

describe('a saved v1 report', () => {
  for (const c of CASES) {
    it(`${c.name}: opens in the current shape, with every fact of the report the current code makes`, async () => {
      const old: unknown = JSON.parse(savedText(c.name));
      expect((old as Report).schema).toBe('cachewhy.report/v1');
      // The fixture really is of the old shape: the check below would see its camelCase keys.
      expect(notSnakeCase(old)).not.toEqual([]);
      expect(validateReport(old)).toMatch(/schema/);

      const read = readReport(old);
      if (!read.ok) throw new Error(read.problem);
      expect(read.report.schema).toBe(REPORT_SCHEMA);
      expect(notSnakeCase(read.report)).toEqual([]);

      const fresh = await runCli(['--json', ...c.files.map((f) => join(FIXTURES, c.dir, f))]);
      expect(fresh.code, fresh.stderr).toBe(0);
      expect(factsOf(JSON.parse(fresh.stdout))).toMatchObject(factsOf(read.report) as object);
    });
  }

  it('prints through the CLI as the current schema, and the gate reads it', async () => {
    const r = await runCli(['--json', join(SAVED, 'seed-replica.v1.json')]);
    expect(r.code, r.stderr).toBe(0);
    const printed = JSON.parse(r.stdout) as Report;
    expect(printed.schema).toBe(REPORT_SCHEMA);
    expect(notSnakeCase(printed)).toEqual([]);
    expect(printed.commands?.[0]?.command.cache_from).toEqual(['127.0.0.1:5000/lab/seed-replica:latest']);
    expect(Object.keys(printed.commands?.[0]?.command.build_args ?? {})).toContain('REPO_HASH');
    expect(printed.diagnosis?.first_miss).toMatchObject({ stage: null, index: 2 });

    const gate = await runCli(['check', join(SAVED, 'seed-replica.v1.json')]);
    expect(gate.code, gate.stderr).toBe(1);
    expect(gate.stdout).toMatch(/\[2\/34\] ADD/);
  });

  it("opens in the app's file opener", () => {
    const opened = parseReportJson(savedText('dockerignore-change'), 'old.json');
    expect(opened.ok).toBe(true);
    if (opened.ok) {
      expect(opened.value.schema).toBe(REPORT_SCHEMA);
      expect(opened.value.diagnosis?.context_diffs?.some((diff) => diff.build_files?.length)).toBe(true);
      expect(opened.value.contexts?.every((context) => typeof context.root_digest === 'string' && typeof context.modes_known === 'boolean')).toBe(true);
    }
  });

  it('is refused as newer when it claims a later schema, as before', async () => {
    const later = savedText('arg-unused-legacy').replace('cachewhy.report/v1', 'cachewhy.report/v99');
    expect(parseReportJson(later, 'later.json')).toMatchObject({ ok: false, problem: { message: /newer cachewhy/ } });
    expect(readReport(JSON.parse(later)).ok).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'cachewhy-later-'));
    try {
      writeFileSync(join(dir, 'later.json'), later);
      const r = await runCli(['--json', join(dir, 'later.json')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/later\.json: was written by a newer cachewhy \(cachewhy\.report\/v99\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a v1 share link', () => {
  for (const c of CASES) {
    it(`${c.name}: formats 1, 2 and 3 open as the report they carried, upgraded`, async () => {
      // Format 1 is the JSON itself: what every format of this link carried, in v1's shape.
      const carried: unknown = JSON.parse(inflateRawSync(fromBase64Url(LINKS[c.name]!['r=1'].slice(4))!).toString('utf8'));
      expect(notSnakeCase(carried)).not.toEqual([]);
      const expected = upgradeReport(carried);
      for (const format of ['r=1', 'r=2', 'r=3'] as const) {
        const decoded = await decodeShareLink(`https://example.org/cachewhy/#${LINKS[c.name]![format]}`);
        expect(decoded, `${format}`).toEqual({ ok: true, value: expected });
        if (decoded.ok) expect(notSnakeCase(decoded.value)).toEqual([]);
      }
    });
  }

  it('prints through the CLI as the current schema', async () => {
    const r = await runCli(['--json', `https://example.org/cachewhy/#${LINKS['seed-replica']!['r=3']}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: REPORT_SCHEMA, link_omitted: expect.any(Array) });
  });
});

describe('upgradeReport', () => {
  const v1 = () => JSON.parse(savedText('dockerignore-change')) as Record<string, unknown>;

  it('leaves its input as it was', () => {
    const input = v1();
    const before = JSON.stringify(input);
    upgradeReport(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('returns a current report, and anything that is not a v1 report, as it is', () => {
    const current = readReport(v1());
    if (!current.ok) throw new Error(current.problem);
    expect(upgradeReport(current.report)).toBe(current.report);
    for (const other of [null, 7, 'x', [], { schema: 'something/else', buildArgs: {} }, { schema: 'cachewhy.report/v3' }])
      expect(upgradeReport(other)).toBe(other);
  });

  it('keeps the order of the fields, and renames a field only where v1 had it', () => {
    const upgraded = upgradeReport(v1()) as Report;
    expect(Object.keys(upgraded.contexts![0]!)).toEqual(['source', 'kind', 'modes_known', 'root_digest', 'keys']);
    // A build arg named like a v1 field is the user's data: it keeps its name.
    const odd = {
      schema: 'cachewhy.report/v1',
      builds: [],
      diagnosis: null,
      commands: [{ build: 0, source: 'c.txt', command: { text: 'docker build .', buildArgs: { noCache: '1', cacheFrom: null }, noCache: true } }],
      extra: { noCache: true },
    };
    expect(upgradeReport(odd)).toMatchObject({
      schema: REPORT_SCHEMA,
      commands: [{ command: { build_args: { noCache: '1', cacheFrom: null }, no_cache: true } }],
      extra: { noCache: true },
    });
  });

  it('is total on damaged and hostile shapes', () => {
    const damaged = {
      schema: 'cachewhy.report/v1',
      builds: [7, { builder: 'x' }, { base_images: {} }],
      contexts: 'none',
      diagnosis: { context_diffs: [null, { before: [] }] },
    };
    expect(() => upgradeReport(damaged)).not.toThrow();
    const hostile = JSON.parse('{"schema":"cachewhy.report/v1","builds":[],"diagnosis":null,"contexts":[{"__proto__":{"polluted":1},"rootDigest":"d"}]}');
    const upgraded = upgradeReport(hostile) as { contexts: object[] };
    expect(Object.hasOwn(upgraded.contexts[0]!, '__proto__')).toBe(true);
    expect(upgraded.contexts[0]).toMatchObject({ root_digest: 'd' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names every v1 field once, and only camelCase names, each to its snake_case', () => {
    const from = V1_RENAMES.flatMap((r) => Object.entries(r.names).map(([old, now]) => `${r.at}.${old}→${now}`));
    expect(new Set(from).size).toBe(from.length);
    for (const entry of V1_RENAMES.flatMap((r) => Object.entries(r.names))) {
      expect(entry[0]).toMatch(/[A-Z]/);
      expect(entry[1]).toBe(entry[0].replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`));
    }
  });
});

describe('links of the current schema', () => {
  it('still predict the content keys from their selectors (the v2 field names)', async () => {
    const c = CASES[1]!;
    const r = await runCli(['--json', ...c.files.map((f) => join(FIXTURES, c.dir, f))]);
    const report = redactReport(JSON.parse(r.stdout) as Report).report;
    const squeezed = squeezeReport(report as unknown as Json) as unknown as Report;
    const keys = squeezed.contexts!.flatMap((context) => context.keys);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect([key.content_key, key.cache_db_key, key.edge_selector]).toEqual([true, true, true]);
    const link = await encodeShareLinkDetailed(report);
    expect(await decodeShareLink(link.fragment)).toEqual({ ok: true, value: report });
  });
});
