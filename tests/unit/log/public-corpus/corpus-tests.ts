/**
 * The table-driven checks shared by the development set and the held-out set of the public corpus:
 * every labelled step's status, the number of builds found, no refusal, and each pair's first miss.
 */
import { describe, expect, it } from 'vitest';
import { firstMissOf, isRight, normalLabel, pairsOf, scoreLog, type CorpusEntry, type LabelledPair } from './corpus.ts';

/** `id` → `build label: expected → read` for each step read wrong today, with the reason. */
export type KnownMisreads = Record<string, { misreads: string[]; why: string }>;
/** `before → after` (see pairName) → the first miss cachewhy names today, with the reason. */
export type KnownPairMisses = Record<string, { got: string | null; why: string }>;

export function misreadsOf(entry: CorpusEntry): string[] {
  return scoreLog(entry)
    .steps.filter((v) => !isRight(v))
    .map((v) => `${v.build} ${normalLabel(v.label)}: ${v.expected} → ${v.actual ?? 'missing'}`);
}

export function corpusTests(name: string, entries: CorpusEntry[], known: KnownMisreads, knownPairs: KnownPairMisses): void {
  describe(`${name}: every labelled step`, () => {
    it.each(entries.map((e) => [e.id, e] as const))('%s', (_id, entry) => {
      const score = scoreLog(entry);
      expect(score.refused).toBeNull();
      expect(score.buildsRead).toBe(score.buildsExpected);
      expect(misreadsOf(entry)).toEqual(known[entry.id]?.misreads ?? []);
    });
  });

  const pairs = pairsOf(entries);
  if (pairs.length === 0) return;
  describe(`${name}: the first miss of every labelled pair`, () => {
    it.each(pairs.map((p) => [pairName(p.pair), p] as const))('%s', (label, { pair }) => {
      const want = pair.first_miss === null ? null : normalLabel(pair.first_miss);
      const known = knownPairs[label];
      expect(firstMissOf(pair)).toBe(known ? known.got : want);
    });
  });
}

/** `earlier-log#1 → later-log#2` (1-based builds): a pair's name, stable when pairs are added. */
export function pairName(pair: LabelledPair): string {
  return `${pair.before.log}#${pair.before.build + 1} → ${pair.after.log}#${pair.after.build + 1}`;
}
