/**
 * The three cause and hash-note fields renamed to snake_case (issue 13: `toTellApart`, `contextUpstream`,
 * `keyParts`): a report saved before the rename opens with them under their new names, and the Markdown
 * and the gate's views read them there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readReport, toMarkdown } from '../../../src/core/report/index.ts';

const REPORTS = join(import.meta.dirname, '../../fixtures/reports');

describe('a report saved with the camelCase cause fields', () => {
  for (const name of ['seed-replica.v1.json', 'base-image-updated.v1.json']) {
    it(`${name}: its hash notes and causes carry them as context_upstream, key_parts and to_tell_apart`, () => {
      const text = readFileSync(join(REPORTS, name), 'utf8');
      const old = JSON.parse(text) as { diagnosis: { causes: Record<string, unknown>[]; hash_notes: Record<string, unknown>[] } };
      const read = readReport(JSON.parse(text));
      if (!read.ok) throw new Error(read.problem);
      const d = read.report.diagnosis!;
      expect(d.hash_notes!.map((n) => [n.context_upstream, n.key_parts])).toEqual(old.diagnosis.hash_notes.map((n) => [n.contextUpstream, n.keyParts]));
      expect(d.causes.map((c) => c.to_tell_apart)).toEqual(old.diagnosis.causes.map((c) => c.toTellApart));
      for (const note of d.hash_notes!) expect(Object.keys(note)).not.toContain('keyParts');
      const md = toMarkdown(read.report, { limit: Infinity });
      const first = d.hash_notes!.find((n) => n.step.index === d.first_miss?.index && n.step.stage === d.first_miss?.stage);
      if (first && first.key_parts.length > 0) expect(md).toContain('Its cache key is made of:');
      for (const c of d.causes) if (c.to_tell_apart) expect(md).toContain('   - to tell apart: ');
    });
  }
});
