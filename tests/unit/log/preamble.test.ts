import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readLog } from '../../../src/core/log/index.ts';

const fixture = (p: string) => readFileSync(new URL(`../../fixtures/${p}`, import.meta.url), 'utf8');

describe('CI logs with a long preamble before the build', () => {
  // A GitHub Actions job log holds checkout, setup and install output before `docker build` starts.
  const preamble = Array.from(
    { length: 1500 },
    (_, i) => `2026-11-29T16:26:${String(i % 60).padStart(2, '0')}.6150000Z npm WARN deprecated pkg-${i}@1.0.0: no longer supported`,
  ).join('\n');

  it('still finds the BuildKit build after 1,500 lines of other output', () => {
    const build = fixture('lab/copy-file-content/b.iso.log');
    const res = readLog(`${preamble}\n${build}`, 'job.log');
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.value.format).toBe('buildkit-plain');
    expect(res.value.linePrefix).toBe('iso8601');
    expect(res.value.steps.map((s) => `${s.index}:${s.status}`)).toEqual(['1:cached', '2:cached', '3:built', '4:built']);
  });

  it('still rejects a long text with no build in it', () => {
    const res = readLog(preamble, 'job.log');
    expect(res.ok).toBe(false);
  });
});
