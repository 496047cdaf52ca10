import { describe, expect, it } from 'vitest';
import {
  decodeShareLink,
  encodeShareLink,
  encodeShareLinkDetailed,
  redactReport,
  SHARE_LINK_MAX_INFLATED_BYTES,
  shareUrl,
  type ShareLinkErrorCode,
} from '../../../src/core/report/index.ts';
import { fromBase64Url, toBase64Url } from '../../../src/core/report/share.ts';
import { dockerBuild, sampleReport } from './sample.ts';

async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function linkOf(text: string): Promise<string> {
  return `r=1.${toBase64Url(await deflate(new TextEncoder().encode(text)))}`;
}

describe('share link round trip', () => {
  it('decodes to the redacted report it encoded', async () => {
    const report = sampleReport();
    const fragment = await encodeShareLink(report);
    expect(fragment).toMatch(/^r=3\.[A-Za-z0-9_-]+$/);
    const decoded = await decodeShareLink(fragment);
    expect(decoded).toEqual({ ok: true, value: redactReport(report).report });
  });

  it('accepts a whole URL, a #fragment and extra fragment parameters', async () => {
    const report = sampleReport();
    const url = await shareUrl(report, 'http://127.0.0.1:5173/app/#old');
    expect(url.startsWith('http://127.0.0.1:5173/app/#r=3.')).toBe(true);
    const fragment = url.slice(url.indexOf('#'));
    for (const form of [url, fragment, `#theme=dark&${fragment.slice(1)}&x=1`]) {
      const decoded = await decodeShareLink(form);
      expect(decoded.ok, form.slice(0, 40)).toBe(true);
    }
  });

  it('reports the size and the redactions', async () => {
    const report = sampleReport();
    report.commands = [dockerBuild(1, 'commands.txt', 'docker build --build-arg TOKEN=abcdef123456 .', { TOKEN: 'abcdef123456' })];
    const detailed = await encodeShareLinkDetailed(report);
    expect(detailed.size).toBe(detailed.fragment.length);
    expect(detailed.redactions.join('\n')).toContain('TOKEN');
    expect(detailed.redactions.join('\n')).not.toContain('abcdef123456');
  });

  it('base64url round-trips every length and rejects foreign characters', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_v, i) => (i * 37 + n) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).not.toMatch(/[=+/]/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('abcde')).toBeNull();
  });
});

describe('mangled share links give typed errors, never throw', () => {
  const cases: { name: string; make: (good: string) => Promise<string> | string; code: ShareLinkErrorCode | ShareLinkErrorCode[] }[] = [
    { name: 'empty', make: () => '', code: 'empty' },
    { name: 'only a hash', make: () => '#', code: 'empty' },
    { name: 'no r= part', make: () => 'http://127.0.0.1:5173/#example', code: 'not-a-link' },
    { name: 'a newer version', make: (good) => good.replace('r=3.', 'r=4.'), code: 'newer-version' },
    { name: 'a version that is not a number', make: (good) => good.replace('r=3.', 'r=x.'), code: 'bad-version' },
    { name: 'version 0', make: (good) => good.replace('r=3.', 'r=0.'), code: 'bad-version' },
    { name: 'nothing after the version', make: () => 'r=1.', code: 'truncated' },
    { name: 'not base64', make: () => 'r=1.this is not base64!', code: 'bad-base64' },
    { name: 'standard base64 characters', make: (good) => `${good.slice(0, 20)}+/${good.slice(22)}`, code: 'bad-base64' },
    { name: 'cut in the middle', make: (good) => good.slice(0, Math.floor(good.length / 2)), code: ['truncated', 'bad-base64'] },
    { name: 'cut at a clean 4-character boundary', make: (good) => good.slice(0, 4 + Math.floor((good.length - 4) / 8) * 4), code: 'truncated' },
    {
      name: 'a changed character',
      make: (good) => {
        const at = Math.floor(good.length / 3);
        return good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
      },
      code: ['corrupt', 'bad-json', 'wrong-schema', 'truncated'],
    },
    { name: 'a valid deflate of non-JSON', make: () => linkOf('hello, I am not JSON'), code: 'bad-json' },
    { name: 'a valid deflate of invalid UTF-8', make: async () => `r=1.${toBase64Url(await deflate(new Uint8Array([0xff, 0xfe, 0x7b])))}`, code: 'bad-json' },
    { name: 'JSON that is not a report', make: () => linkOf('{"hello":"world"}'), code: 'wrong-schema' },
    { name: 'a JSON array', make: () => linkOf('[1,2,3]'), code: 'wrong-schema' },
    { name: 'a report from a newer schema', make: () => linkOf('{"schema":"cachewhy.report/v7","builds":[],"diagnosis":null}'), code: 'newer-version' },
    {
      name: 'a report with a broken step',
      make: () => linkOf('{"schema":"cachewhy.report/v1","builds":[{"source":"a","format":"buildkit-plain","steps":[{"index":"x"}]}],"diagnosis":null}'),
      code: 'wrong-schema',
    },
    {
      name: 'a decompression bomb',
      make: async () => `r=1.${toBase64Url(await deflate(new Uint8Array(SHARE_LINK_MAX_INFLATED_BYTES + 4 * 1024 * 1024).fill(0x20)))}`,
      code: 'too-large',
    },
    { name: 'a link longer than any we write', make: () => `r=1.${'A'.repeat(3 * 1024 * 1024)}`, code: 'too-large' },
  ];

  for (const c of cases) {
    it(`${c.name} → ${String(c.code)}`, async () => {
      const good = await encodeShareLink(sampleReport());
      const result = await decodeShareLink(await c.make(good));
      expect(result.ok).toBe(false);
      if (result.ok) return;
      const codes = Array.isArray(c.code) ? c.code : [c.code];
      expect(codes).toContain(result.problem.code);
      expect(result.problem.input).toBe('share link');
      expect(result.problem.message.length).toBeGreaterThan(10);
      expect(result.problem.hint).toBeTruthy();
    });
  }

  it('says a newer link was made by a newer cachewhy', async () => {
    const result = await decodeShareLink('r=4.AAAA');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.message).toMatch(/made by a newer cachewhy/);
  });

  it('a bomb is stopped without inflating it whole', async () => {
    const bomb = `r=1.${toBase64Url(await deflate(new Uint8Array(64 * 1024 * 1024)))}`;
    expect(bomb.length).toBeLessThan(150_000);
    const started = performance.now();
    const result = await decodeShareLink(bomb);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('too-large');
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('decodeShareLink on random and mutated input', () => {
  it('never throws and always answers a report or a typed problem', async () => {
    const { default: fc } = await import('fast-check');
    const good = await encodeShareLink(sampleReport());
    const codes = new Set([
      'empty',
      'not-a-link',
      'newer-version',
      'bad-version',
      'bad-base64',
      'truncated',
      'corrupt',
      'too-large',
      'bad-json',
      'wrong-schema',
    ]);
    const mutated = fc
      .tuple(fc.nat({ max: good.length - 1 }), fc.nat({ max: good.length }), fc.string({ maxLength: 6 }))
      .map(([at, cut, insert]) => (good.slice(0, at) + insert + good.slice(at + insert.length)).slice(0, Math.max(at + 1, cut)));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.string({ maxLength: 200 }).map((s) => `r=1.${s}`),
          mutated,
        ),
        async (input) => {
          const result = await decodeShareLink(input);
          if (result.ok) expect(result.value.schema).toBe('cachewhy.report/v2');
          else {
            expect(codes.has(result.problem.code)).toBe(true);
            expect(result.problem.message).toMatch(/\S/);
          }
        },
      ),
      { numRuns: 400, seed: 1129 },
    );
  });
});
