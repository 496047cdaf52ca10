/**
 * The binary and encoded readers against damaged input: the tar/tar.gz reader (real fixture tars with
 * bytes flipped in headers, cut anywhere, sizes rewritten, chunked at random), the share-link decoder
 * (real links mangled), and `analyze` end to end over mutated real inputs.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { indexContext } from '../../../src/core/context/index.ts';
import { decodeShareLink, encodeShareLink } from '../../../src/core/report/index.ts';
import { chunked, wasmSha256 } from '../context/helpers.ts';
import { byteMutation, expectHumanProblem, fixtureFiles, mutateBytes, mutateText, params, readText, runs, textMutation, timed, timedAsync } from './fuzz.ts';

const TARS = fixtureFiles(/\.tar$/)
  .slice(0, 24)
  .map((p) => new Uint8Array(readFileSync(p)));
const NAME = 'fuzzed.tar';

describe('tar / tar.gz reader on damaged archives', () => {
  it('mutated real tars (header bytes flipped, cut, sizes rewritten, junk inserted), chunked at random: an index or a named problem', async () => {
    const hasher = await wasmSha256;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(TARS.length - 1),
        fc.array(byteMutation, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (which, mutations, sizes, gz) => {
          let bytes = mutateBytes(TARS[which]!, mutations);
          if (gz) {
            // Gzip it, and cut the gzip stream itself one time in four.
            const zipped = new Uint8Array(gzipSync(bytes));
            bytes = bytes.length % 4 === 0 ? zipped.subarray(0, zipped.length >> 1) : zipped;
          }
          const result = await timedAsync('indexContext', () => indexContext({ kind: 'stream', stream: chunked(bytes, sizes) }, { name: NAME, hasher }));
          if (!result.ok) {
            expectHumanProblem(result.problem, NAME);
            expect(result.problem.hint ?? '').not.toBe('');
            return;
          }
          for (const e of result.value.entries) {
            expect(e.path.startsWith('/')).toBe(false);
            expect(e.path.split('/')).not.toContain('..');
            expect(e.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
          }
          for (const p of result.value.problems) expect(p.message.length).toBeGreaterThan(5);
        },
      ),
      params(runs(1500, 0.1)),
    );
  });

  it('random bytes: never an exception, always a problem naming the input', async () => {
    const hasher = await wasmSha256;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const result = await timedAsync('indexContext', () => indexContext({ kind: 'stream', stream: chunked(bytes, [512]) }, { name: NAME, hasher }));
        if (!result.ok) expectHumanProblem(result.problem, NAME);
      }),
      params(runs(1500, 0.1)),
    );
  });
});

describe('share-link decoder on mangled real links', () => {
  it('real links cut, re-encoded, with characters swapped or chat punctuation: a report or a typed problem', async () => {
    const A = fixtureFiles(/lab\/copy-file-content\/(a|b)\.log$/).map((p) => ({ name: p.split('/').pop()!, text: readText(p) }));
    const D = fixtureFiles(/lab\/copy-file-content\/Dockerfile$/).map((p) => ({ name: 'Dockerfile', text: readText(p) }));
    const fragment = await encodeShareLink(analyze({ logs: A, dockerfiles: D }).report);
    const url = `https://example.org/cachewhy/#${fragment}`;
    const mangle = fc.oneof(
      fc.nat().map((n) => (s: string) => s.slice(0, n % (s.length + 1))),
      fc.tuple(fc.nat(), fc.constantFrom('%', ' ', '\n', '…', '>', '"', '+', '/', '=', '\u200b', '&r=2.x', '#', 'A')).map(
        ([n, c]) =>
          (s: string) =>
            s.slice(0, n % s.length) + c + s.slice(n % s.length),
      ),
      fc.tuple(fc.nat(), fc.constantFrom('A', '_', '-', 'z', '0')).map(
        ([n, c]) =>
          (s: string) =>
            s.slice(0, n % s.length) + c + s.slice((n % s.length) + 1),
      ),
      fc.constant((s: string) => encodeURIComponent(s)),
      fc.constant((s: string) => s.replace(/-/g, '+').replace(/_/g, '/')),
      fc.constant((s: string) => `<${s}>.`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mangle, { minLength: 1, maxLength: 3 }), fc.boolean(), async (fns, whole) => {
        const input = fns.reduce((s, f) => f(s), whole ? url : fragment);
        const result = await timedAsync('decodeShareLink', () => decodeShareLink(input));
        if (result.ok) expect(result.value.schema).toBe('cachewhy.report/v2');
        else {
          expectHumanProblem(result.problem, 'share link');
          expect(result.problem.code).toMatch(/^[a-z0-9-]+$/);
        }
      }),
      params(runs(1500, 0.1)),
    );
  });
});

describe('analyze end to end over mutated real inputs', () => {
  const CASES = ['lab/copy-file-content', 'lab/seed-replica', 'lab/arg-used', 'lab-modern/copy-file-content', 'lab/tty-copy-file-content'];
  const inputs = CASES.map((c) => {
    const files = fixtureFiles(new RegExp(`^${c}/`));
    const pick = (re: RegExp) => files.filter((p) => re.test(p)).map((p) => ({ name: p.split('/').pop()!, text: readText(p) }));
    return { logs: pick(/\/(a|b)(\.rawjson)?\.log$/), dockerfiles: pick(/Dockerfile$/), commands: pick(/commands\.txt$/) };
  });
  const donors = inputs.flatMap((i) => [...i.logs, ...i.dockerfiles].map((t) => t.text));

  it('never throws; every problem names one of the inputs; the report is plain data', () => {
    fc.assert(
      fc.property(fc.nat(inputs.length - 1), fc.array(fc.array(textMutation, { maxLength: 3 }), { minLength: 4, maxLength: 4 }), (which, ms) => {
        const given = inputs[which]!;
        const mutate = (t: { name: string; text: string }, i: number) => ({ name: t.name, text: mutateText(t.text, ms[i % 4]!, donors) });
        const all = {
          logs: given.logs.map(mutate),
          dockerfiles: given.dockerfiles.map((d) => mutate(d, 2)),
          commands: given.commands.map((c) => mutate(c, 3)),
        };
        const { report, problems } = timed('analyze', () => analyze(all));
        const names = new Set([...all.logs, ...all.dockerfiles, ...all.commands].map((t) => t.name));
        for (const p of problems) {
          expect(p.message.trim().length).toBeGreaterThan(5);
          expect(`${p.message} ${p.hint ?? ''}`, 'an exception of ours caught by analyze').not.toMatch(/cachewhy failed on|bug in cachewhy/i);
          if (!names.has(p.input)) expect(['contexts', 'Dockerfiles', 'diagnosis', 'commands', '.dockerignore']).toContain(p.input);
        }
        expect(() => JSON.parse(JSON.stringify(report))).not.toThrow();
      }),
      params(runs(300, 0.02)),
    );
  });
});
