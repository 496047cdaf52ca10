/**
 * Facts as data, words at the edge: every sentence a cause carries (its summary, evidence lines and
 * "to tell apart") is rewritten beyond recognition between the cause modules and everything that reads
 * the causes, and the verdict, the ranking and the suggestions must come out exactly the same. A module
 * that parsed a cause's sentences (a regex on the summary, `evidence.includes('--build-arg …')`) fails it.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Cause, Diagnosis } from '../../../src/core/model.ts';
import { allCases, load, type LoadOptions } from './load.ts';

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
    ...(c.toTellApart !== undefined ? { toTellApart: scramble(c.toTellApart) } : {}),
  });
  return { ...real, rankCauses: (...a: Parameters<typeof real.rankCauses>) => real.rankCauses(...a).map((c) => (wording.scrambled ? reword(c) : c)) };
});

const { diagnose } = await import('../../../src/core/explain/index.ts');

/** What must not depend on wording: the verdict, each cause's facts and rank, suggestions, warnings. */
function decisions(d: Diagnosis) {
  return {
    verdict: d.verdict,
    first_miss: d.first_miss,
    causes: d.causes.map(({ summary: _s, evidence: _e, toTellApart: _t, ...facts }) => facts),
    suggestions: d.suggestions,
    warnings: d.warnings,
  };
}

async function both(name: string, opts: LoadOptions) {
  const input = await load(name, opts);
  wording.scrambled = false;
  const plain = diagnose(input);
  wording.scrambled = true;
  try {
    return { plain, scrambled: diagnose(input) };
  } finally {
    wording.scrambled = false;
  }
}

/** Each input left out in turn reaches the other variants of a cause (suspected args, log-only edits). */
const VARIANTS: [string, LoadOptions][] = [
  ['everything', {}],
  ['no Dockerfile', { dockerfile: false }],
  ['no commands', { commands: false }],
  ['no contexts', { contexts: false }],
  ['one Dockerfile without build args', { sharedPlan: true, commands: false }],
];

describe('rewording every cause sentence changes no verdict, rank or suggestion', () => {
  const seen = new Set<string>();
  for (const name of allCases()) {
    it(name, async () => {
      for (const [variant, opts] of VARIANTS) {
        const { plain, scrambled } = await both(name, opts);
        expect(decisions(scrambled), variant).toEqual(decisions(plain));
        // The rewording did reach the causes: the test is not comparing two untouched runs.
        for (const c of scrambled.causes) expect(c.summary.startsWith('REWORDED ')).toBe(true);
        for (const c of plain.causes) seen.add(c.sub_kind ? `${c.kind}/${c.sub_kind}` : c.kind);
      }
    });
  }

  it('went through the variants the verdict words differently', () => {
    const wanted = [
      'build-arg-changed/arg-value',
      'build-arg-changed/arg-suspected',
      'build-arg-changed/arg-expanded',
      'instruction-changed/line-edited',
      'instruction-changed/earlier-line',
      'instruction-changed/env-line',
      'instruction-changed/heredoc-edited',
      'instruction-changed/heredoc-suspected',
      'context-changed',
    ];
    expect([...seen].filter((k) => wanted.includes(k)).sort()).toEqual([...wanted].sort());
  });
});
