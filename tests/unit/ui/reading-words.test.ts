/**
 * The words the report uses for how each log was read, from the typed facts alone: format and
 * decoration (a learned prefix as its shape, in code), transit repairs, skipped lines, the place of a
 * build in its file; and the grouping of a multi-build file's builds under one log — on real logs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import type { ReportBuild, TransitRepair } from '../../../src/core/model.ts';
import { buildFacts, formatFact, logReadings, REPAIR_WORDS, unplacedWords, type Fact } from '../../../src/ui/report/reading-words.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const lab = (file: string) => readFileSync(join(FIXTURES, 'lab/copy-file-content', file), 'utf8');
const text = (fact: Fact) => fact.map((p) => (p.code ? `\`${p.text}\`` : p.text)).join('');

function build(over: Partial<ReportBuild>): ReportBuild {
  return { source: 'a.log', format: 'buildkit-plain', steps: [], line_prefix: 'none', ...over };
}

describe('reading words', () => {
  it('says every transit repair in plain words', () => {
    const all: TransitRepair[] = [
      'folded-lines',
      'html-line-breaks',
      'double-spaced',
      'hard-wrapped',
      'html-entities',
      'invisible-spaces',
      'typographic-quotes',
      'markdown-emphasis',
    ];
    for (const repair of all) expect(REPAIR_WORDS[repair].length).toBeGreaterThan(10);
    expect(REPAIR_WORDS['folded-lines']).toBe('line breaks restored: the text was folded into one paragraph');
    expect(REPAIR_WORDS['double-spaced']).toBe('an empty line after every line removed');
    expect(REPAIR_WORDS['html-entities']).toMatch(/^HTML entities decoded/);
  });

  it('names the format and the decoration; a learned prefix as its shape in code font', () => {
    expect(text(formatFact(build({})))).toBe('read as BuildKit plain output, nothing to strip from its lines');
    expect(text(formatFact(build({ format: 'buildkit-rawjson', from_record: true })))).toBe('read from a build record (its status stream, decoded)');
    expect(text(formatFact(build({ format: 'legacy', line_prefix: 'iso8601' })))).toBe(
      'read as legacy builder output, an ISO-8601 timestamp stripped from every line',
    );
    const learned = formatFact(
      build({ line_prefix: 'learned', reading: { repairs: [], learned_prefix: 'build\t00-Jan-0000 00:00:00\t', build: 1, builds: 1, unplaced_lines: 0 } }),
    );
    expect(learned.find((p) => p.code)?.text).toBe('build⇥00-Jan-0000·00:00:00⇥');
    expect(text(learned)).toBe(
      'read as BuildKit plain output, a prefix on every line, of the shape `build⇥00-Jan-0000·00:00:00⇥` (· a space, ⇥ a tab), stripped',
    );
    // Timestamps and a learned prefix together: both said.
    const mixed = formatFact(build({ line_prefix: 'mixed', reading: { repairs: [], learned_prefix: '0: ', build: 1, builds: 1, unplaced_lines: 0 } }));
    expect(text(mixed)).toMatch(/several kinds of CI decoration .* then a prefix of the shape `0:·` \(· a space\)$/);
  });

  it('counts skipped lines, the place in the file, a cut end and the notes', () => {
    expect(unplacedWords(12)).toBe('12 lines were not build output and were skipped');
    expect(unplacedWords(1)).toBe('1 line was not build output and was skipped');
    const facts = buildFacts(
      build({ truncated: true, notes: ['tty cut at `80` columns'], reading: { repairs: [], learned_prefix: null, build: 2, builds: 3, unplaced_lines: 12 } }),
    ).map(text);
    expect(facts).toEqual([
      'read as BuildKit plain output, nothing to strip from its lines',
      'build 2 of 3 in this file',
      '12 lines were not build output and were skipped',
      'the log ends mid-build: later steps are missing from it',
      'tty cut at `80` columns',
    ]);
    // An old report (a share link from before) has no reading: still a format line, never a throw.
    expect(buildFacts(build({ line_prefix: undefined })).map(text)).toEqual(['read as BuildKit plain output, nothing to strip from its lines']);
  });

  it('groups the builds of one pasted text holding two builds under one log, picked or not', () => {
    const pasted = { name: 'pasted log', text: lab('a.log') + lab('b.log') };
    const all = analyze({ logs: [pasted], dockerfiles: [] }).report.builds;
    const logs = logReadings(all);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ name: 'pasted log', builds: 2 });
    expect(logs[0]!.facts).toEqual([]);
    expect(logs[0]!.entries.map((e) => [e.position, e.source])).toEqual([
      [1, 'pasted log#1'],
      [2, 'pasted log#2'],
    ]);
    expect(logs[0]!.entries[1]!.facts.map(text)).toContain('build 2 of 2 in this file');

    const picked = analyze({ logs: [{ ...pasted, pick: [2] }], dockerfiles: [] }).report.builds;
    expect(logReadings(picked).map((l) => [l.name, l.builds, l.entries.length])).toEqual([['pasted log', 2, 1]]);

    // Two single-build files stay two logs.
    const two = analyze({
      logs: [
        { name: 'a.log', text: lab('a.log') },
        { name: 'b.log', text: lab('b.log') },
      ],
      dockerfiles: [],
    }).report.builds;
    expect(logReadings(two).map((l) => l.name)).toEqual(['a.log', 'b.log']);
  });

  it('says that a folded one-line log had its line breaks restored', () => {
    const folded = readFileSync(join(FIXTURES, 'public/qa-galbarracin-computacionii-clase14-stack-demos.log'), 'utf8');
    const logs = logReadings(analyze({ logs: [{ name: 'folded.log', text: folded }], dockerfiles: [] }).report.builds);
    expect(logs[0]!.facts.map(text)).toContain(REPAIR_WORDS['folded-lines']);
  });
});
