/**
 * Redaction of the typed facts a cause carries (issue 13): the values they hold follow the rules the text
 * follows — an ENV value or ARG default whose name announces a secret goes, a plain one stays readable; an
 * LLB `env NAME` of a build arg (a declared ARG is environment of the RUN) or of a secret-looking name
 * goes; digests and references stay.
 */
import { describe, expect, it } from 'vitest';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { diagnose } from '../../../src/core/explain/index.ts';
import { buildReport, redactReport } from '../../../src/core/report/index.ts';

/** A known value's marker (`<redacted A>`): one letter per distinct value. */
const marker = expect.stringMatching(/^<redacted [A-Z]{1,3}>$/);
import { trace } from '../explain/synthetic.ts';
import { dockerBuild, sampleReport } from './sample.ts';

const FROM = 'FROM docker.io/library/alpine:3.19';

describe('the facts of an instruction change', () => {
  it('lose the values of secret-named ENV and ARG defaults, everywhere, and keep plain ones', () => {
    const before = 'FROM alpine:3.19\nENV DB_PASSWORD=old-pass-1 APP_MODE=dev\nARG API_TOKEN=tok-aaaa-1\nRUN make\n';
    const after = 'FROM alpine:3.19\nENV DB_PASSWORD=new-pass-2 APP_MODE=prod\nARG API_TOKEN=tok-bbbb-2\nRUN make\n';
    const traces = [
      trace(
        {
          steps: [
            ['[1/2]', FROM, 'CACHED'],
            ['[2/2]', 'RUN make', 'CACHED'],
          ],
        },
        'a.log',
      ),
      trace(
        {
          steps: [
            ['[1/2]', FROM, 'CACHED'],
            ['[2/2]', 'RUN make', 'DONE'],
          ],
        },
        'b.log',
      ),
    ];
    const plans = [readDockerfile(before, 'Dockerfile'), readDockerfile(after, 'Dockerfile.b')];
    const report = buildReport({ traces, plans, diagnosis: diagnose({ traces, plans }) });
    const cause = report.diagnosis!.causes[0]!;
    expect(cause).toMatchObject({ kind: 'instruction-changed', sub_kind: 'earlier-line' });
    expect(cause.instruction_diff?.env).toEqual([
      { name: 'DB_PASSWORD', before: 'old-pass-1', after: 'new-pass-2' },
      { name: 'APP_MODE', before: 'dev', after: 'prod' },
    ]);
    expect(cause.instruction_diff?.arg_defaults).toEqual([{ name: 'API_TOKEN', before: 'tok-aaaa-1', after: 'tok-bbbb-2' }]);

    const { report: safe, redactions } = redactReport(report);
    const facts = safe.diagnosis!.causes[0]!.instruction_diff!;
    // Two values, two markers: the fact that they differ stays readable, the values do not.
    expect(facts.env).toEqual([
      { name: 'DB_PASSWORD', before: marker, after: marker },
      { name: 'APP_MODE', before: 'dev', after: 'prod' },
    ]);
    expect(facts.env![0]!.before).not.toBe(facts.env![0]!.after);
    expect(facts.arg_defaults).toEqual([{ name: 'API_TOKEN', before: marker, after: marker }]);
    expect(facts.arg_defaults![0]!.before).not.toBe(facts.arg_defaults![0]!.after);
    const json = JSON.stringify(safe);
    for (const secret of ['old-pass-1', 'new-pass-2', 'tok-aaaa-1', 'tok-bbbb-2']) expect(json).not.toContain(secret);
    expect(redactions.join('\n')).toMatch(/DB_PASSWORD in diagnosis\.causes\[0\]\.instruction_diff/);
    expect(redactReport(safe).report).toEqual(safe); // idempotent
  });
});

describe('the LLB diff of a record-based cause', () => {
  it('loses the env values of build args and secret-looking names, and keeps the rest', () => {
    const report = sampleReport();
    report.commands = [dockerBuild(1, 'b.log', 'docker build --build-arg V=release-7 .', { V: 'release-7' })];
    const cause = report.diagnosis!.causes[0]!;
    cause.llb_diff = {
      upstream: false,
      op: 'exec',
      fields: [
        { name: 'env V', before: 'release-6', after: 'release-7' },
        { name: 'env NPM_TOKEN', before: 'npm-aaaa', after: 'npm-bbbb' },
        { name: 'env APP_MODE', before: 'dev', after: 'prod' },
        { name: 'cwd', before: '/app', after: '/srv' },
      ],
    };
    cause.evidence.push('build records: the LLB differs in the step itself: env V: release-6 → release-7');
    cause.base_image = { ref: 'lab/base:1', digest_before: `sha256:${'a'.repeat(64)}`, digest_after: `sha256:${'b'.repeat(64)}` };

    const { report: safe } = redactReport(report);
    const out = safe.diagnosis!.causes[0]!;
    expect(out.llb_diff!.fields).toEqual([
      { name: 'env V', before: marker, after: marker },
      { name: 'env NPM_TOKEN', before: marker, after: marker },
      { name: 'env APP_MODE', before: 'dev', after: 'prod' },
      { name: 'cwd', before: '/app', after: '/srv' },
    ]);
    // The evidence line that quotes the same values loses them too (they are the build arg's values).
    expect(JSON.stringify(safe)).not.toMatch(/release-6|release-7|npm-aaaa|npm-bbbb/);
    expect(out.base_image).toEqual(cause.base_image);
  });
});
