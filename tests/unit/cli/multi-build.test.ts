/**
 * A log file that holds several builds (a script that builds twice, CI retries), made of real fixture
 * logs: a.log then b.log of the copy-file-content case, in one file. Given alone it is compared build
 * by build; `file#N` and `--build` pick builds; the summary and --json say how each build was read.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/model.ts';
import { readingWords } from '../../../src/cli/summary.ts';
import { runCli } from './run.ts';

const CASE = join(import.meta.dirname, '../../fixtures/lab/copy-file-content');
const A = join(CASE, 'a.log');
const B = join(CASE, 'b.log');
const TWO = readFileSync(A, 'utf8') + readFileSync(B, 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'cachewhy-multi-'));

function file(name: string, content: string): string {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
}

const both = file('both.log', TWO);

async function report(argv: string[]): Promise<Report> {
  const r = await runCli(['--json', ...argv]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

const sources = (r: Report) => r.builds.map((b) => b.source);

describe('one log holding two builds', () => {
  it('is compared build 1 against build 2, naming the same first miss as the two separate files', async () => {
    const separate = await report([A, B, join(CASE, 'Dockerfile')]);
    const joined = await report([both, join(CASE, 'Dockerfile')]);
    expect(sources(joined)).toEqual(['both.log#1', 'both.log#2']);
    expect(joined.diagnosis!.first_miss).toEqual(separate.diagnosis!.first_miss);
    expect(joined.diagnosis!.first_miss).toMatchObject({ index: 3, instruction: 'COPY app.conf /etc/app.conf' });
  });

  it('--json carries where each build sits in its file as builds[].reading', async () => {
    const joined = await report([both]);
    expect(joined.builds.map((b) => b.reading)).toEqual([
      { repairs: [], learned_prefix: null, build: 1, builds: 2, unplaced_lines: 0 },
      { repairs: [], learned_prefix: null, build: 2, builds: 2, unplaced_lines: 0 },
    ]);
    // A log of one build, read as it was, has nothing to say.
    expect((await report([A, B])).builds.map((b) => b.reading)).toEqual([undefined, undefined]);
  });

  it('the summary lists each build with its format, steps cached and built, and its place in the file', async () => {
    const r = await runCli([both]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^ {2}1 {2}both\.log#1 {2}buildkit-plain {2}4 steps: 4 cached, 0 built {2}build 1 of 2$/m);
    expect(r.stdout).toMatch(/^ {2}2 {2}both\.log#2 {2}buildkit-plain {2}4 steps: 2 cached, 2 built {2}build 2 of 2$/m);
    expect(r.stdout).toMatch(/\[3\/4\]\s+cached\s+BUILT\s+COPY app\.conf \/etc\/app\.conf\s+<- root miss/);
  });

  it('the summary says how a damaged paste was read: double spacing, a learned line prefix', async () => {
    const doubled = await runCli([file('doubled.log', TWO.replace(/\n/g, '\n\n'))]);
    expect(doubled.code, doubled.stderr).toBe(0);
    expect(doubled.stdout).toMatch(/doubled\.log#2 .*build 2 of 2; double spacing removed$/m);

    const stamped = TWO.split('\n')
      .map((line, i) => (line ? `build\t${10 + (i % 20)}-Jan-2024 10:00:${10 + (i % 50)}\t${line}` : line))
      .join('\n');
    const prefixed = await runCli(['--json', file('stamped.log', stamped)]);
    expect(prefixed.code, prefixed.stderr).toBe(0);
    const json = JSON.parse(prefixed.stdout) as Report;
    expect(json.builds[0]!.reading).toMatchObject({ learned_prefix: expect.stringMatching(/^build\t.*Jan/), build: 1, builds: 2 });
    expect(json.diagnosis!.first_miss).toMatchObject({ index: 3 });
    const summary = await runCli([file('stamped.log', stamped)]);
    expect(summary.stdout).toMatch(/stamped\.log#1 .*build 1 of 2; line prefix "build\\t.*Jan.*\\t" stripped$/m);
  });
});

describe('picking builds', () => {
  it('file#N picks that build, compared with the other logs in the order given', async () => {
    const r = await report([A, `${both}#2`]);
    expect(sources(r)).toEqual(['a.log', 'both.log#2']);
    expect(r.diagnosis!.first_miss).toMatchObject({ index: 3 });
  });

  it('file#N,M picks builds in the order given', async () => {
    expect(sources(await report([`${both}#2,1`]))).toEqual(['both.log#2', 'both.log#1']);
  });

  it('--build applies to every log holding more than one build; a log of one build and a file#N keep theirs', async () => {
    const second = file('second.log', TWO);
    const r = await report(['--build', '2', A, both, `${second}#1`]);
    expect(sources(r)).toEqual(['a.log', 'both.log#2', 'second.log#1']);
    expect(sources(await report(['--build=2,1', both]))).toEqual(['both.log#2', 'both.log#1']);
  });

  it('--build with no log of several builds says it picked nothing, and compares as usual', async () => {
    const r = await runCli(['--json', '--build', '2', A, B]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^cachewhy: note: --build 2 picks nothing/);
    expect(sources(JSON.parse(r.stdout))).toEqual(['a.log', 'b.log']);
  });

  it('a file really named like a pick is read as that file', async () => {
    const named = file('run.log#2', readFileSync(B, 'utf8'));
    expect(sources(await report([A, named]))).toEqual(['a.log', 'run.log#2']);
  });

  it('a suffix that picks nothing (file#x) is a warning naming it; the other logs are analysed', async () => {
    const r = await runCli(['--json', A, B, `${both}#x`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: warning: .*both\.log#x: #x does not pick builds/)]);
    expect(sources(JSON.parse(r.stdout))).toEqual(['a.log', 'b.log']);
  });

  it('a build past the end of its log is said; with nothing else to compare, exit 2', async () => {
    const alone = await runCli([`${both}#5`]);
    expect(alone.code).toBe(2);
    expect(alone.stdout).toBe('');
    expect(alone.stderr).toMatch(/both\.log: holds 2 builds; there is no build 5/);
    expect(alone.stderr).toMatch(/^cachewhy: nothing to analyse: none of the builds picked/m);

    const withOthers = await runCli(['--json', A, B, `${both}#5`]);
    expect(withOthers.code).toBe(0);
    expect(sources(JSON.parse(withOthers.stdout))).toEqual(['a.log', 'b.log']);
  });

  it.each([['--build'], ['--build', '0'], ['--build', 'two'], ['--build', '1,,2'], ['--build', '1', '--build', '2']])(
    '%j is refused with one line and exit 2',
    async (...flags) => {
      const r = await runCli([...flags, A]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: --build /)]);
    },
  );
});

describe('a bad input beside a log of several builds', () => {
  it('an unrecognised extra file gets a warning; the builds are still compared (exit 0)', async () => {
    const r = await runCli(['--json', both, file('notes.txt', 'remember to bump the version\n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^cachewhy: warning: .*notes\.txt: is not something cachewhy recognises/)]);
    expect(JSON.parse(r.stdout).diagnosis.first_miss).toMatchObject({ index: 3 });
  });

  it('every input bad → exit 2', async () => {
    const r = await runCli([join(scratch, 'absent.log#2'), file('blank.log', '\n\n')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^cachewhy: warning: .*absent\.log#2: cannot be read: no such file/),
      expect.stringMatching(/^cachewhy: warning: .*blank\.log: /),
      expect.stringMatching(/^cachewhy: nothing to analyse: /),
    ]);
  });
});

describe('readingWords', () => {
  it('words every fact, and nothing when there is nothing to say', () => {
    expect(readingWords({ repairs: [], learned_prefix: null, build: 1, builds: 1, unplaced_lines: 0 })).toBe('');
    expect(readingWords({ repairs: ['folded-lines', 'html-entities', 'hard-wrapped'], learned_prefix: '0: ', build: 2, builds: 3, unplaced_lines: 1 })).toBe(
      'build 2 of 3; folded lines split apart; HTML entities decoded; hard-wrapped lines rejoined; line prefix "0: " stripped; 1 unplaced line (not build output)',
    );
  });
});
