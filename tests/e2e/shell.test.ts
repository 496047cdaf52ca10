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
  it('renders the page title without errors or foreign requests', async () => {
    const { page, requests, errors, context } = await openPage(browser);
    await page.goto(base);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('cachewhy');
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith(base) || u.startsWith('data:'))).toBe(true);
    await context.close();
  });
});
