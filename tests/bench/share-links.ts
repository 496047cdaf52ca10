/**
 * Share-link lengths on the built-in example and every lab case: format 1 as it was written, format 2
 * as written now, and each layer of format 2 alone (README-share.md has the table this prints).
 * Run: node --import tsx tests/bench/share-links.ts
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Report } from '../../src/core/model.ts';
import { compactReport, encodeShareLinkDetailed, redactReport, SHARE_LINK_SOFT_LIMIT } from '../../src/core/report/index.ts';
import { SHARE_DICTIONARY } from '../../src/core/report/share-dictionary.ts';
import { pack, type Json } from '../../src/core/report/share-pack.ts';
import { squeezeReport } from '../../src/core/report/share-predict.ts';
import { runCli } from '../unit/cli/run.ts';

const LAB = resolve(import.meta.dirname, '../fixtures/lab');
const BASE = 'http://127.0.0.1:5173/';
/** `http://127.0.0.1:5173/#r=N.` in front of every payload. */
const PREFIX = BASE.length + '#r=1.'.length;

const chars = (bytes: number): number => PREFIX + Math.ceil((bytes * 4) / 3);
const deflate = (bytes: Uint8Array, dictionary?: Uint8Array): number => deflateRawSync(bytes, { level: 9, ...(dictionary ? { dictionary } : {}) }).length;

/** Each variant: the whole URL's length for one report. */
const VARIANTS: Record<string, (r: Report) => number> = {
  'json+deflate (r=1)': (r) => chars(deflate(new TextEncoder().encode(JSON.stringify(r)))),
  'json+dict': (r) => chars(deflate(new TextEncoder().encode(JSON.stringify(r)), SHARE_DICTIONARY)),
  'predict+json+deflate': (r) => chars(deflate(new TextEncoder().encode(JSON.stringify(squeezeReport(r as unknown as Json))))),
  'binary+deflate': (r) => chars(deflate(pack(r as unknown as Json))),
  'predict+binary+deflate': (r) => chars(deflate(pack(squeezeReport(r as unknown as Json)))),
  'predict+json+dict': (r) => chars(deflate(new TextEncoder().encode(JSON.stringify(squeezeReport(r as unknown as Json))), SHARE_DICTIONARY)),
  'predict+binary+dict (r=2)': (r) => chars(deflate(pack(squeezeReport(r as unknown as Json)), SHARE_DICTIONARY)),
};

function argvFor(name: string): string[] {
  const b = name === 'seed-replica' ? 'b.jenkins.log' : 'b.log';
  return ['a.log', b, 'Dockerfile', 'Dockerfile.b', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(LAB, name, f)).filter(existsSync);
}

/** Format 1's choice: the full report when its link fits the soft limit, else the compact one. */
function v1Form(safe: Report): Report {
  return VARIANTS['json+deflate (r=1)']!(safe) - BASE.length <= SHARE_LINK_SOFT_LIMIT - 256 ? safe : compactReport(safe);
}

const rows: string[] = [];
for (const name of readdirSync(LAB).filter((n) => existsSync(join(LAB, n, 'a.log')))) {
  const run = await runCli(['--json', ...argvFor(name)]);
  // The CLI names inputs by their paths; the app and the example name them by file name.
  const report = JSON.parse(run.stdout.replaceAll(`${join(LAB, name)}/`, '')) as Report;
  const safe = redactReport(report).report;
  const before = v1Form(safe);
  const after = await encodeShareLinkDetailed(report);
  const form = before === safe ? 'full' : 'compact';
  const cells = Object.values(VARIANTS).map((variant) => variant(before));
  rows.push(`| ${name === 'seed-replica' ? 'seed-replica (the example)' : name} | ${form} | ${cells.join(' | ')} | ${BASE.length + 1 + after.size} |`);
}
console.log(`| case | form | ${Object.keys(VARIANTS).join(' | ')} | written now |`);
console.log(
  `|---|---|${Object.keys(VARIANTS)
    .map(() => '---:')
    .join('|')}|---:|`,
);
for (const row of rows) console.log(row);
