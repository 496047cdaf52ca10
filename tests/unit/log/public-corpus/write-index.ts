/**
 * Writes the provenance table of `tests/fixtures/public/README.md` from the sidecar JSONs (between the
 * index markers): `node --import tsx tests/unit/log/public-corpus/write-index.ts`. A test checks it is current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_DIR, loadCorpus } from './corpus.ts';

export const BEGIN = '<!-- index:begin -->';
export const END = '<!-- index:end -->';

export function indexTable(): string {
  const rows = loadCorpus().map((e) => {
    const steps = e.builds.reduce((n, b) => n + b.steps.length, 0);
    const held = e.held_out ? ' (held out)' : '';
    return `| \`${e.id}\`${held} | ${e.date} | ${e.kind} | ${e.format} | ${e.builds.length} | ${steps} | ${(e.pairs ?? []).length} | <${e.source}> | ${e.licence.replace(/\|/g, '\\|')} |`;
  });
  return ['| log | date | kind | format | builds | steps | pairs | source | licence |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}

export function readmeWithIndex(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  return `${readme.slice(0, start + BEGIN.length)}\n${indexTable()}\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('write-index.ts')) {
  const path = join(CORPUS_DIR, 'README.md');
  writeFileSync(path, readmeWithIndex(readFileSync(path, 'utf8')));
}
