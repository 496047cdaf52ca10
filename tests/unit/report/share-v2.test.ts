/**
 * Share links, format 2 (src/core/report/share-v2.ts): exact round trips on every lab case, older links
 * still open, damaged and hostile links give typed problems, and the CLI reads a link given as argument.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../../src/core/model.ts';
import { compactReport, decodeShareLink, encodeShareLinkDetailed, redactReport } from '../../../src/core/report/index.ts';
import { toBase64Url } from '../../../src/core/report/share.ts';
import { SHARE_DICTIONARY } from '../../../src/core/report/share-dictionary.ts';
import { pack, unpack, UnpackError, type Json } from '../../../src/core/report/share-pack.ts';
import { restoreReport, squeezeReport } from '../../../src/core/report/share-predict.ts';
import { encodeV2Payload } from '../../../src/core/report/share-v2.ts';
import { runCli } from '../cli/run.ts';
import { sampleReport } from './sample.ts';

const LAB = resolve(import.meta.dirname, '../../fixtures/lab');
const BASE = 'http://127.0.0.1:5173/';

/** The lab case's inputs as `--link` is given them; the example uses its Jenkins-prefixed log. */
function argvFor(name: string): string[] {
  const b = name === 'seed-replica' ? 'b.jenkins.log' : 'b.log';
  return ['a.log', b, 'Dockerfile', 'Dockerfile.b', 'commands.txt', 'context-a.tar', 'context-b.tar'].map((f) => join(LAB, name, f)).filter(existsSync);
}

const CASES = readdirSync(LAB).filter((name) => existsSync(join(LAB, name, 'a.log')));

async function reportOf(name: string): Promise<Report> {
  const r = await runCli(['--json', ...argvFor(name)]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** Format 1 exactly as it was written, to check old links still open. */
function v1Fragment(report: Report): string {
  return `r=1.${toBase64Url(deflateRawSync(JSON.stringify(report)))}`;
}

const v2Fragment = (report: Report): string => `r=2.${toBase64Url(encodeV2Payload(report))}`;

describe('format 2 round trip', () => {
  it('finds the lab cases', () => expect(CASES.length).toBeGreaterThanOrEqual(15));

  for (const name of CASES) {
    it(`${name}: the full and the compact report come back exactly, and a format-1 link of each still opens`, async () => {
      const safe = redactReport(await reportOf(name)).report;
      for (const report of [safe, compactReport(safe)]) {
        const v2 = await decodeShareLink(v2Fragment(report));
        expect(v2).toEqual({ ok: true, value: report });
        if (v2.ok) expect(JSON.stringify(v2.value)).toBe(JSON.stringify(report));
        expect(await decodeShareLink(v1Fragment(report))).toEqual({ ok: true, value: report });
        expect(v2Fragment(report).length).toBeLessThan(v1Fragment(report).length);
      }
    });
  }

  it("the built-in example's link is less than 60% of format 1's", async () => {
    const report = await reportOf('seed-replica');
    const encoded = await encodeShareLinkDetailed(report);
    expect(encoded.fragment.startsWith('r=3.')).toBe(true);
    expect(encoded.compact).toBe(true);
    const v1 = v1Fragment(compactReport(redactReport(report).report));
    expect(encoded.size).toBeLessThan(v1.length * 0.6);
  });

  it('the rules take out what the report says twice, and leave what they cannot predict', () => {
    const report = sampleReport();
    const squeezed = squeezeReport(report as unknown as Json) as unknown as Report;
    expect(squeezed.builds[1]!.steps.some((s) => (s.instruction as unknown) === true)).toBe(true);
    // A step whose instruction differs from the Dockerfile's stays as it is, and still comes back.
    const odd = structuredClone(report);
    odd.builds[1]!.steps[1]!.instruction = 'RUN something else';
    const back = restoreReport(unpack(pack(squeezeReport(odd as unknown as Json)), 1e6));
    expect(back).toEqual(odd);
  });

  it('the preset dictionary is the one format 2 was made with (changing it breaks every link)', () => {
    expect(createHash('sha256').update(SHARE_DICTIONARY).digest('hex')).toBe('dab5c2e29cd5cf8756457a5be732eb3c73fa0ada4631ca1c6fd40e3e41dc2b92');
  });
});

describe('damaged and hostile format-2 links', () => {
  const problemOf = async (fragment: string) => {
    const result = await decodeShareLink(fragment);
    expect(result.ok).toBe(false);
    return result.ok ? null : result.problem;
  };

  it('a cut link is truncated, a changed byte corrupt or caught, never thrown', async () => {
    const good = v2Fragment(sampleReport());
    expect((await problemOf(good.slice(0, 4 + Math.floor((good.length - 4) / 8) * 4)))?.code).toBe('truncated');
    for (let at = 6; at < good.length; at += 7) {
      const changed = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
      const result = await decodeShareLink(changed);
      if (!result.ok) expect(['corrupt', 'truncated', 'too-large', 'wrong-schema', 'bad-base64']).toContain(result.problem.code);
    }
  });

  it('a deflate bomb is stopped quickly', async () => {
    const bomb = `r=2.${toBase64Url(deflateRawSync(new Uint8Array(64 * 1024 * 1024), { dictionary: SHARE_DICTIONARY }))}`;
    const started = performance.now();
    expect((await problemOf(bomb))?.code).toBe('too-large');
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('references that expand exponentially are stopped, not built', () => {
    // A list of 41 lists, each [x, x] where x is the list before it: 2^40 values from ~170 bytes.
    const bytes: number[] = [10, 41, 10, 2, 16, 17];
    for (let i = 0; i < 40; i++) bytes.push(10, 2, 112 + i, 112 + i);
    const reason = (() => {
      try {
        unpack(Uint8Array.from(bytes), 1_000_000);
        return 'unpacked';
      } catch (error) {
        return error instanceof UnpackError ? error.reason : String(error);
      }
    })();
    expect(reason).toBe('too-large');
    // The same shape, 10 deep, is a legitimate 2^10-leaf value within budget.
    const small = [10, 11, 10, 2, 16, 17, ...Array.from({ length: 10 }, (_v, i) => [10, 2, 112 + i, 112 + i]).flat()];
    expect(JSON.stringify(unpack(Uint8Array.from(small), 1_000_000)).length).toBeGreaterThan(2_000);
  });

  it('bytes that are not a packed report are corrupt', () => {
    for (const bytes of [[255], [5, 9, 65], [10, 3, 16], [16, 16], [11, 1, 16, 16]]) {
      expect(() => unpack(Uint8Array.from(bytes), 1_000_000), JSON.stringify(bytes)).toThrow(UnpackError);
    }
  });
});

describe('cachewhy decodes a link given as argument', () => {
  it('--json prints the report a format-2 or format-1 link carries; --markdown and the summary read it too', async () => {
    const report = redactReport(sampleReport()).report;
    for (const link of [`${BASE}#${v2Fragment(report)}`, `${BASE}#${v1Fragment(report)}`]) {
      const json = await runCli(['--json', link]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual(report);
      const md = await runCli(['--markdown', link]);
      expect(md.code).toBe(0);
      expect(md.stdout).toMatch(/Verdict/);
      expect((await runCli([link])).stdout).toContain(report.diagnosis!.verdict!.slice(0, 20));
    }
  });

  it('a damaged link exits 2 with the reason, and files given beside a link are said unused', async () => {
    const cut = await runCli(['--json', `${BASE}#r=2.AAAA`]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/share link/);
    const link = `${BASE}#${v2Fragment(redactReport(sampleReport()).report)}`;
    const both = await runCli(['--json', link, join(LAB, 'seed-replica', 'a.log')]);
    expect(both.code).toBe(0);
    expect(both.stderr).toMatch(/a\.log: is not used: a share link is printed alone/);
  });

  it('--link turns a format-1 link into a format-3 one of the same report', async () => {
    const report = redactReport(sampleReport()).report;
    const r = await runCli(['--link', `${BASE}#${v1Fragment(report)}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/#r=3\./);
    expect(await decodeShareLink(r.stdout.trim())).toEqual({ ok: true, value: report });
  });
});
