/** The app's chip for a record says what the record carries. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { readRecordArchive } from '../../../src/core/record/index.ts';
import { summarizeBuilds } from '../../../src/ui/inputs/log-builds.ts';
import { recordChipText } from '../../../src/ui/inputs/record-chip.ts';
import { file } from './lab2026.ts';

it('a max-mode record with one build arg', async () => {
  const read = await readRecordArchive('b.dockerbuild', new Uint8Array(readFileSync(file('arg-used', 'b.dockerbuild'))));
  if (!read.ok) throw new Error(read.problem.message);
  const [summary] = summarizeBuilds(read.value);
  expect(recordChipText(summary!.record!)).toBe('build record: 3 steps, 1 build arg, Dockerfile, LLB (provenance max)');
});
