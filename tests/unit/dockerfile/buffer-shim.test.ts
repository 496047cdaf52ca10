/**
 * dockerfile-ast calls Node's Buffer.from on every parse; browsers have no Buffer. Simulate a browser by
 * removing it for the duration of a parse.
 */
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { installBufferShim } from '../../../src/core/dockerfile/buffer-shim.ts';
import { readDockerfile } from '../../../src/core/dockerfile/index.ts';

function withoutNodeBuffer(run: () => void): void {
  const g = globalThis as { Buffer?: unknown };
  const saved = g.Buffer;
  delete g.Buffer;
  try {
    run();
  } finally {
    g.Buffer = saved;
  }
}

describe('Buffer shim for browsers', () => {
  it('dockerfile-ast fails without a Buffer (why the shim exists)', () => {
    withoutNodeBuffer(() => {
      expect(() => DockerfileParser.parse('FROM alpine\nRUN x')).toThrow();
    });
  });

  it('with the shim, parsing works and Buffer.from gives UTF-8 bytes', () => {
    withoutNodeBuffer(() => {
      installBufferShim();
      const plan = readDockerfile('\uFEFFFROM alpine\nRUN echo é', 'Dockerfile');
      expect(plan.problems).toEqual([]);
      expect(plan.steps.map((s) => s.instruction)).toEqual(['FROM docker.io/library/alpine:latest', 'RUN echo é']);
      const shim = (globalThis as unknown as { Buffer: { from(s: string): Uint8Array } }).Buffer;
      expect([...shim.from('é')]).toEqual([0xc3, 0xa9]);
    });
  });

  it('never replaces a real Buffer', () => {
    const before = (globalThis as { Buffer?: unknown }).Buffer;
    installBufferShim();
    expect((globalThis as { Buffer?: unknown }).Buffer).toBe(before);
  });
});
