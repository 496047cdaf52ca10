/**
 * Logs as people paste them, built from real lab logs: several builds in one text (of one format or
 * two), a builder that revisits `#1` without starting over, stamps that go back, decorations no CI list
 * knows, a step quoted alone. Each case is compared with the lab logs read one by one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/analyze.ts';
import { readLog, readLogBuilds } from '../../../src/core/log/index.ts';
import { planRepairs } from '../../../src/core/log/transit.ts';
import type { BuildTrace } from '../../../src/core/model.ts';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const text = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');
const statuses = (t: BuildTrace): string[] => t.steps.map((s) => `${s.label} ${s.status}`);

function builds(log: string): BuildTrace[] {
  const r = readLogBuilds(log, 'pasted.log');
  if (!r.ok) throw new Error(r.problem.message);
  return r.value;
}

function one(log: string, name: string): string[] {
  const r = readLog(log, name);
  if (!r.ok) throw new Error(r.problem.message);
  return statuses(r.value);
}

const PLAIN_A = text('lab/copy-file-content/a.log');
const PLAIN_B = text('lab/copy-file-content/b.log');
const LEGACY_A = text('lab/copy-file-content/legacy-a.log');
const LEGACY_B = text('lab/copy-file-content/legacy-b.log');
const TTY_B = text('lab/tty-copy-file-content/b.log');

describe('several builds in one text', () => {
  it('two plain builds: both read, named file#1 and file#2, compared as two logs would be', () => {
    const both = builds(`$ docker build --progress=plain .\n${PLAIN_A}\n$ docker build --progress=plain .\n${PLAIN_B}`);
    expect(both.map((t) => t.source)).toEqual(['pasted.log#1', 'pasted.log#2']);
    expect(both.map(statuses)).toEqual([one(PLAIN_A, 'a'), one(PLAIN_B, 'b')]);
    expect(both[1]?.reading).toMatchObject({ build: 2, builds: 2 });
    const joined = analyze({ logs: [{ name: 'pasted.log', text: `${PLAIN_A}\n${PLAIN_B}` }], dockerfiles: [] }).report.diagnosis?.first_miss;
    const separate = analyze({
      logs: [
        { name: 'a.log', text: PLAIN_A },
        { name: 'b.log', text: PLAIN_B },
      ],
      dockerfiles: [],
    }).report.diagnosis?.first_miss;
    expect(joined).toEqual(separate);
    expect(joined).not.toBeNull();
  });

  it('two legacy builds, and a legacy build followed by a BuildKit one, each read with its own reader', () => {
    expect(builds(`${LEGACY_A}${LEGACY_B}`).map(statuses)).toEqual([one(LEGACY_A, 'a'), one(LEGACY_B, 'b')]);
    const mixed = builds(`${LEGACY_A}\n${PLAIN_B}`);
    expect(mixed.map((t) => t.format)).toEqual(['legacy', 'buildkit-plain']);
    expect(mixed.map(statuses)).toEqual([one(LEGACY_A, 'a'), one(PLAIN_B, 'b')]);
  });

  it('a tty screen, then a plain build of the same project', () => {
    const ttyScreen = text('lab/tty-copy-file-content/b.log');
    const mixed = builds(`${ttyScreen}\n${PLAIN_A}`);
    expect(mixed.map((t) => t.format)).toEqual(['buildkit-tty', 'buildkit-plain']);
    expect(mixed[1] && statuses(mixed[1])).toEqual(one(PLAIN_A, 'a'));
    expect(mixed[0] && statuses(mixed[0])).toEqual(one(TTY_B, 'tty'));
  });

  it('a builder that prints `#1 [internal] load build definition` again and goes on counting is one build', () => {
    // Depot (fly.io) loads the definition up to three times; the numbers go on (#4, #5 …), not over.
    const lines = PLAIN_A.split('\n');
    const at = lines.findIndex((l) => l.startsWith('#4 '));
    const revisit = ['#1 [internal] load build definition from Dockerfile', '#1 transferring dockerfile: 2.74kB done', '#1 DONE 0.0s', ''];
    const log = [...lines.slice(0, at), ...revisit, ...lines.slice(at)].join('\n');
    expect(builds(log).map(statuses)).toEqual([one(PLAIN_A, 'a')]);
  });

  it('stamps that go back by minutes start another build (a post quoting a bad run, then a good one)', () => {
    const stamp = (log: string, clock: string): string =>
      log
        .split('\n')
        .map((l) => `${clock} ${l}`)
        .join('\n');
    const post = `${stamp(PLAIN_B, '18:56:43')}\n${stamp(PLAIN_A, '17:49:32')}`;
    expect(builds(post).map(statuses)).toEqual([one(PLAIN_B, 'b'), one(PLAIN_A, 'a')]);
    // Compared in the order they ran, and the user is told.
    const { report, problems } = analyze({ logs: [{ name: 'post.txt', text: post }], dockerfiles: [] });
    expect(report.builds.map((b) => b.source)).toEqual(['post.txt#2', 'post.txt#1']);
    expect(problems.some((p) => /out of order/.test(p.message))).toBe(true);
    expect(report.diagnosis?.first_miss).not.toBeNull();
  });

  it('`file#2`-style picks choose and order the builds', () => {
    const log = `${PLAIN_A}\n${PLAIN_B}`;
    const { report } = analyze({ logs: [{ name: 'x.log', text: log, pick: [2, 1] }], dockerfiles: [] });
    expect(report.builds.map((b) => b.source)).toEqual(['x.log#2', 'x.log#1']);
    const { problems } = analyze({ logs: [{ name: 'x.log', text: log, pick: [3] }], dockerfiles: [] });
    expect(problems.map((p) => p.message)).toContain('x.log holds 2 builds; there is no build 3.');
  });
});

describe('decorations learned from the log', () => {
  const cases: [string, (n: number) => string][] = [
    ['a CI with tab-separated fields', (n) => `build\t24-Jan-2015 22:58:${String(n % 60).padStart(2, '0')}\t`],
    ['a logging framework', (n) => `2019-09-25 11:19:08,${String(n % 1000).padStart(3, '0')} tool INFO Docker: `],
    ['an awk line number', (n) => `${n + 1}: `],
    ['an indented block', () => '        '],
  ];
  it.each(cases)('%s', (_what, prefix) => {
    for (const [name, log] of [
      ['b.log', PLAIN_B],
      ['legacy-b.log', LEGACY_B],
    ] as const) {
      const decorated = log
        .split('\n')
        .map((l, i) => `${prefix(i)}${l}`)
        .join('\n');
      const [trace] = builds(decorated);
      expect(trace && statuses(trace), name).toEqual(one(log, name));
      expect(trace?.reading?.learnedPrefix ?? trace?.linePrefix).not.toBe('none');
    }
  });
});

describe('what a paste keeps of a build', () => {
  it('a step quoted alone is read, not refused', () => {
    expect(one('#7 [stage-0 2/34] ADD model/.aws/ /root/.aws\n', 'quote')).toEqual(['[stage-0 2/34] not-run']);
    expect(one('=> CACHED [2/5] COPY . .\n', 'quote')).toEqual(['[2/5] cached']);
  });

  it('a text without any step is still refused, with a hint', () => {
    const r = readLogBuilds('Hi, my build is slow, any idea?\n', 'question.txt');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.hint).toBeTruthy();
  });

  it('the label docker compose adds to a classic build is no step', () => {
    const log = LEGACY_B.replace(
      /Successfully built/,
      'Step 5/5 : LABEL com.docker.compose.image.builder=classic\n ---> Running in 0123456789ab\n ---> 0123456789ab\nSuccessfully built',
    );
    expect(one(log, 'compose.log')).toEqual(one(LEGACY_B, 'legacy-b.log'));
  });

  it('clean lab logs need no transit repair', () => {
    for (const path of [
      'lab/copy-file-content/b.log',
      'lab/copy-file-content/legacy-b.log',
      'lab/seed-replica/b.jenkins.log',
      'lab-modern/copy-file-content/b.rawjson.log',
      'lab/tty-copy-file-content/b.log',
    ]) {
      expect(planRepairs(text(path)).repairs, path).toEqual([]);
    }
  });
});

describe('build checks after a tty display', () => {
  // The shape of the summary buildx prints after the display (seen in public READMEs, e.g. an xcm-tools
  // setup note quoting `docker build`): a count line, then one `- Rule: message (line N)` per warning.
  it('the closing `N warnings found` list is kept as the warnings of the build', () => {
    const screen = [
      '[+] Building 2.1s (8/8) FINISHED                                                   docker:default',
      ' => [internal] load build definition from Dockerfile                                         0.0s',
      ' => CACHED [1/3] FROM docker.io/library/node:20                                              0.0s',
      ' => [2/3] WORKDIR app                                                                        0.1s',
      ' => [3/3] COPY . .                                                                           0.2s',
      ' => exporting to image                                                                       0.1s',
      '',
      ' 2 warnings found (use docker --debug to expand):',
      ' - WorkdirRelativePath: Relative workdir "app" can have unexpected results if the base image changes (line 3)',
      ' - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 9)',
      'ubuntu@ip-172-31-22-192:~/xcm-tools$ docker run -it --rm xcm-tools-test',
    ].join('\n');
    const [trace] = builds(screen);
    expect(trace?.warnings).toEqual([
      'WorkdirRelativePath: Relative workdir "app" can have unexpected results if the base image changes (line 3)',
      'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 9)',
    ]);
    expect(trace && statuses(trace)).toEqual(['[1/3] cached', '[2/3] built', '[3/3] built']);
  });
});
