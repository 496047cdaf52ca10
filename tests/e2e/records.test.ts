/**
 * Build records (`docker buildx history export` .dockerbuild files) as a user meets them in the built app:
 * two records of a changed build arg give the first miss and an exact build-arg cause, each chip says it is
 * a build record, and the share link carries no build-arg value; two records plus both context tars name
 * the file whose content changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeShareLink } from '../../src/core/report/index.ts';
import { launchChromium, openPage, saveScreenshot, serveStatic } from './harness.ts';

const LAB = resolve(import.meta.dirname, '../fixtures/lab-2026');
const files = (name: string, ...names: string[]): string[] => names.map((f) => resolve(LAB, name, f));

let server: Server;
let base: string;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ({ server, url: base } = await serveStatic());
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  server?.close();
});

async function freshPage(): Promise<{ page: Page; errors: string[] }> {
  const opened = await openPage(browser);
  contexts.push(opened.context);
  await opened.page.setViewportSize({ width: 1400, height: 1000 });
  await opened.page.goto(base);
  return { page: opened.page, errors: opened.errors };
}

const verdict = (page: Page) => page.getByTestId('verdict').textContent({ timeout: 15_000 });

describe('build records in the app', () => {
  it('gives the first miss and an exact build-arg cause from two records, and keeps the values out of the link', async () => {
    const { page, errors } = await freshPage();
    await page.getByLabel(/Choose input files/).setInputFiles(files('arg-used', 'a.dockerbuild', 'b.dockerbuild'));

    await expect.poll(() => verdict(page)).toMatch(/^Step 2\/3 /);
    const causes = page.getByTestId('causes');
    const first = causes.locator('li.cause').first();
    await expect(first.locator('.kind').textContent()).resolves.toBe('build argument changed');
    await expect(first.getByText('exact, from the build records').count()).resolves.toBe(1);

    const chips = page.getByTestId('chip-record');
    await expect.poll(() => chips.count()).toBe(2);
    for (const text of await chips.allTextContents()) expect(text).toMatch(/^build record: \d+ steps, 1 build arg\b/);

    await expect.poll(() => page.url(), { timeout: 15_000 }).toContain('#r=3.');
    const decoded = await decodeShareLink(page.url());
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const json = JSON.stringify(decoded.value);
    // The values were V=1 and V=2; the name stays, and BuildKit's vertex names quote the expanded value.
    expect(json).toContain('build-arg-changed');
    expect(json).not.toMatch(/V=[12]\b/);
    expect(json).not.toMatch(/"V":"[12]"/);
    // The cause names the arg, and its two values are there only as redacted.
    const args = (decoded.value.diagnosis?.causes ?? []).flatMap((c) => c.args ?? []);
    expect(args.map((a) => a.name)).toContain('V');
    for (const a of args) expect([a.before, a.after].filter((v) => typeof v === 'string' && !/^<redacted [A-Z]{1,3}>$/.test(v))).toEqual([]);
    // The digests of a record come from its status stream, not from a log: the hash panel says so.
    await page.locator('tr[data-key] button.step').nth(1).click();
    const hashes = page.getByTestId('hash-panel');
    await expect.poll(() => hashes.textContent()).toContain('in the build records: the vertex digest');
    await expect(hashes.textContent()).resolves.not.toContain('in the log');
    await saveScreenshot(page, 'records-arg-used');
    expect(errors).toEqual([]);
  });

  it('names the changed file from two records and both context tars', async () => {
    const { page, errors } = await freshPage();
    await page.getByLabel(/Choose input files/).setInputFiles(files('copy-file-content', 'a.dockerbuild', 'b.dockerbuild', 'context-a.tar', 'context-b.tar'));

    await expect.poll(() => verdict(page)).toMatch(/^Step 3\/4 /);
    await expect.poll(() => verdict(page)).toContain('app.conf');
    const files_ = page.getByTestId('causes').getByRole('list', { name: 'Changed files' }).first();
    await expect(files_.textContent()).resolves.toMatch(/app\.conf\s*content changed/);
    await saveScreenshot(page, 'records-copy-file-content');
    expect(errors).toEqual([]);
  });
});
