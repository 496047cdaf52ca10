import { describe, expect, it } from 'vitest';
import { dockerignoreOfBuild } from '../../../src/core/ingest/dockerignores.ts';

describe('dockerignoreOfBuild', () => {
  it('applies one given .dockerignore to every context', () => {
    expect([0, 1, 2].map((i) => dockerignoreOfBuild(['a'], i))).toEqual(['a', 'a', 'a']);
  });

  it("pairs several with the contexts in build order, build N's to build N's context", () => {
    expect([0, 1, 2].map((i) => dockerignoreOfBuild(['a', 'b'], i))).toEqual(['a', 'b', undefined]);
  });

  it('gives none when none was given', () => {
    expect(dockerignoreOfBuild([], 0)).toBeUndefined();
  });
});
