import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { launchChromium, openPage, serveStatic } from './harness.ts';

let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  ({ server, url: base } = await serveStatic());
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe('app shell', () => {
  it('serves a built page whose CSP allows no inline script and no other origin', async () => {
    const html = await (await fetch(base)).text();
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)?.[1] ?? '';
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `)) ?? '';
    expect(directive('default-src')).toBe("default-src 'self'");
    expect(directive('script-src')).toMatch(/^script-src 'self'/);
    expect(directive('script-src')).not.toContain('unsafe-inline');
    expect(directive('connect-src')).toBe("connect-src 'self'");
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  it('renders the page title without errors or foreign requests', async () => {
    const { page, requests, errors, context } = await openPage(browser);
    await page.goto(base);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('cachewhy');
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith(base) || u.startsWith('data:'))).toBe(true);
    await context.close();
  });
});
