/**
 * The web app as a new user meets it, in headless Chromium against the production build (dist/):
 * files in through the plain file input → verdict; the share link reopened in a clean browser; a mangled
 * link; the built-in example; a saved report; hostile text; accessibility; and not one request that
 * leaves the page's origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { mkdir, mkdtemp, open, readFile, symlink } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { decodeShareLink, verdictOf } from '../../src/core/report/index.ts';
import { toBase64Url } from '../../src/core/report/share.ts';
import { DIST, foreignRequests, launchChromium, openPage, runAxe, saveScreenshot, serveStatic } from './harness.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../public/examples/seed-replica');
const FIXTURES = resolve(import.meta.dirname, '../fixtures/lab/seed-replica');
/** The example in build order, as a user would pick them. */
const EXAMPLE_FILES = ['a.log', 'b.jenkins.log', 'Dockerfile', 'context-a.tar', 'context-b.tar', 'commands.txt'].map((f) => resolve(EXAMPLE, f));

/** A folder as the page's private file system is given it: its directories, and its files as base64. */
function treeOf(root: string): { dirs: string[]; files: { path: string; base64: string }[] } {
  const dirs: string[] = [];
  const files: { path: string; base64: string }[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = prefix + entry.name;
      if (entry.isDirectory()) {
        dirs.push(path);
        walk(resolve(dir, entry.name), path + '/');
      } else files.push({ path, base64: readFileSync(resolve(dir, entry.name)).toString('base64') });
    }
  };
  walk(root, '');
  return { dirs, files };
}

/** What the forum case must be diagnosed as (tests/fixtures/lab/seed-replica/truth.json). */
const MISSED_STEP = '2/34';
const MISSED_INSTRUCTION = 'ADD model/Dockerfile/om-datasci-base/.aws/';
const APPEARED_FILE = /\.aws\/cli\/cache\/\S*json/;

let server: Server;
let base: string;
let browser: Browser;
/** Every request of every page in this file, for the origin check at the end. */
const allRequests: string[] = [];
const contexts: BrowserContext[] = [];
let sharedLink = '';
let sharedVerdict = '';

beforeAll(async () => {
  ({ server, url: base } = await serveStatic());
  browser = await launchChromium();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  server?.close();
});

async function freshPage(width = 1400): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const opened = await openPage(browser);
  contexts.push(opened.context);
  opened.context.on('request', (r) => allRequests.push(r.url()));
  const dialogs: string[] = [];
  opened.page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await opened.page.setViewportSize({ width, height: 1000 });
  return { page: opened.page, errors: opened.errors, dialogs };
}

async function verdictText(page: Page): Promise<string> {
  const verdict = page.getByTestId('verdict');
  await verdict.waitFor({ timeout: 30_000 });
  return (await verdict.textContent()) ?? '';
}

/**
 * The page's share link once it carries the report on screen: the link is written a moment after each
 * analysis (debounced), so an earlier analysis's link (before the contexts were hashed) may still be there.
 */
async function waitForShareLink(page: Page, verdict: string): Promise<string> {
  await expect
    .poll(
      async () => {
        const url = page.url();
        if (!url.includes('#r=3.')) return null;
        const decoded = await decodeShareLink(url);
        // The page shows the verdict as verdictOf words it (with the time the rebuild took).
        return decoded.ok ? verdictOf(decoded.value).replace(/`/g, '') : null;
      },
      { timeout: 30_000 },
    )
    .toBe(verdict);
  return page.url();
}

/**
 * A 1 GiB context tar that costs no disk: one ustar header for `big.bin`, then a hole (the file is
 * sparse, so its "content" is zeros the OS makes up), then the two end-of-archive blocks. Hashing it
 * in the page takes seconds: long enough to watch progress and cancel.
 */
async function sparseContextTar(name: string): Promise<string> {
  const size = 1024 ** 3;
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  field(0, 100, 'big.bin');
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, size.toString(8).padStart(11, '0') + '\0');
  field(136, 12, '14000000000\0');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  header.fill(0x20, 148, 156); // the checksum is computed with its own field as spaces
  let sum = 0;
  for (const byte of header) sum += byte;
  field(148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  const path = resolve(tmpdir(), name);
  const file = await open(path, 'w');
  await file.write(header, 0, 512, 0);
  await file.truncate(512 + size + 1024);
  await file.close();
  return path;
}

describe('cachewhy web app', () => {
  it('names the missed step and the file that appeared when the example files come in through the file input', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base);
    await page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES);

    // Every input is sniffed by content and labelled with what it was taken for, in build order.
    await expect
      .poll(() => page.getByTestId('chip-role').allTextContents(), { timeout: 15_000 })
      .toEqual(['log of build 1', 'log of build 2', 'Dockerfile', 'context of build 1', 'context of build 2', 'build commands']);

    await expect.poll(() => verdictText(page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
    const verdict = await verdictText(page);
    expect(verdict).toContain(MISSED_STEP);
    expect(verdict).toContain(MISSED_INSTRUCTION);

    // The timeline marks the root miss and greys the cascade; the editor marks the line.
    const rootRow = page.locator('tr.role-root-miss');
    await expect(rootRow.count()).resolves.toBe(1);
    await expect(rootRow.locator('th').textContent()).resolves.toContain(MISSED_STEP);
    await expect(page.locator('tr.role-cascade').count()).resolves.toBe(32);
    await expect(page.locator('.cm-step-root-miss').count()).resolves.toBe(1);

    sharedLink = await waitForShareLink(page, verdict);
    sharedVerdict = verdict;
    await expect(page.getByTestId('share-size').textContent()).resolves.toMatch(/Link size: [\d,]+ characters/);
    // The seed case's report is long: the link is the compact one, short enough for chat, and says so.
    expect(sharedLink.length).toBeLessThan(8000);
    await expect(page.getByTestId('share-size').textContent()).resolves.not.toMatch(/longer than chat tools accept/);
    await expect(page.getByTestId('share-omitted').textContent()).resolves.toMatch(/compact link.*report file has everything/s);
    await saveScreenshot(page, 'report-from-files');
    expect(errors).toEqual([]);
  });

  it('selecting a timeline row shows its line in the Dockerfile and its hashes', async () => {
    const { page } = await freshPage();
    await page.goto(sharedLink || base + '#example');
    await verdictText(page);
    const row = page.locator('tr[data-key="#5"] button.step');
    await row.click();
    await expect(page.getByTestId('hash-panel').textContent()).resolves.toContain('5/34');
    if (sharedLink) {
      // Opened from the compact link, a cascade step keeps its statuses but not its text or hashes, and says so.
      await expect(page.locator('tr[data-key="#5"] td.instruction').textContent()).resolves.toContain('not in the link');
      await expect(page.getByTestId('hash-omitted').count()).resolves.toBe(1);
    } else {
      // Step 5 is `COPY …/files/f5.txt …` on Dockerfile line 6 of the seed case.
      await expect.poll(() => page.locator('.cm-selected-step').textContent()).toContain('COPY model/Dockerfile/om-datasci-base/files/f5.txt');
    }
    // The root miss's line is in every form of the report.
    await page.locator('tr[data-key="#2"] button.step').click();
    await expect.poll(() => page.locator('.cm-selected-step').textContent()).toContain('ADD model/Dockerfile/om-datasci-base/.aws/');
    await row.click();
    // Keyboard: arrow down moves the selection to the next step.
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('tr.selected th').textContent()).toContain('6/34');
    await saveScreenshot(page, 'step-selected', false);
    // And the other way: a click on a Dockerfile line selects its step in the timeline.
    await page.locator('.cm-line', { hasText: 'ADD model/Dockerfile/om-datasci-base/.aws/' }).click();
    await expect.poll(() => page.locator('tr.selected th').textContent()).toContain(MISSED_STEP);
  });

  it('reopens the same verdict from the share link in a fresh browser context, without any file', async () => {
    expect(sharedLink).toMatch(/#r=3\./);
    // The goal: a link short enough for any chat, made here by the page itself.
    expect(sharedLink.length).toBeLessThanOrEqual(2_000);
    const { page, errors } = await freshPage();
    await page.goto(sharedLink);
    await expect.poll(() => verdictText(page)).toBe(sharedVerdict);
    // The page says what the link left out.
    await expect(page.getByTestId('link-omitted').textContent()).resolves.toMatch(/leaves out.*build commands/s);
    await expect(page.getByTestId('status').textContent()).resolves.toContain('shared report');
    await expect(page.getByTestId('input-chip').count()).resolves.toBe(0);
    await saveScreenshot(page, 'report-from-link');
    expect(errors).toEqual([]);
  });

  it('still opens a format-1 link (#r=1.) of the same report', async () => {
    const decoded = await decodeShareLink(sharedLink);
    expect(decoded.ok).toBe(true);
    // Format 1 as it was written: deflate-raw of the report's JSON, base64url.
    const json = new TextEncoder().encode(JSON.stringify(decoded.ok ? decoded.value : null));
    const deflated = new Uint8Array(await new Response(new Blob([json]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    const v1 = `${sharedLink.slice(0, sharedLink.indexOf('#'))}#r=1.${toBase64Url(deflated)}`;
    const { page, errors } = await freshPage();
    await page.goto(v1);
    await expect.poll(() => verdictText(page)).toBe(sharedVerdict);
    expect(errors).toEqual([]);
  });

  it.each([
    ['a truncated payload', (link: string) => link.slice(0, link.indexOf('#r=3.') + 40)],
    ['a mangled payload', (link: string) => link.replace(/#r=3\.(.{20})/, '#r=3.!!!!$1')],
    ['a link from a newer version', (link: string) => link.replace('#r=3.', '#r=7.')],
  ])('shows a clear message, not a blank page, for %s', async (_name, mangle) => {
    const { page, errors } = await freshPage();
    await page.goto(mangle(sharedLink || `${base}#r=3.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`));
    const message = page.getByTestId('link-error');
    await message.waitFor({ timeout: 10_000 });
    await expect(message.textContent()).resolves.toMatch(/cannot be opened/);
    // The rest of the page still works: the drop zone is there.
    await expect(page.getByLabel(/Choose input files/).count()).resolves.toBe(1);
    await saveScreenshot(page, `link-error-${_name.replace(/\W+/g, '-')}`, false);
    expect(errors).toEqual([]);
  });

  it('opens the built-in example by default with #example', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base + '#example');
    await expect.poll(() => verdictText(page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
    await expect(verdictText(page)).resolves.toContain(MISSED_STEP);
    await expect(page.getByTestId('example-about').textContent()).resolves.toContain('forum');
    expect(errors).toEqual([]);
  });

  it('renders a saved report file (the download offered for long links)', async () => {
    const { page, errors } = await freshPage(700);
    await page.goto(base);
    await page.getByLabel(/Choose input files/).setInputFiles(resolve(import.meta.dirname, 'fixtures/seed-report.json'));
    await expect.poll(() => verdictText(page)).toContain(MISSED_STEP);
    await expect(page.getByTestId('chip-role').allTextContents()).resolves.toEqual(['saved report']);
    await saveScreenshot(page, 'saved-report-700px');
    // Nothing overflows the half-screen width.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
  });

  it('keeps build-arg values out of the link and the Markdown, and says what it redacted', async () => {
    expect(sharedLink).toMatch(/#r=3\./);
    const decoded = await decodeShareLink(sharedLink);
    expect(decoded.ok).toBe(true);
    const json = JSON.stringify(decoded.ok ? decoded.value : null);
    // REPO_HASH of build a and of build b (commands.txt): never in the link. The compact link leaves the
    // commands out altogether (a full report file keeps their names, with the values redacted) and says so.
    for (const secret of ['3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d', '7e6d5c4b3a29180f1e2d3c4b5a69788f9e0d1c2b']) expect(json).not.toContain(secret);
    expect(decoded.ok && decoded.value.link_omitted).toContain('build commands');

    const { page } = await freshPage();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(base).origin });
    await page.goto(sharedLink);
    await verdictText(page);
    await expect(page.getByTestId('redactions').locator('summary').textContent()).resolves.toMatch(/Redacted before sharing: \d+ item/);
    await page.getByTestId('copy-link').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(sharedLink);
    await page.getByTestId('copy-markdown').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain(MISSED_STEP);
    const markdown = await page.evaluate(() => navigator.clipboard.readText());
    expect(markdown).not.toContain('3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d');
    expect(markdown).not.toContain('7e6d5c4b3a29180f1e2d3c4b5a69788f9e0d1c2b');

    // The report file offered for long links: a download made in the page, the same redacted report.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-report').click()]);
    const file = await download.path();
    const body = await readFile(file, 'utf8');
    expect(JSON.parse(body).schema).toBe('cachewhy.report/v2');
    expect(body).not.toContain('3f1c2a9e0b7d4c6a8e5f1b2d3c4a5e6f7a8b9c0d');
  });

  it('takes inputs dropped, pasted and re-ordered, and lets the user correct or remove them', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base);
    const [a, b] = await Promise.all(['a.log', 'b.log'].map((f) => readFile(resolve(FIXTURES, f), 'utf8')));
    // A drop as the browser delivers it: a DataTransfer with files, on the drop zone.
    await page.getByTestId('dropzone').evaluate((zone, text) => {
      const data = new DataTransfer();
      data.items.add(new File([text], 'a.log', { type: 'text/plain' }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, a);
    await expect.poll(() => page.getByTestId('chip-role').allTextContents()).toEqual(['log of build 1']);

    await page.getByText('Paste a log copied from a CI page').click();
    await page.getByLabel('Pasted build log').fill(b!);
    await page.getByRole('button', { name: 'Add pasted log' }).click();
    await expect.poll(() => page.getByTestId('chip-role').allTextContents()).toEqual(['log of build 1', 'log of build 2']);
    await expect.poll(() => verdictText(page)).toContain(MISSED_STEP);

    // Keyboard: the pasted log moves up and becomes build 1.
    await page.getByRole('button', { name: 'Move pasted log up' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('input-chip').first().textContent()).toContain('pasted log');
    await expect(page.getByTestId('chip-role').allTextContents()).resolves.toEqual(['log of build 1', 'log of build 2']);

    // A wrong guess is corrected on the chip; then removed.
    await page.getByLabel('Use a.log as').selectOption('ignore');
    await expect.poll(() => page.getByTestId('chip-role').allTextContents()).toEqual(['log of build 1', 'not used']);
    await page.getByRole('button', { name: 'Remove a.log' }).click();
    await expect.poll(() => page.getByTestId('input-chip').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('a pasted text with no build in it says why, and shows no empty report around it', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base);
    await page.getByText('Paste a log copied from a CI page').click();
    await page.getByLabel('Pasted build log').fill('Hello, my build fails\nnpm ERR! code ENOENT\nplease help');
    await page.getByRole('button', { name: 'Add pasted log' }).click();
    await expect.poll(() => verdictText(page)).toBe('No build log could be read.');
    await expect(page.getByText('pasted log: does not look like a Docker build log', { exact: false }).count()).resolves.toBe(1);
    // Nothing read, so no "0 builds compared", empty timeline, cause list or share panel to wade through.
    for (const heading of ['Builds side by side', 'Why', 'Share'])
      await expect(page.getByRole('heading', { name: heading, exact: true }).count()).resolves.toBe(0);
    await expect(page.getByText('0 builds compared').isVisible()).resolves.toBe(false);
    await saveScreenshot(page, 'pasted-not-a-log');
    expect(errors).toEqual([]);
  });

  it('takes build contexts as dropped folders, empty directories and all, and reads them as their tars', async () => {
    const root = await mkdtemp(resolve(tmpdir(), 'cachewhy-e2e-folders-'));
    const folders = ['ctx-a', 'ctx-b'].map((name, i) => {
      const dir = resolve(root, name);
      execFileSync('mkdir', ['-p', dir]);
      execFileSync('tar', ['-xf', resolve(EXAMPLE, i === 0 ? 'context-a.tar' : 'context-b.tar'), '-C', dir]);
      return dir;
    });
    // The tars first: what the folders must give.
    const tars = await freshPage();
    await tars.page.goto(base);
    await tars.page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES);
    await expect.poll(() => verdictText(tars.page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
    const tarVerdict = await verdictText(tars.page);
    const tarCauses = await tars.page.getByTestId('causes').textContent();

    const { page, errors } = await freshPage();
    await page.goto(base);
    await page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES.filter((f) => !f.endsWith('.tar')));
    // A real drop of a real folder (through the DevTools protocol), so the browser's entry API walks it
    // and sees its empty directory (.aws/cli/cache in context A), which BuildKit hashes too.
    const cdp = await page.context().newCDPSession(page);
    const zone = await page.getByTestId('dropzone').boundingBox();
    if (!zone) throw new Error('no drop zone');
    const data = { items: [], files: folders, dragOperationsMask: 1 };
    for (const type of ['dragEnter', 'dragOver', 'drop'] as const) {
      await cdp.send('Input.dispatchDragEvent', { type, x: zone.x + zone.width / 2, y: zone.y + zone.height / 2, data });
    }
    for (const i of [0, 1]) {
      const chip = page.getByTestId('input-chip').filter({ hasText: `ctx-${'ab'[i]}/` });
      await expect.poll(() => chip.getByTestId('chip-role').textContent()).toBe(`context of build ${i + 1}`);
      await expect.poll(() => chip.textContent(), { timeout: 20_000 }).toMatch(/hashed \d+ files/);
    }
    // The same tree as a folder or as a tar gives the same index, so the same reading.
    await expect.poll(() => verdictText(page), { timeout: 30_000 }).toBe(tarVerdict);
    await expect.poll(() => page.getByTestId('causes').textContent()).toBe(tarCauses);
    await saveScreenshot(page, 'folders', false);
    expect(errors).toEqual([]);
    expect(tars.errors).toEqual([]);
  });

  it('takes a build context chosen with the directory picker, empty directories and all, as its tar; says what the fallback cannot see', async () => {
    const root = await mkdtemp(resolve(tmpdir(), 'cachewhy-e2e-picked-'));
    const trees = ['ctx-a', 'ctx-b'].map((name, i) => {
      const dir = resolve(root, name);
      execFileSync('mkdir', ['-p', dir]);
      execFileSync('tar', ['-xf', resolve(EXAMPLE, i === 0 ? 'context-a.tar' : 'context-b.tar'), '-C', dir]);
      return { name, dir, ...treeOf(dir) };
    });
    expect(trees[0]?.dirs).toContain('model/Dockerfile/om-datasci-base/.aws/cli/cache');
    const tars = await freshPage();
    await tars.page.goto(base);
    await tars.page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES);
    await expect.poll(() => verdictText(tars.page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
    const tarVerdict = await verdictText(tars.page);
    const tarCauses = await tars.page.getByTestId('causes').textContent();

    const { page, errors } = await freshPage();
    await page.goto(base);
    await page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES.filter((f) => !f.endsWith('.tar')));
    // Playwright cannot drive the native picker: it is stood in for by a directory of the origin's private
    // file system (a real FileSystemDirectoryHandle) holding the same tree.
    for (const tree of trees) {
      await page.evaluate(async ({ name, dirs, files }) => {
        const opfs = await navigator.storage.getDirectory();
        const top = await opfs.getDirectoryHandle(name, { create: true });
        const dirOf = async (path: string) => {
          let dir = top;
          for (const part of path.split('/').filter(Boolean)) dir = await dir.getDirectoryHandle(part, { create: true });
          return dir;
        };
        for (const dir of dirs) await dirOf(dir);
        for (const file of files) {
          const slash = file.path.lastIndexOf('/');
          const handle = await (await dirOf(file.path.slice(0, slash + 1))).getFileHandle(file.path.slice(slash + 1), { create: true });
          const writable = await handle.createWritable();
          await writable.write(Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0)));
          await writable.close();
        }
        (window as unknown as { showDirectoryPicker: () => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker = async () => top;
      }, tree);
      await page.getByText('Choose a context folder…').click();
      const chip = page.getByTestId('input-chip').filter({ hasText: `${tree.name}/` });
      await expect.poll(() => chip.textContent(), { timeout: 20_000 }).toMatch(/hashed \d+ files/);
      await expect(chip.getByTestId('chip-no-empty-dirs').count()).resolves.toBe(0);
    }
    await expect.poll(() => verdictText(page), { timeout: 30_000 }).toBe(tarVerdict);
    await expect.poll(() => page.getByTestId('causes').textContent(), { timeout: 30_000 }).toBe(tarCauses);

    // Where there is no directory picker, the folder input lists files only: its chip says what is missing.
    const fallback = await freshPage();
    await fallback.page.goto(base);
    await fallback.page.getByLabel('Choose a build context folder').setInputFiles(trees[0]!.dir);
    await expect.poll(() => fallback.page.getByTestId('chip-no-empty-dirs').textContent(), { timeout: 15_000 }).toContain('empty folders could not be seen');
    expect(errors).toEqual([]);
    expect(fallback.errors).toEqual([]);
  });

  it('shows a failed tty build: failed and cancelled steps, and a note on how the log was read', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base);
    const dir = resolve(import.meta.dirname, '../fixtures/lab/failed-build');
    await page.getByLabel(/Choose input files/).setInputFiles(['a.log', 'b-tty.log', 'Dockerfile.b'].map((f) => resolve(dir, f)));
    await verdictText(page);
    const timeline = page.getByTestId('timeline');
    await expect.poll(() => timeline.locator('td.status-error').count()).toBeGreaterThan(0);
    await expect(timeline.locator('td.status-canceled').count()).resolves.toBeGreaterThan(0);
    // Multi-stage labels keep their stage, as the log prints them.
    await expect(timeline.textContent()).resolves.toContain('stage-1 3/5');
    await expect(page.getByTestId('notes').textContent()).resolves.toContain('canceled');
    await saveScreenshot(page, 'failed-build');
    expect(errors).toEqual([]);
  });

  it('shows hostile text from a dropped log as text: no dialog, no element, no script', async () => {
    const { page, dialogs } = await freshPage();
    await page.goto(base);
    const payload = `<img src=x onerror="window.__xss=1;alert(1)"><script>alert(2)</script>`;
    const [a, b] = await Promise.all(['a.log', 'b.log'].map((f) => readFile(resolve(FIXTURES, f), 'utf8')));
    const poison = (log: string) => log.replaceAll('RUN echo "step 4" > /opt/om/s4.txt', `RUN echo "${payload}"`);
    await page.getByLabel(/Choose input files/).setInputFiles([
      { name: 'good.log', mimeType: 'text/plain', buffer: Buffer.from(poison(a!)) },
      { name: `<img src=y onerror=alert(3)>.log`, mimeType: 'text/plain', buffer: Buffer.from(poison(b!)) },
    ]);
    await verdictText(page);
    await expect.poll(() => page.getByTestId('timeline').textContent()).toContain(payload);
    await expect(page.locator('img').count()).resolves.toBe(0);
    await expect(page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();
    await expect(page.getByTestId('input-chip').nth(1).textContent()).resolves.toContain('<img src=y onerror=alert(3)>.log');
    expect(dialogs).toEqual([]);
  });

  it('hashes a big context off the page with progress, and cancels it when asked or when a newer context is dropped', async () => {
    const { page, errors } = await freshPage();
    const [bigA, bigB] = await Promise.all([sparseContextTar('cachewhy-e2e-big-a.tar'), sparseContextTar('cachewhy-e2e-big-b.tar')]);
    await page.goto(base);
    const input = page.getByLabel(/Choose input files/);
    await input.setInputFiles([resolve(FIXTURES, 'a.log'), resolve(FIXTURES, 'b.log'), bigA]);

    const first = page.getByTestId('input-chip').nth(2);
    await expect.poll(() => first.getByTestId('chip-role').textContent(), { timeout: 15_000 }).toBe('context of build 1');
    await first.locator('progress').waitFor({ timeout: 15_000 });
    // Bytes, files, rate and time left, as the hash streams.
    await expect.poll(() => first.textContent(), { timeout: 20_000 }).toMatch(/of 1\.0 GB.*files?.*\/s.*left/s);
    await saveScreenshot(page, 'hashing-progress', false);

    // The page stays responsive while the worker hashes: a round trip to the page's thread is quick.
    const started = Date.now();
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok(null))));
    expect(Date.now() - started).toBeLessThan(1000);

    // A newer context arrives: the older hash is cancelled (and can be restarted).
    await input.setInputFiles([bigB]);
    await expect.poll(() => first.textContent(), { timeout: 15_000 }).toContain('Hashing cancelled');
    const second = page.getByTestId('input-chip').nth(3);
    await second.locator('progress').waitFor({ timeout: 15_000 });

    // The Cancel button stops the running one; the analysis goes on without it and says so.
    await second.getByRole('button', { name: /Cancel/ }).click();
    await expect.poll(() => second.textContent(), { timeout: 15_000 }).toContain('Hashing cancelled');
    await expect.poll(() => verdictText(page), { timeout: 30_000 }).toContain('2/34');
    await expect(page.getByTestId('problems').textContent()).resolves.toContain('cancelled');
    expect(errors).toEqual([]);
  });

  it('has no serious or critical accessibility violation (axe-core) on the start page and a link error', async () => {
    const { page } = await freshPage();
    for (const url of [base, `${base}#r=1.broken`]) {
      await page.goto(url);
      await page.getByLabel(/Choose input files/).waitFor();
      const bad = (await runAxe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    }
  });

  it('has no serious or critical accessibility violation (axe-core) on a report, in light and dark', async () => {
    const { page } = await freshPage();
    await page.goto(sharedLink || base + '#example');
    await verdictText(page);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const violations = await runAxe(page);
      const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
    }
    await saveScreenshot(page, 'report-dark', false);
  });

  it('works offline once loaded: after a reload without network, files still give the verdict', async () => {
    const { page, errors } = await freshPage();
    await page.goto(base);
    await page.locator('[data-offline-ready="true"]').waitFor({ timeout: 30_000 });
    await page.context().setOffline(true);
    try {
      await page.reload();
      await page.getByLabel(/Choose input files/).setInputFiles(EXAMPLE_FILES);
      await expect.poll(() => verdictText(page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
      // The built-in example was kept too.
      await page.getByTestId('example-button').click();
      await expect.poll(() => page.getByTestId('example-about').count(), { timeout: 15_000 }).toBe(1);
    } finally {
      await page.context().setOffline(false);
    }
    expect(errors).toEqual([]);
  });

  it('works from any base path: the same build served under /team/tools/cachewhy/', async () => {
    const root = await mkdtemp(resolve(tmpdir(), 'cachewhy-e2e-base-'));
    await mkdir(resolve(root, 'team/tools'), { recursive: true });
    await symlink(DIST, resolve(root, 'team/tools/cachewhy'));
    await symlink(resolve(DIST, 'index.html'), resolve(root, 'index.html')); // serveStatic insists on a root page
    const nested = await serveStatic(root);
    try {
      // Its own origin differs from the other tests' server: it checks its requests itself.
      const { page, errors, requests, context } = await openPage(browser);
      contexts.push(context);
      await page.goto(`${nested.url}team/tools/cachewhy/#example`);
      await expect.poll(() => verdictText(page), { timeout: 30_000 }).toMatch(APPEARED_FILE);
      expect(requests.filter((u) => !u.startsWith(`${nested.url}team/tools/cachewhy/`) && !u.startsWith('data:'))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      nested.server.close();
    }
  });

  it('sent no request to any origin but its own during the whole run', () => {
    expect(allRequests.length).toBeGreaterThan(0);
    expect(foreignRequests(allRequests, base)).toEqual([]);
  });
});
