/**
 * The held-out logs of the public corpus: kept out of the development loop (`score.ts` skips them
 * without --all) and looked at only as a final check. Same checks as public-corpus.test.ts.
 */
import { loadCorpus } from './corpus.ts';
import { corpusTests, type KnownMisreads, type KnownPairMisses } from './corpus-tests.ts';

const KNOWN_MISREADS: KnownMisreads = {};

const KNOWN_PAIR_MISSES: KnownPairMisses = {};

corpusTests(
  'held-out public corpus',
  loadCorpus().filter((e) => e.held_out),
  KNOWN_MISREADS,
  KNOWN_PAIR_MISSES,
);
