/** The "what changed" rows of a cause come from its typed fields, on causes the engine made from real inputs. */
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/core/explain/index.ts';
import { causeFacts } from '../../../src/core/report/cause-facts.ts';
import { load } from '../explain/load.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { D1, D2, SCENARIOS, trace } from '../explain/synthetic.ts';

describe('causeFacts', () => {
  it('a new base digest: the reference and both digests', async () => {
    const d = diagnose(await SCENARIOS['a base tag that resolved to another digest (digest-changed)']!());
    const cause = d.causes.find((c) => c.sub_kind === 'digest-changed')!;
    expect(cause.base_image).toEqual({ ref: 'alpine:3.19', digest_before: D1, digest_after: D2 });
    expect(causeFacts(cause)).toEqual([{ what: 'digest of alpine:3.19', before: D1, after: D2 }]);
  });

  it('an ENV value a COPY expands: the variable and its two values', async () => {
    const d = diagnose(await SCENARIOS['an ENV value a COPY expands (env-expanded)']!());
    expect(causeFacts(d.causes[0]!)).toEqual([{ what: 'ENV CONF', before: 'dev.conf', after: 'prod.conf' }]);
  });

  it('a changed build arg (lab/arg-used): its name and the two values of the commands', async () => {
    const d = diagnose(await load('lab/arg-used'));
    const cause = d.causes.find((c) => c.kind === 'build-arg-changed')!;
    const facts = causeFacts(cause);
    expect(facts).toHaveLength(1);
    expect(facts[0]!.what).toBe(`build arg ${cause.args![0]!.name}`);
    expect([facts[0]!.before, facts[0]!.after]).toEqual([cause.args![0]!.before, cause.args![0]!.after]);
    expect(facts[0]!.before).not.toBe(facts[0]!.after);
  });

  it('an edited USER line before a RUN: the line itself, once', () => {
    const FROM = 'FROM docker.io/library/alpine:3.19';
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
    const plans = [
      readDockerfile('FROM alpine:3.19\nUSER root\nRUN make\n', 'Dockerfile'),
      readDockerfile('FROM alpine:3.19\nUSER app\nRUN make\n', 'Dockerfile.b'),
    ];
    const cause = diagnose({ traces, plans }).causes[0]!;
    expect(cause).toMatchObject({ kind: 'instruction-changed', sub_kind: 'earlier-line', instruction_diff: { directives: ['USER app'] } });
    expect(cause.summary).toContain('(USER app)');
    expect(causeFacts(cause)).toEqual([{ what: 'line before it', before: '(other)', after: 'USER app' }]);
  });

  it('a file change has no value rows (its files are listed as files)', async () => {
    const d = diagnose(await load('lab/copy-file-content'));
    expect(d.causes[0]!.kind).toBe('context-changed');
    expect(causeFacts(d.causes[0]!)).toEqual([]);
  });
});
