/** The shared pipeline: texts + hashed contexts → Report, with every user error as a problem. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, type TextInput } from '../../src/core/analyze.ts';
import { indexContext } from '../../src/core/context/index.ts';
import type { ContextIndex } from '../../src/core/model.ts';
import { loadHasher } from '../../src/cli/hasher.ts';
import { openTarFile } from '../../src/cli/folder.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures');
const read = (rel: string, name = rel.split('/').pop()!): TextInput => ({ name, text: readFileSync(join(FIXTURES, rel), 'utf8') });

async function contextOf(rel: string): Promise<ContextIndex> {
  const result = await indexContext(await openTarFile(join(FIXTURES, rel)), { name: rel.split('/').pop()!, hasher: await loadHasher() });
  if (!result.ok) throw new Error(result.problem.message);
  return result.value;
}

describe('analyze', () => {
  it('builds the report of two logs, a Dockerfile and both contexts', async () => {
    const c = 'lab/copy-file-content';
    const { report, problems } = analyze({
      logs: [read(`${c}/a.log`), read(`${c}/b.log`)],
      dockerfiles: [read(`${c}/Dockerfile`)],
      contexts: [await contextOf(`${c}/context-a.tar`), await contextOf(`${c}/context-b.tar`)],
    });
    expect(problems).toEqual([]);
    expect(report.builds.map((b) => b.source)).toEqual(['a.log', 'b.log']);
    expect(report.diagnosis?.first_miss).toMatchObject({ stage: null, index: 3 });
    expect(report.dockerfile?.lines[2]).toBe('COPY app.conf /etc/app.conf');
    expect(report.inputs?.map((i) => i.kind)).toEqual(['log', 'log', 'dockerfile', 'context (tar)', 'context (tar)']);
  });

  it('carries per-context content keys equal to the ones BuildKit stored (checksum vectors)', async () => {
    const vectors = JSON.parse(readFileSync(join(FIXTURES, 'checksum/vectors.json'), 'utf8')) as {
      case: string;
      context: string;
      instruction: string;
      contentKey: string;
      cacheDbRoot: string;
    }[];
    const cases = [...new Set(vectors.map((v) => v.case))].filter((name) => {
      try {
        readFileSync(join(FIXTURES, 'lab', name, 'Dockerfile'));
        return true;
      } catch {
        return false;
      }
    });
    expect(cases.length).toBeGreaterThan(2);
    for (const name of cases) {
      const c = `lab/${name}`;
      const { report } = analyze({
        logs: [read(`${c}/a.log`), read(`${c}/b.log`)],
        dockerfiles: [read(`${c}/Dockerfile`)],
        contexts: [await contextOf(`${c}/context-a.tar`), await contextOf(`${c}/context-b.tar`)],
      });
      for (const v of vectors.filter((x) => x.case === name)) {
        const context = report.contexts![v.context === 'a' ? 0 : 1]!;
        const key = context.keys.find((k) => k.instruction === v.instruction);
        expect(key, `${name} ${v.context} ${v.instruction}`).toBeDefined();
        expect(key!.content_key).toBe(v.contentKey);
        expect(key!.cache_db_key).toBe(v.cacheDbRoot);
      }
    }
  });

  it('a log that cannot be read becomes a problem; the others are still analysed', () => {
    const c = 'lab/copy-file-content';
    const { report, problems } = analyze({
      logs: [read(`${c}/a.log`), { name: 'notes.txt', text: 'just some notes\nno build here\n' }, read(`${c}/b.log`)],
      dockerfiles: [],
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ input: 'notes.txt' });
    expect(problems[0]!.message).toMatch(/not look like a Docker build log/);
    expect(report.builds.map((b) => b.source)).toEqual(['a.log', 'b.log']);
    expect(report.diagnosis?.first_miss).toMatchObject({ index: 3 });
  });

  it('matches commands.txt lines to logs by file name and finds the build args', () => {
    const c = 'lab/seed-replica';
    const { report } = analyze({
      logs: [read(`${c}/a.log`), read(`${c}/b.log`)],
      dockerfiles: [read(`${c}/Dockerfile`)],
      commands: [read(`${c}/commands.txt`)],
    });
    expect(report.commands?.map((x) => [x.build, x.command.build_args.REPO_HASH])).toEqual([
      [0, '3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d'],
      [1, '7e6d5c4b3a29180f1e2d3c4b5a69788f9e0d1c2b'],
    ]);
  });

  it('assigns plain command lines to builds in order, and says when a file has none', () => {
    const c = 'lab/arg-used';
    const { report, problems } = analyze({
      logs: [read(`${c}/a.log`), read(`${c}/b.log`)],
      dockerfiles: [read(`${c}/Dockerfile`)],
      commands: [
        { name: 'build-1.sh', text: 'docker build --build-arg V=1 .\n' },
        { name: 'empty.txt', text: '# nothing here\n' },
        { name: 'build-2.sh', text: 'docker build --build-arg V=2 .\n' },
      ],
    });
    expect(report.commands?.map((x) => [x.build, x.source, x.command.build_args.V])).toEqual([
      [0, 'build-1.sh', '1'],
      [1, 'build-2.sh', '2'],
    ]);
    expect(problems.map((p) => p.input)).toEqual(['empty.txt']);
    expect(report.diagnosis?.causes[0]?.kind).toBe('build-arg-changed');
  });

  it('takes the build command a CI log echoes when no command file is given', () => {
    const log = read('lab/arg-used/b.log');
    const ci = { name: 'ci.log', text: `+ docker build --build-arg V=2 -t app .\n${log.text}` };
    const { report } = analyze({ logs: [read('lab/arg-used/a.log'), ci], dockerfiles: [] });
    expect(report.commands).toEqual([{ build: 1, source: 'ci.log', command: expect.objectContaining({ build_args: { V: '2' } }) }]);
  });

  it('reads one Dockerfile per build when the Dockerfile changed, and shows the later one', () => {
    const c = 'lab/env-change';
    const { report, problems } = analyze({ logs: [read(`${c}/a.log`), read(`${c}/b.log`)], dockerfiles: [read(`${c}/Dockerfile`), read(`${c}/Dockerfile.b`)] });
    expect(problems).toEqual([]);
    expect(report.dockerfile?.source).toBe('Dockerfile.b');
    expect(report.dockerfile?.lines.join('\n')).toBe(read(`${c}/Dockerfile.b`).text);
    expect(report.diagnosis?.first_miss).toMatchObject({ index: 4 });
  });

  it('with no log there is nothing to diagnose: diagnosis is null, the Dockerfile is still shown', () => {
    const { report, problems } = analyze({ logs: [], dockerfiles: [read('lab/copy-file-content/Dockerfile')] });
    expect(problems).toEqual([]);
    expect(report.diagnosis).toBeNull();
    expect(report.builds).toEqual([]);
    expect(report.dockerfile?.source).toBe('Dockerfile');
  });

  it('never throws on arbitrary text inputs', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.constantFrom('#1 [1/2] FROM x\n#1 CACHED\n', 'FROM x\nRUN y\n', 'docker build --build-arg A .', 'Step 1/1 : FROM x\n'),
    );
    fc.assert(
      fc.property(fc.array(text, { maxLength: 3 }), fc.array(text, { maxLength: 2 }), fc.array(text, { maxLength: 2 }), (logs, dockerfiles, commands) => {
        const named = (texts: string[], prefix: string) => texts.map((t, i) => ({ name: `${prefix}${i}`, text: t }));
        const result = analyze({ logs: named(logs, 'log'), dockerfiles: named(dockerfiles, 'Dockerfile'), commands: named(commands, 'cmd') });
        expect(result.report.schema).toBe('cachewhy.report/v2');
        for (const p of result.problems) expect(p.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 20261129 },
    );
  });
});
