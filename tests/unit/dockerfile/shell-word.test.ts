/**
 * The variable expansion that names BuildKit vertices, checked against BuildKit's own lexer test
 * vectors (envVarTest, run there with PWD=/home SHELL=bash KOREAN=한국어 NULL=).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandWord } from '../../../src/core/dockerfile/shell-word.ts';

const ENV: Record<string, string> = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };
const lookup = (name: string): string | undefined => (Object.hasOwn(ENV, name) ? ENV[name] : undefined);

const vectors = readFileSync('tests/unit/dockerfile/vectors/buildkit-envVarTest.txt', 'utf8')
  .split('\n')
  .filter((l) => !l.startsWith('#') && l.trim() !== '')
  .map((l) =>
    l
      .trim()
      .split('|')
      .map((w) => w.trim()),
  )
  .filter((w): w is [string, string, string] => w.length === 3 && (w[0] === 'A' || w[0] === 'U'));

describe("BuildKit's envVarTest vectors", () => {
  it('has the vectors', () => {
    expect(vectors.length).toBeGreaterThan(150);
  });

  it.each(vectors.map(([, input, expected]) => [input, expected]))('%s → %s', (input, expected) => {
    const r = expandWord(input, { escape: '\\', lookup });
    if (expected === 'error') expect(r).toBeNull();
    else expect(r?.text).toBe(expected);
  });
});

describe('pattern modifiers, as asserted by BuildKit lex_test.go TestProcessWithMatches', () => {
  it.each([
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO:#}', {}, null],
    ['${FOO:%%}', {}, null],
    ['${FOO=aaa}', { FOO: 'x' }, null],
    ['${BAZ?ccc}', {}, null],
    ['${BAR:?bbb}', { BAR: '' }, null],
  ] as [string, Record<string, string>, string | null][])('%s with %j → %s', (input, env, expected) => {
    const r = expandWord(input, { escape: '\\', lookup: (n) => (Object.hasOwn(env, n) ? env[n] : undefined) });
    expect(r?.text ?? null).toBe(expected);
  });
});

describe('the RUN variant (raw quotes, unset variables kept)', () => {
  it.each([
    [`echo "$SHELL" '$SHELL' $NOPE \${NOPE} \${NOPE:-x}`, `echo "bash" '$SHELL' $NOPE \${NOPE} \${NOPE:-x}`],
    ['a\\ b', 'a b'],
    ['"unclosed', null],
  ])('%s → %s', (input, expected) => {
    expect(expandWord(input, { escape: '\\', lookup, rawQuotes: true, skipUnset: true })?.text ?? null).toBe(expected);
  });
});
