/**
 * Development report on the public corpus: per log, the steps cachewhy reads wrong, then the totals.
 * `node --import tsx tests/unit/log/public-corpus/score.ts [--all] [id…]` (held-out logs only with --all).
 */
import { firstMissOf, isRight, loadCorpus, normalLabel, pairsOf, scoreLog } from './corpus.ts';

const args = process.argv.slice(2);
const all = args.includes('--all');
const only = args.filter((a) => !a.startsWith('--'));
const entries = loadCorpus().filter((e) => (all || !e.held_out) && (only.length === 0 || only.includes(e.id)));
let right = 0;
let labelled = 0;
let refused = 0;
for (const entry of entries) {
  const score = scoreLog(entry);
  const judged = score.steps.filter((v) => v.expected !== 'unknown');
  const wrong = judged.filter((v) => !isRight(v));
  labelled += judged.length;
  right += judged.length - wrong.length;
  if (score.refused) refused++;
  if (wrong.length === 0 && !score.refused && score.buildsRead === score.buildsExpected) continue;
  console.log(
    `${entry.id}: ${judged.length - wrong.length}/${judged.length} right, builds ${score.buildsRead}/${score.buildsExpected}${score.refused ? `, REFUSED: ${score.refused}` : ''}`,
  );
  for (const v of wrong) console.log(`   build ${v.build} ${v.label}: expected ${v.expected}, read ${v.actual ?? '(missing)'}`);
}
let pairsRight = 0;
const pairs = pairsOf(entries);
for (const { id, pair } of pairs) {
  const got = firstMissOf(pair);
  const want = pair.first_miss === null ? null : normalLabel(pair.first_miss);
  if (got === want) pairsRight++;
  else console.log(`pair ${id}: first miss expected ${want}, got ${got}`);
}
console.log(
  `\n${entries.length} logs, ${refused} refused; steps ${right}/${labelled} right (${((100 * right) / Math.max(1, labelled)).toFixed(1)}%); pairs ${pairsRight}/${pairs.length}`,
);
