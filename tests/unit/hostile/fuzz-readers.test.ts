/**
 * The other text readers against random, damaged and pathological input: the Dockerfile plan, the
 * .dockerignore matcher, the input sniffer and the build-command parser. None may throw or hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMatcher, parseDockerignore } from '../../../src/core/context/dockerignore.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';
import { findBuildCommands, parseBuildCommand, parseCommandsFile } from '../../../src/core/ingest/command.ts';
import { sniffInput } from '../../../src/core/ingest/sniff.ts';
import type { BuildPlan } from '../../../src/core/model.ts';
import {
  expectHumanProblem,
  fixtureFiles,
  mutateBytes,
  byteMutation,
  mutateText,
  params,
  pathologicalTexts,
  readText,
  runs,
  textMutation,
  timed,
} from './fuzz.ts';
import { readFileSync } from 'node:fs';

const DOCKERFILES = fixtureFiles(/(^|\/)Dockerfile(\.\w+)?$/).map(readText);
const COMMANDS = fixtureFiles(/commands\.txt$/).map(readText);
const LOGS = fixtureFiles(/\.log$/)
  .slice(0, 40)
  .map(readText);

function checkPlan(plan: BuildPlan, source: string): void {
  expect(plan.source).toBe(source);
  for (const problem of plan.problems) expectHumanProblem(problem, problem.input);
  for (const step of plan.steps) {
    expect(step.line).toBeGreaterThanOrEqual(1);
    expect(step.endLine).toBeGreaterThanOrEqual(step.line);
    expect(step.endLine).toBeLessThanOrEqual(Math.max(1, plan.lines.length));
    expect(typeof step.label).toBe('string');
  }
  expect(() => JSON.stringify(plan)).not.toThrow();
}

const readPlan = (text: string, opts: Parameters<typeof readDockerfile>[2] = {}) =>
  timed(`readDockerfile(${JSON.stringify(text.slice(0, 60))}…)`, () => readDockerfile(text, 'Dockerfile.fuzz', opts));

const dockerfileLine = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'FROM ',
        'FROM --platform=$BUILDPLATFORM ',
        'AS ',
        'RUN ',
        'RUN --mount=type=cache,target=/x ',
        'COPY ',
        'COPY --from=',
        'COPY --link --chmod=755 ',
        'ADD ',
        'ADD http://x/y ',
        'ARG ',
        'ENV ',
        'LABEL ',
        'WORKDIR ',
        'ONBUILD ',
        'USER ',
        'CMD ',
        'SHELL ["/bin/sh","-c"]',
        'HEALTHCHECK ',
        '# syntax=docker/dockerfile:1',
        '# escape=`',
        '# escape=\\',
        '\\',
        '`',
        '<<EOF',
        'EOF',
        '<<-"END"',
        '${A}',
        '${A:-x}',
        '${A:+y}',
        '${A#*}',
        '${A%%x}',
        '$A',
        '"',
        "'",
        '[',
        ']',
        '{',
        '}',
        '=',
        ' ',
        '\t',
        'stage-0',
        'builder',
        'scratch',
        'alpine:3.19',
        '@sha256:abc',
        '.',
        '/app',
        '*',
        '**',
      ),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

describe('readDockerfile on hostile input', () => {
  it('random text and Dockerfile-shaped lines: never throws, a plan with sane line numbers', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(dockerfileLine, { maxLength: 30 }).map((l) => l.join('\n')),
        ),
        fc.dictionary(fc.constantFrom('A', 'BASE', 'HTTP_PROXY', 'TARGETPLATFORM'), fc.option(fc.string({ maxLength: 10 }))),
        fc.option(fc.constantFrom('builder', 'stage-0', 'nope', ''), { nil: undefined }),
        (text, buildArgs, target) => checkPlan(readPlan(text, { buildArgs, target }), 'Dockerfile.fuzz'),
      ),
      params(runs(1500, 0.2)),
    );
  });

  it('mutated real Dockerfiles: never throws', () => {
    fc.assert(
      fc.property(fc.nat(DOCKERFILES.length - 1), fc.array(textMutation, { minLength: 1, maxLength: 5 }), (which, mutations) => {
        checkPlan(readPlan(mutateText(DOCKERFILES[which]!, mutations, DOCKERFILES)), 'Dockerfile.fuzz');
      }),
      params(runs(1500, 0.2)),
    );
  });

  for (const { name, text } of pathologicalTexts()) {
    it(`pathological input: ${name}`, () => {
      checkPlan(readPlan(text), 'Dockerfile.fuzz');
      checkPlan(readPlan(`FROM alpine\nRUN ${text}\nCOPY ${text} /x\nENV A=${text.slice(0, 100_000)}\n`), 'Dockerfile.fuzz');
    });
  }

  it('100k instructions read within the bound', () => {
    checkPlan(readPlan('FROM alpine\n' + 'RUN true\n'.repeat(20_000)), 'Dockerfile.fuzz');
  });
});

// ---------------------------------------------------------------------------------------------

const globPart = fc.oneof(
  fc.constantFrom(
    '*',
    '**',
    '?',
    '[a-z]',
    '[!a]',
    '[',
    ']',
    '\\',
    '\\*',
    '!',
    '.',
    '..',
    '/',
    '//',
    'a',
    'b',
    'node_modules',
    '.git',
    '.env',
    ' ',
    '#',
    '{',
    '(',
    '|',
    '^',
    '$',
    '+',
  ),
  fc.string({ maxLength: 4 }),
);
const glob = fc.array(globPart, { maxLength: 10 }).map((p) => p.join(''));
const pathPart = fc.oneof(
  fc.constantFrom('a', 'b', 'node_modules', '.git', '.env', 'x.log', '[a]', '*', '..', ' ', '\\', 'ü', '\u202e'),
  fc.string({ minLength: 1, maxLength: 6 }).map((s) => s.replace(/\//g, '_')),
);
const path = fc.array(pathPart, { minLength: 1, maxLength: 8 }).map((p) => p.join('/'));

describe('.dockerignore matcher on hostile input', () => {
  it('random patterns and paths: never throws, answers a boolean, bad patterns are named', () => {
    fc.assert(
      fc.property(fc.array(glob, { maxLength: 8 }), fc.array(fc.tuple(path, fc.boolean()), { maxLength: 10 }), (patterns, paths) => {
        const text = patterns.join('\n');
        const { matcher, errors } = timed('createMatcher', () => createMatcher(parseDockerignore(text)));
        for (const error of errors) {
          expect(error.message.length).toBeGreaterThan(5);
          expect(typeof error.pattern).toBe('string');
        }
        for (const [p, isDir] of paths) expect(typeof timed(`excludes(${p})`, () => matcher.excludes(p, isDir))).toBe('boolean');
      }),
      params(runs(3000, 0.3)),
    );
  });

  it('the linear glob matcher agrees with the RegExp it replaced, on short globs and paths', () => {
    // The RegExp compilation dockerignore.ts used before (kept here as the reference semantics).
    const oldRegExp = (glob: string): RegExp => {
      let re = '^';
      for (let i = 0; i < glob.length; i++) {
        const ch = glob[i]!;
        if (ch === '*') {
          if (glob[i + 1] === '*') {
            i++;
            if (glob[i + 1] === '/') i++;
            re += i + 1 >= glob.length ? '.*' : '(.*/)?';
          } else re += '[^/]*';
        } else if (ch === '?') re += '[^/]';
        else if (ch === '[') {
          const close = glob.indexOf(']', i + 2);
          if (close < 0) throw new Error('unterminated [');
          re += glob.slice(i, close + 1);
          i = close;
        } else if (ch === '\\') {
          const next = glob[i + 1];
          if (next === undefined) re += '\\\\';
          else {
            re += /[A-Za-z0-9]/.test(next) ? next : '\\' + next;
            i++;
          }
        } else if (/[.$^+(){}|]/.test(ch)) re += '\\' + ch;
        else re += ch;
      }
      return new RegExp(re + '$');
    };
    const short = fc
      .array(fc.constantFrom('*', '**', '**/', '?', 'a', 'b', '/', '.', '[ab]', '[^a]', '\\*', '\\a', '+', '\n'), { maxLength: 6 })
      .map((p) => p.join(''));
    const shortPath = fc.array(fc.constantFrom('a', 'b', '/', '.', '*', 'ab', '\n', '+'), { minLength: 1, maxLength: 8 }).map((p) => p.join(''));
    fc.assert(
      fc.property(short, shortPath, (glob, p) => {
        let reference: RegExp;
        try {
          reference = oldRegExp(glob);
        } catch {
          return; // both refuse it: covered by the error test above
        }
        const { matcher, errors } = createMatcher([glob]);
        fc.pre(
          errors.length === 0 &&
            !glob.startsWith('!') &&
            glob.trim() === glob &&
            !/^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/.test(glob) &&
            !/^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/.test(p),
        );
        // A file path with no parent directories: exactly the one RegExp test the matcher makes.
        fc.pre(!p.includes('/'));
        expect(matcher.excludes(p, false)).toBe(reference.test(p));
      }),
      params(runs(3000, 0.1)),
    );
  });

  // Go's regexp (RE2) is linear; JavaScript's backtracks. These are the patterns that turn a glob compiled
  // to a regexp into an exponential search.
  const PATHOLOGICAL: { name: string; pattern: string; path: string }[] = [
    { name: '30 `**/` in a row against a deep path that does not match', pattern: '**/'.repeat(30) + 'x', path: 'a/'.repeat(60) + 'b' },
    { name: '`**/a/` 20 times against a/a/a/…/b', pattern: '**/a/'.repeat(20) + 'x', path: 'a/'.repeat(60) + 'b' },
    { name: '`*a` 12 times against a long run of a', pattern: '*a'.repeat(12) + 'b', path: 'a'.repeat(200) },
    { name: '`?*` 15 times against a long name', pattern: '?*'.repeat(15) + 'z', path: 'y'.repeat(300) },
    { name: '10k-character pattern of stars', pattern: '*'.repeat(10_000), path: 'a'.repeat(10_000) },
    { name: 'a pattern of 5k unmatched `[`', pattern: '['.repeat(5_000), path: 'a' },
  ];
  for (const { name, pattern, path: p } of PATHOLOGICAL) {
    it(`pathological pattern: ${name} — within the bound`, () => {
      const { matcher } = timed('createMatcher', () => createMatcher([pattern]));
      timed(`excludes(${p.slice(0, 20)}…)`, () => matcher.excludes(p, false));
      timed(`excludes(${p.slice(0, 20)}…, dir)`, () => matcher.excludes(p, true));
    });
  }

  it('a 1 MB .dockerignore of odd lines parses within the bound', () => {
    const text = pathologicalTexts()
      .map((t) => t.text.slice(0, 50_000))
      .join('\n');
    const { matcher } = timed('createMatcher', () => createMatcher(timed('parseDockerignore', () => parseDockerignore(text))));
    timed('excludes', () => matcher.excludes('a/b/c', false));
  });
});

// ---------------------------------------------------------------------------------------------

const KINDS = new Set(['log', 'dockerfile', 'dockerignore', 'context-tar', 'context-tar-gz', 'commands', 'report-json', 'unknown']);
const SAMPLES = fixtureFiles(/\.(log|tar|txt|json)$|Dockerfile/)
  .slice(0, 120)
  .map((p) => new Uint8Array(readFileSync(p).subarray(0, 70_000)));

describe('sniffInput on hostile input', () => {
  it('random bytes and names: never throws, always one of the kinds', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 2048 }), (name, head) => {
        expect(KINDS.has(timed('sniffInput', () => sniffInput(name, head)))).toBe(true);
      }),
      params(runs(3000, 0.3)),
    );
  });

  it('mutated real files (cut, bytes flipped, junk inserted): never throws', () => {
    fc.assert(
      fc.property(
        fc.nat(SAMPLES.length - 1),
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('x', 'Dockerfile', '.dockerignore', 'a.log', 'c.tar.gz', ''),
        (which, mutations, name) => {
          expect(KINDS.has(timed('sniffInput', () => sniffInput(name, mutateBytes(SAMPLES[which]!, mutations))))).toBe(true);
        },
      ),
      params(runs(1500, 0.2)),
    );
  });

  for (const { name, text } of pathologicalTexts()) {
    it(`pathological head: ${name}`, () => {
      expect(KINDS.has(timed('sniffInput', () => sniffInput('x', new TextEncoder().encode(text))))).toBe(true);
    });
  }
});

// ---------------------------------------------------------------------------------------------

const commandWord = fc.oneof(
  fc.constantFrom(
    'docker',
    'build',
    'buildx',
    'compose',
    'buildctl',
    '--build-arg',
    '--build-arg=',
    'A=1',
    '--no-cache',
    '--no-cache-filter',
    '--cache-from',
    '--cache-to',
    'type=registry,ref=x',
    '-t',
    '-f',
    '--file=',
    '--target',
    '--platform',
    '--pull',
    '--progress=plain',
    '.',
    '&&',
    '||',
    ';',
    '|',
    '(',
    ')',
    '$(',
    '`',
    '"',
    "'",
    '\\',
    '\\\n',
    '$VAR',
    '${VAR:-x}',
    '+',
    '$',
    'Run',
    '##[command]',
    '\t',
    'log.log\t',
    '\t0',
  ),
  fc.string({ maxLength: 6 }),
);

describe('build-command parser on hostile input', () => {
  it('random command lines and files: never throws, every command is well-formed', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(commandWord, { maxLength: 14 }).map((w) => w.join(' ')),
          { maxLength: 8 },
        ),
        (lines) => {
          const text = lines.join('\n');
          for (const line of lines) {
            const cmd = timed('parseBuildCommand', () => parseBuildCommand(line));
            if (cmd) {
              expect(typeof cmd.tool).toBe('string');
              expect(Array.isArray(cmd.tags)).toBe(true);
            }
          }
          expect(Array.isArray(timed('findBuildCommands', () => findBuildCommands(text)))).toBe(true);
          expect(Array.isArray(timed('parseCommandsFile', () => parseCommandsFile(text)))).toBe(true);
        },
      ),
      params(runs(2000, 0.2)),
    );
  });

  it('mutated real command files and CI logs: never throws', () => {
    const texts = [...COMMANDS, ...LOGS];
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(textMutation, { minLength: 1, maxLength: 5 }), (which, mutations) => {
        const text = mutateText(texts[which]!, mutations, texts);
        timed('findBuildCommands', () => findBuildCommands(text));
        timed('parseCommandsFile', () => parseCommandsFile(text));
      }),
      params(runs(1000, 0.1)),
    );
  });

  for (const { name, text } of pathologicalTexts()) {
    it(`pathological command text: ${name}`, () => {
      timed('parseBuildCommand', () => parseBuildCommand('docker build ' + text));
      timed('findBuildCommands', () => findBuildCommands('+ docker build ' + text + '\n' + text));
      timed('parseCommandsFile', () => parseCommandsFile('a.log\tdocker build ' + text + '\t0'));
    });
  }
});
