/**
 * One text holding several builds, and how each log was read, as a user meets them in the built app:
 * a paste of two builds gives the same first miss as the two files, shows "2 builds" for that log and a
 * picker whose choice changes the report; a log folded into one paragraph says its line breaks were
 * restored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { analyze } from '../../src/core/analyze.ts';
import { verdictOf } from '../../src/core/report/index.ts';
import { launchChromium, openPage, saveScreenshot, serveStatic } from './harness.ts';

const LAB = resolve(import.meta.dirname, '../fixtures/lab/copy-file-content');
const FOLDED = resolve(import.meta.dirname, 'fixtures/folded-compose.log');

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

async function paste(page: Page, text: string): Promise<void> {
  await page.getByText('Paste a log copied from a CI page').click();
  await page.getByLabel('Pasted build log').fill(text);
  await page.getByRole('button', { name: 'Add pasted log' }).click();
}

const verdict = (page: Page) => page.getByTestId('verdict').textContent({ timeout: 15_000 });

describe('several builds in one log, and how each log was read', () => {
  it('compares the two builds of one pasted text like two files, and lets the user pick one', async () => {
    const [a, b] = await Promise.all(['a.log', 'b.log'].map((f) => readFile(resolve(LAB, f), 'utf8')));
    // What the two files give (the first miss and why), without the log names: the paste must say the same.
    const twoFiles = verdictOf(
      analyze({
        logs: [
          { name: 'a.log', text: a! },
          { name: 'b.log', text: b! },
        ],
        dockerfiles: [],
      }).report,
    );
    expect(twoFiles).toContain('3/4');

    const { page, errors } = await freshPage();
    await paste(page, a! + b!);
    // The same words, but the build is named after the paste (the time lost says where it was measured).
    await expect.poll(() => verdict(page)).toBe(twoFiles.replaceAll('`', '').replace('in b.log.', 'in pasted log#2.'));
    await expect(page.getByTestId('log-build-count').textContent()).resolves.toBe('2 builds in this file');
    await expect(page.getByTestId('timeline').locator('th.build-col').count()).resolves.toBe(2);
    await expect(page.getByTestId('chip-role').allTextContents()).resolves.toEqual(['log of builds 1–2']);

    const picker = page.getByTestId('build-picker');
    await expect(picker.textContent()).resolves.toContain('[1/4] FROM docker.io/lab/base:1');
    await saveScreenshot(page, 'two-builds-pasted');

    // Only the later build: one build in the report, the log still holds two.
    await picker.getByRole('checkbox', { name: 'build 1' }).uncheck();
    await expect.poll(() => verdict(page)).toMatch(/^One build \(pasted log#2\)/);
    await expect(page.getByTestId('timeline').locator('th.build-col').count()).resolves.toBe(1);
    await expect(page.getByTestId('log-build-count').textContent()).resolves.toBe('2 builds in this file');
    await expect(page.getByTestId('notes').textContent()).resolves.toContain('build 2 of 2 in this file');
    // The choice survives a re-analysis while the log is there: adding the Dockerfile keeps it.
    await page.getByLabel(/Choose input files/).setInputFiles(resolve(LAB, 'Dockerfile'));
    await expect.poll(() => page.getByTestId('chip-role').allTextContents()).toEqual(['log of build 1', 'Dockerfile']);
    await expect.poll(() => page.locator('#dockerfile-title').count()).toBe(1);
    await expect(verdict(page)).resolves.toMatch(/^One build \(pasted log#2\)/);
    await expect(picker.getByRole('checkbox', { name: 'build 1' }).isChecked()).resolves.toBe(false);

    // Both again, the later one first: nothing missed that was cached before.
    await picker.getByRole('checkbox', { name: 'build 1' }).check();
    await picker.getByRole('button', { name: 'Move build 2 of pasted log earlier' }).click();
    await expect.poll(() => verdict(page)).toMatch(/^No step missed/);
    await expect(picker.textContent()).resolves.toContain('build 2 → build 1');
    await saveScreenshot(page, 'two-builds-reversed');
    expect(errors).toEqual([]);
  });

  it('says a log folded into one paragraph had its line breaks restored', async () => {
    const { page, errors } = await freshPage();
    await page.getByLabel(/Choose input files/).setInputFiles(FOLDED);
    await verdict(page);
    const notes = page.getByTestId('notes');
    await expect(notes.textContent()).resolves.toContain('line breaks restored: the text was folded into one paragraph');
    await expect(notes.textContent()).resolves.toContain('folded-compose.log');
    await saveScreenshot(page, 'folded-reading');
    expect(errors).toEqual([]);
  });
});
