/** Instruction comparison: the texts as the fixtures' logs print them against the Dockerfiles' lines. */
import { describe, expect, it } from 'vitest';
import { instructionMatches, logTextsDiffer, normaliseImageRef, variablesIn } from '../../../src/core/explain/text.ts';

describe('a printed step name matches its Dockerfile line', () => {
  const table: [printed: string, cut: boolean, written: string, matches: boolean, why: string][] = [
    ['RUN echo "V=1" > /v.txt', false, 'RUN echo "V=$V" > /v.txt', true, 'arg-used: the log expands $V'],
    ['RUN echo "mode=prod" > /mode.txt', false, 'RUN echo "mode=${APP_MODE}" > /mode.txt', true, 'env-change: ${VAR} form'],
    ['FROM docker.io/lab/base:1', false, 'FROM lab/base:1', true, 'BuildKit adds docker.io/'],
    ['FROM docker.io/library/alpine:3.19', false, 'FROM alpine:3.19 AS builder', true, 'library/ and the stage name'],
    [
      'FROM 127.0.0.1:5000/lab/base:1@sha256:' + '0'.repeat(64),
      false,
      'FROM 127.0.0.1:5000/lab/base:1',
      true,
      'cache-from-missing: the resolved digest is appended',
    ],
    [
      'RUN <<EOT (echo line one > /h.txt...)',
      false,
      'RUN <<EOT\necho line one > /h.txt\necho line 2 >> /h.txt\nEOT',
      true,
      'heredoc-run: only the first line is in the name',
    ],
    [
      'RUN apt-get update && apt-get install -y --no-install-recommends build-esse...',
      true,
      'RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl',
      true,
      'cut at 72 characters',
    ],
    ['RUN echo TWO > /two', false, 'RUN echo two > /two', false, 'instruction-edit: an edit'],
    ['COPY --from=builder /lines.txt /app/lines.txt', false, 'COPY static.txt /static.txt', false, 'another step'],
    ['RUN cat /x.txt', false, 'COPY x.txt /x.txt', false, 'another keyword'],
  ];
  for (const [printed, cut, written, matches, why] of table) {
    it(`${why}: ${matches ? 'matches' : 'does not match'}`, () => {
      expect(instructionMatches(printed, cut, written)).toBe(matches);
    });
  }
});

describe('helpers', () => {
  it('two printed names differ unless one is a cut prefix of the other', () => {
    expect(logTextsDiffer('RUN echo "V=1" > /v.txt', false, 'RUN echo "V=2" > /v.txt', false)).toBe(true);
    expect(logTextsDiffer('RUN echo one two three...', true, 'RUN echo one two three four', false)).toBe(false);
    expect(logTextsDiffer('COPY  a  /a', false, 'COPY a /a', false)).toBe(false);
  });

  it('image references are compared without registry defaults, digests or an implied :latest', () => {
    expect(normaliseImageRef('docker.io/library/ubuntu@sha256:' + 'a'.repeat(64))).toBe('ubuntu:latest');
    expect(normaliseImageRef('127.0.0.1:5000/lab/base:1')).toBe('127.0.0.1:5000/lab/base:1');
  });

  it('variables are found in both forms, once each', () => {
    expect(variablesIn('RUN echo $A ${B:-x} $A ${C}')).toEqual(['A', 'B', 'C']);
  });
});
