/**
 * readLog against random text, damaged real logs and pathological lines: it never throws, never hangs,
 * and answers either a BuildTrace or a problem that names the input in words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../../src/core/log/index.ts';
import type { BuildTrace, Result } from '../../../src/core/model.ts';
import { expectHumanProblem, fixtureFiles, mutateText, params, pathologicalTexts, readText, runs, textMutation, timed } from './fuzz.ts';

const LOGS = fixtureFiles(/\.log$/).filter((p) => !/registry-access|dockerd-debug/.test(p));
const TEXTS = LOGS.map(readText);
const FORMATS = new Set(['buildkit-plain', 'buildkit-tty', 'buildkit-rawjson', 'legacy', 'compose']);
const STATUSES = new Set(['cached', 'built', 'error', 'canceled', 'not-run']);
const SOURCE = 'fuzzed.log';
const byName = (end: string): string => TEXTS[LOGS.findIndex((p) => p.endsWith(end))]!;
/** One real log per reader, with the line prefix its vertex parser looks for. */
const HOSTS: [string, string | null][] = [
  [byName('lab/copy-file-content/b.log'), '#7 '],
  [byName('lab/tty-copy-file-content/b.log'), ' => '],
  [byName('lab-modern/copy-file-content/b.rawjson.log'), null],
  [byName('lab/arg-unused/legacy-b.log'), 'Step 3/4 : '],
  [byName('lab/copy-file-content/b.jenkins.log'), '12:00:01 #7 '],
];

/** The contract of readLog, checked on every answer. */
function checkAnswer(result: Result<BuildTrace>, source = SOURCE): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expectHumanProblem(result.problem, source);
    return;
  }
  const trace = result.value;
  expect(trace.source).toBe(source);
  expect(FORMATS.has(trace.format)).toBe(true);
  for (const step of trace.steps) {
    expect(STATUSES.has(step.status)).toBe(true);
    expect(Number.isFinite(step.index)).toBe(true);
    expect(typeof step.instruction).toBe('string');
  }
  for (const problem of result.problems ?? []) expectHumanProblem(problem, source);
  // Plain data: it must cross a worker boundary and be written as JSON.
  expect(() => JSON.stringify(trace)).not.toThrow();
}

const read = (text: string, source = SOURCE) => timed(`readLog(${JSON.stringify(text.slice(0, 60))}…)`, () => readLog(text, source));

/** Log-shaped lines: the tokens the readers look for, in random order, so random text reaches them. */
const logishLine = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '#',
        '#1',
        '#12 ',
        '[internal]',
        '[stage-0 1/3]',
        '[ 2/4]',
        '=> ',
        '=> CACHED ',
        '[+] Building 1.2s (3/5)',
        'DONE 0.1s',
        'CACHED',
        'ERROR',
        'CANCELED',
        'sha256:',
        'Step 1/3 : ',
        ' ---> Using cache',
        ' ---> abc123',
        'Successfully built ',
        '{"vertexes":[',
        '{"statuses":[',
        '"digest":"sha256:0"',
        '}',
        ']',
        'FROM',
        'RUN',
        'COPY . .',
        'exporting to image',
        'writing image sha256:',
        'transferring context: 2B done',
        '12:00:00 ',
        '2024-01-01T00:00:00.1234567Z ',
        '\x1b[32m',
        '\r',
        '\t',
        'load metadata for docker.io/library/alpine:3',
        '------',
        ' > [2/3] RUN x:',
        'importing cache manifest from x',
        'resolve image config for',
      ),
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -2, max: 100000 }).map(String),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('readLog on hostile input', () => {
  it('reads every fixture log (the seeds the mutations start from)', () => {
    expect(LOGS.length).toBeGreaterThan(60);
    for (const [i, text] of TEXTS.entries()) checkAnswer(read(text, LOGS[i]!.split('/').pop()), LOGS[i]!.split('/').pop());
  });

  it('random text: never throws, answers a trace or a named problem', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ unit: 'grapheme-ascii', maxLength: 400 })),
        (text) => checkAnswer(read(text)),
      ),
      params(runs(1500, 0.3)),
    );
  });

  it('random log-shaped lines: never throws, answers a trace or a named problem', () => {
    fc.assert(
      fc.property(fc.array(logishLine, { maxLength: 60 }), fc.constantFrom('\n', '\r\n', '\r'), (lines, eol) => checkAnswer(read(lines.join(eol)))),
      params(runs(1500, 0.3)),
    );
  });

  it('mutated real logs (cut, spliced from other formats, junk, CRLF, NUL, duplicated vertices): never throws', () => {
    fc.assert(
      fc.property(fc.nat(TEXTS.length - 1), fc.array(textMutation, { minLength: 1, maxLength: 6 }), (which, mutations) => {
        const text = mutateText(TEXTS[which]!, mutations, TEXTS);
        checkAnswer(read(text));
      }),
      params(runs(1500, 0.3)),
    );
  });

  it('the same text always gives the same answer (no state kept between calls)', () => {
    fc.assert(
      fc.property(fc.nat(TEXTS.length - 1), fc.array(textMutation, { maxLength: 3 }), (which, mutations) => {
        const text = mutateText(TEXTS[which]!, mutations, TEXTS);
        expect(JSON.stringify(read(text))).toBe(JSON.stringify(read(text)));
      }),
      params(runs(300, 0.05)),
    );
  });

  for (const { name, text } of pathologicalTexts()) {
    it(`pathological input: ${name} — answers within the bound`, () => {
      checkAnswer(read(text));
      // And the same line inside a real log of each format, so every reader (not only the sniffer) meets
      // it, bare and behind the prefix that sends it to the vertex parser of that format.
      for (const [host, prefix] of HOSTS) {
        const at = host.indexOf('\n', host.length >> 1);
        checkAnswer(read(host.slice(0, at + 1) + text + '\n' + host.slice(at + 1)));
        if (prefix) checkAnswer(read(host.slice(0, at + 1) + prefix + text + '\n' + host.slice(at + 1)));
      }
    });
  }

  it('duplicated vertices: a log pasted twice into itself still reads', () => {
    for (const text of TEXTS.slice(0, 20)) {
      const result = read(text + '\n' + text);
      checkAnswer(result);
    }
  });

  it('non-string input is a problem, not a crash (JS callers, a worker message)', () => {
    for (const value of [undefined, null, 42, {}, new Uint8Array(4)]) {
      const result = readLog(value as string, 'odd.log');
      expect(result.ok).toBe(false);
      if (!result.ok) expectHumanProblem(result.problem, 'odd.log');
    }
  });
});
