/**
 * Facts as data, words at the edge: every sentence a cause carries (its summary, evidence lines and
 * "to tell apart") is rewritten beyond recognition between the cause modules and everything that reads
 * the causes, and the verdict, the ranking and the suggestions must come out exactly the same. A module
 * that parsed a cause's sentences (a regex on the summary, `evidence.includes('--build-arg …')`) fails it.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import type { DiagnoseInput } from '../../../src/core/explain/index.ts';
import { CAUSE_SUB_KINDS, type Cause, type Diagnosis } from '../../../src/core/model.ts';
import { buildReport } from '../../../src/core/report/build.ts';
import { code, prose, toMarkdown } from '../../../src/core/report/markdown.ts';
import { allCases, FIXTURES, load, type LoadOptions } from './load.ts';
import { SCENARIOS } from './synthetic.ts';

const wording = vi.hoisted(() => ({ scrambled: false }));

/** Reversed and prefixed: no phrase, flag or `$NAME` of the original survives. */
function scramble(text: string): string {
  return `REWORDED ${[...text].reverse().join('')}`;
}

vi.mock('../../../src/core/explain/causes/index.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/explain/causes/index.ts')>();
  const reword = (c: Cause): Cause => ({
    ...c,
    summary: scramble(c.summary),
    evidence: c.evidence.map(scramble),
    ...(c.to_tell_apart !== undefined ? { to_tell_apart: scramble(c.to_tell_apart) } : {}),
  });
  return { ...real, rankCauses: (...a: Parameters<typeof real.rankCauses>) => real.rankCauses(...a).map((c) => (wording.scrambled ? reword(c) : c)) };
});

const { diagnose } = await import('../../../src/core/explain/index.ts');

/** What must not depend on wording: the verdict, each cause's facts and rank, suggestions, warnings. */
function decisions(d: Diagnosis) {
  return {
    verdict: d.verdict,
    first_miss: d.first_miss,
    causes: d.causes.map(({ summary: _s, evidence: _e, to_tell_apart: _t, ...facts }) => facts),
    suggestions: d.suggestions,
    warnings: d.warnings,
  };
}

function both(input: DiagnoseInput) {
  wording.scrambled = false;
  const plain = diagnose(input);
  wording.scrambled = true;
  try {
    return { input, plain, scrambled: diagnose(input) };
  } finally {
    wording.scrambled = false;
  }
}

/**
 * The whole Markdown post with each cause's words (its summary, evidence lines, "to tell apart") replaced
 * by a placeholder naming the cause and the part: what is left is the post's structure and every word
 * that is not a cause's, which must not depend on those words.
 */
function markdownShape(input: DiagnoseInput, d: Diagnosis): string {
  const plans = input.plans;
  let md = toMarkdown(buildReport({ traces: input.traces, plans, diagnosis: d, contexts: input.contexts ?? [] }), { limit: Infinity });
  const words: [string, string][] = d.causes.flatMap((c, i) => [
    [`: ${prose(c.summary)}\n`, `: <summary of cause ${i}>\n`] as [string, string],
    ...c.evidence.map((line, j): [string, string] => [`   - ${code(line)}\n`, `   - <evidence ${j} of cause ${i}>\n`]),
    ...(c.to_tell_apart ? [[`to tell apart: ${prose(c.to_tell_apart)}\n`, `to tell apart: <words of cause ${i}>\n`] as [string, string]] : []),
  ]);
  // The longest first, so that a line quoted inside another is not replaced in it.
  for (const [text, placeholder] of words.sort((a, b) => b[0].length - a[0].length)) md = md.split(text).join(placeholder);
  return md;
}

/** Each input left out in turn reaches the other variants of a cause (suspected args, log-only edits). */
const VARIANTS: [string, LoadOptions][] = [
  ['everything', {}],
  ['no Dockerfile', { dockerfile: false }],
  ['no commands', { commands: false }],
  ['no contexts', { contexts: false }],
  ['one Dockerfile without build args', { sharedPlan: true, commands: false }],
  ['legacy builder logs', { logs: ['legacy-a.log', 'legacy-b.log'] }],
];

describe('rewording every cause sentence changes no verdict, rank or suggestion, nor the Markdown around them', () => {
  const seen = new Set<string>();
  const check = (input: DiagnoseInput, variant: string) => {
    const { plain, scrambled } = both(input);
    expect(decisions(scrambled), variant).toEqual(decisions(plain));
    expect(markdownShape(input, scrambled), variant).toBe(markdownShape(input, plain));
    // The rewording did reach the causes: the test is not comparing two untouched runs.
    for (const c of scrambled.causes) expect(c.summary.startsWith('REWORDED ')).toBe(true);
    for (const c of plain.causes) seen.add(c.sub_kind ? `${c.kind}/${c.sub_kind}` : c.kind);
  };
  for (const name of allCases()) {
    it(name, async () => {
      for (const [variant, opts] of VARIANTS) {
        if (opts.logs && !opts.logs.every((log) => existsSync(`${FIXTURES}${name}/${log}`))) continue;
        check(await load(name, opts), variant);
      }
    });
  }
  for (const [name, input] of Object.entries(SCENARIOS)) it(name, async () => check(await input(), name));

  it('went through every summary template: each kind, and each sub-kind of a kind that has them', () => {
    const kindsWithoutSubKinds = ['cache-unavailable', 'upstream-rebuilt'];
    const subKinds = new Set<string>(CAUSE_SUB_KINDS);
    // A kind with sub-kinds always names one; every sub-kind and every kind without them was made.
    expect([...seen].filter((k) => !k.includes('/') && !kindsWithoutSubKinds.includes(k))).toEqual([]);
    expect([...new Set([...seen].map((k) => k.split('/')[1] ?? k))].sort()).toEqual([...CAUSE_SUB_KINDS, ...kindsWithoutSubKinds].sort());
    expect([...seen].filter((k) => k.includes('/') && !subKinds.has(k.split('/')[1]!))).toEqual([]);
  });
});
