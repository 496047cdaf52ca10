/** Opening a saved report file: the app's own JSON opens; anything else gets a message saying why. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { redactReport } from '../../../src/core/report/index.ts';
import { parseReportJson } from '../../../src/ui/report-file.ts';

const CASE = join(import.meta.dirname, '../../fixtures/lab/seed-replica');
const text = (f: string) => ({ name: f, text: readFileSync(join(CASE, f), 'utf8') });
const saved = JSON.stringify(
  redactReport(analyze({ logs: [text('a.log'), text('b.jenkins.log')], dockerfiles: [text('Dockerfile')], commands: [text('commands.txt')] }).report).report,
  null,
  2,
);

describe('saved report files', () => {
  it('opens the redacted report the app downloads', () => {
    const result = parseReportJson(saved, 'cachewhy-report.json');
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.diagnosis?.first_miss).toMatchObject({ stage: null, index: 2 });
  });

  it.each([
    ['a file cut in half', saved.slice(0, saved.length / 2), /not valid JSON/],
    ['JSON that is not a report', '{"name":"package"}', /no "schema" field/],
    ['a report from a newer version', saved.replace('cachewhy.report/v2', 'cachewhy.report/v3'), /newer cachewhy/],
    ['another schema', saved.replace('cachewhy.report/v2', 'something/else'), /Unknown report schema/],
    ['a report whose steps were edited away', saved.replace(/"steps": \[/, '"steps": 7, "x": ['), /cannot be shown/],
  ])('refuses %s with a message naming the file', (_name, input, message) => {
    const result = parseReportJson(input, 'thing.json');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.input).toBe('thing.json');
      expect(result.problem.message).toMatch(message);
      expect(result.problem.hint).toBeTruthy();
    }
  });
});
