/**
 * Which Dockerfile each build is read with when the user gave one or none, but the build contexts hold
 * their own (src/core/ingest/dockerfiles.ts).
 */
import { describe, expect, it } from 'vitest';
import { dockerfilesPerBuild } from '../../../src/core/ingest/dockerfiles.ts';
import type { BuildCommand, ContextIndex } from '../../../src/core/model.ts';

const context = (source: string, dockerfiles: { path: string; text: string }[]): ContextIndex => ({
  source,
  kind: 'tar',
  modesKnown: true,
  entries: [],
  dockerignore: [],
  rootDigest: '',
  credentials: [],
  stats: { files: 0, dirs: 0, bytes: 0, excluded: 0 },
  checksumEra: '',
  problems: [],
  dockerfiles,
});

const OLD = 'FROM base\nENV MODE=one\nCOPY src/ /app/\n';
const NEW = 'FROM base\nENV MODE=two\nCOPY src/ /app/\n';
const a = context('context-a.tar', [{ path: 'Dockerfile', text: OLD }]);
const b = context('context-b.tar', [{ path: 'Dockerfile', text: NEW }]);

describe('dockerfilesPerBuild', () => {
  it('without a Dockerfile given, reads each build with the Dockerfile of its context, and says so', () => {
    const r = dockerfilesPerBuild([], [a, b], [null, null]);
    expect(r.files).toEqual([
      { name: 'context-a.tar:Dockerfile', text: OLD },
      { name: 'context-b.tar:Dockerfile', text: NEW },
    ]);
    expect(r.notes[0]?.message).toMatch(/build 1 is read with context-a\.tar:Dockerfile, build 2 is read with context-b\.tar:Dockerfile/);
  });

  it('with only the current Dockerfile given, reads the earlier build with the one in its context', () => {
    const r = dockerfilesPerBuild([{ name: 'Dockerfile', text: NEW.replace(/\n/g, '\r\n') }], [a, b], [null, null]);
    expect(r.files.map((f) => f.name)).toEqual(['context-a.tar:Dockerfile', 'Dockerfile']);
    expect(r.notes).toHaveLength(1);
    expect(r.notes[0]!.message).toMatch(/context-a\.tar:Dockerfile differs from Dockerfile: build 1 is read with the Dockerfile from its context/);
  });

  it('keeps the given Dockerfile for every build when the contexts agree with it or have none', () => {
    expect(dockerfilesPerBuild([{ name: 'Dockerfile', text: NEW }], [b, b], [null, null])).toEqual({ files: [{ name: 'Dockerfile', text: NEW }], notes: [] });
    expect(dockerfilesPerBuild([{ name: 'Dockerfile', text: NEW }], [null, context('c.tar', [])], [null, null]).files).toHaveLength(1);
  });

  it('keeps a given Dockerfile that matches no context, and says which context differs', () => {
    const r = dockerfilesPerBuild([{ name: 'other/Dockerfile', text: 'FROM x\n' }], [a, b], [null, null]);
    expect(r.files).toEqual([{ name: 'other/Dockerfile', text: 'FROM x\n' }]);
    expect(r.notes.map((n) => n.message)).toEqual([
      "other/Dockerfile differs from context-a.tar:Dockerfile, the Dockerfile in build 1's context; every build is read with other/Dockerfile.",
      "other/Dockerfile differs from context-b.tar:Dockerfile, the Dockerfile in build 2's context; every build is read with other/Dockerfile.",
    ]);
  });

  it('follows the -f of the build command inside the context, and does not guess when -f points elsewhere', () => {
    const ctx = context('ctx.tar', [
      { path: 'Dockerfile', text: 'FROM root\n' },
      { path: 'docker/api.Dockerfile', text: 'FROM api\n' },
    ]);
    const withF = { file: './docker/api.Dockerfile', context: '.' } as BuildCommand;
    expect(dockerfilesPerBuild([], [ctx], [withF]).files).toEqual([{ name: 'ctx.tar:docker/api.Dockerfile', text: 'FROM api\n' }]);
    const outside = { file: '/elsewhere/Dockerfile', context: '.' } as BuildCommand;
    expect(dockerfilesPerBuild([], [ctx], [outside]).files).toEqual([]);
  });

  it('leaves one Dockerfile per build as given', () => {
    const given = [
      { name: 'D1', text: OLD },
      { name: 'D2', text: NEW },
    ];
    expect(dockerfilesPerBuild(given, [b, a], [null, null])).toEqual({ files: given, notes: [] });
  });
});
