/**
 * Hostile text in every place a user's input reaches the page — file names, log lines and step names,
 * Dockerfile text, build args, a share link — renders as text: no dialog, no script (the payloads set
 * `window.__pwned`, which must stay undefined), no element injected, no request to any other origin.
 */
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/analyze.ts';
import { encodeShareLink } from '../../src/core/report/index.ts';
import { foreignRequests, launchChromium, openPage, serveStatic } from './harness.ts';

const CASE = resolve(import.meta.dirname, '../fixtures/lab/copy-file-content');

/** Each payload would set window.__pwned (or open a dialog) if it ever ran. */
const PAYLOADS = [
  '<script>window.__pwned=1;alert(1)</script>',
  '<img src=x onerror="window.__pwned=2;alert(2)">',
  '"><svg onload="window.__pwned=3;alert(3)">',
  'javascript:window.__pwned=4;alert(4)',
  '{window.__pwned=5} {@html "<b>x</b>"} ${window.__pwned=6}',
  '\u202egnp.exe\u202c <a href="javascript:window.__pwned=7">click</a>',
  '<iframe srcdoc="<script>parent.__pwned=8</script>"></iframe>',
  '<style>@import url(http://evil.example/x.css)</style><link rel=stylesheet href=http://evil.example/y.css>',
];
const PAYLOAD = PAYLOADS.join(' ');

let server: Server;
let base: string;
let browser: Browser;
const requests: string[] = [];

beforeAll(async () => {
  ({ server, url: base } = await serveStatic());
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function page(): Promise<{ page: Page; dialogs: string[] }> {
  const opened = await openPage(browser);
  opened.context.on('request', (r) => requests.push(r.url()));
  const dialogs: string[] = [];
  opened.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page: opened.page, dialogs };
}

async function expectInert(p: Page, dialogs: string[]): Promise<void> {
  await p.waitForTimeout(300);
  expect(await p.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(await p.locator('svg[onload], img[onerror], iframe[srcdoc], a[href^="javascript:"], script:not([src])').count()).toBe(0);
}

async function hostileFiles(): Promise<{ name: string; mimeType: string; buffer: Buffer }[]> {
  const [a, b, dockerfile] = await Promise.all(['a.log', 'b.log', 'Dockerfile'].map((f) => readFile(resolve(CASE, f), 'utf8')));
  const poisonLog = (log: string) =>
    `+ docker build --build-arg "EVIL=${PAYLOADS[1]}" --build-arg X=${encodeURIComponent(PAYLOADS[0]!)} -t app .\n` +
    log.replaceAll('RUN cat /etc/app.conf', `RUN cat /etc/app.conf # ${PAYLOAD}`).replace('#7 DONE', `#7 0.1 ${PAYLOAD}\n#7 DONE`);
  return [
    { name: `${PAYLOADS[1]}.log`, mimeType: 'text/plain', buffer: Buffer.from(poisonLog(a!)) },
    { name: `${PAYLOADS[2]}b.log`, mimeType: 'text/plain', buffer: Buffer.from(poisonLog(b!)) },
    {
      name: `Dockerfile`,
      mimeType: 'text/plain',
      buffer: Buffer.from(dockerfile!.replace('RUN cat /etc/app.conf', `RUN cat /etc/app.conf # ${PAYLOAD}`) + `LABEL evil="${PAYLOADS[0]}"\n`),
    },
  ];
}

describe('hostile input renders as text', () => {
  it('payloads in file names, log lines, step names, Dockerfile text and build args: nothing runs', async () => {
    const { page: p, dialogs } = await page();
    await p.goto(base);
    await p.getByLabel(/Choose input files/).setInputFiles(await hostileFiles());
    await p.getByTestId('verdict').waitFor({ timeout: 30_000 });
    await expect.poll(() => p.getByTestId('timeline').textContent(), { timeout: 10_000 }).toContain(PAYLOADS[0]);
    await expectInert(p, dialogs);
    expect(await p.locator('body').textContent()).toContain('onerror=');
  });

  it('a share link built to run code opens as text', async () => {
    const texts = await hostileFiles();
    const { report } = analyze({
      logs: texts.slice(0, 2).map((t) => ({ name: t.name, text: t.buffer.toString() })),
      dockerfiles: [{ name: 'Dockerfile', text: texts[2]!.buffer.toString() }],
    });
    // Payloads where a hand-made link could put them: the verdict and a step instruction.
    if (report.diagnosis) report.diagnosis.verdict = PAYLOAD;
    report.builds[0]!.steps[0]!.instruction = PAYLOAD;
    const fragment = await encodeShareLink(report);
    const { page: p, dialogs } = await page();
    await p.goto(`${base}#${fragment}`);
    await p.getByTestId('verdict').waitFor({ timeout: 30_000 });
    await expect.poll(() => p.locator('body').textContent(), { timeout: 10_000 }).toContain('<script>window.__pwned=1');
    await expectInert(p, dialogs);
  });

  it('a link whose fragment is itself a payload gives a message, not a page of markup', async () => {
    const { page: p, dialogs } = await page();
    await p.goto(`${base}#r=1.${encodeURIComponent(PAYLOAD)}`);
    await p.waitForTimeout(1500);
    await expectInert(p, dialogs);
  });

  it('sent no request to any origin but its own', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(foreignRequests(requests, base)).toEqual([]);
  });
});
