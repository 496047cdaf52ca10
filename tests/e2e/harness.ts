/**
 * Browser-test harness: serves the production build (`dist/`) from a tiny static server on loopback and
 * drives Debian's Chromium through playwright-core. Records every request so tests can prove that nothing
 * leaves the page's own origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const DIST = resolve(import.meta.dirname, '../../dist');
export const ARTIFACTS = resolve(import.meta.dirname, '../artifacts');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.tar': 'application/x-tar',
};

/** Serves `root` on 127.0.0.1 with a random port. */
export async function serveStatic(root = DIST): Promise<{ url: string; server: Server }> {
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`no production build in ${root}: run \`npm run build\` first`);
  }
  // `respond` never rejects (it answers 404 on any error), so its promise can be dropped.
  const server = createServer((req, res) => void respond(req, res));
  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      let file = normalize(join(root, urlPath));
      if (!file.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      if ((await stat(file).catch(() => null))?.isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  }
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('server did not bind');
  return { url: `http://127.0.0.1:${addr.port}/`, server };
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** A fresh context + page that records every request URL and every page error. */
export async function openPage(browser: Browser): Promise<{
  context: BrowserContext;
  page: Page;
  requests: string[];
  errors: string[];
}> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return { context, page, requests, errors };
}

// ---------------------------------------------------------------------------------------------
// App-test helpers
// ---------------------------------------------------------------------------------------------

/** Requests that went anywhere but the page's own origin (data: and blob: URLs never leave the page). */
export function foreignRequests(requests: string[], base: string): string[] {
  const own = new URL(base).origin;
  return requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== own);
}

/** Saves a screenshot under tests/artifacts/ (gitignored) and returns its path. */
export async function saveScreenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/**
 * Runs axe-core in the page. The page's CSP forbids inline and foreign scripts, so `addScriptTag` would be
 * blocked; `page.evaluate` runs through the DevTools protocol, which CSP does not govern, so the page's
 * policy stays exactly as users get it.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(resolve(import.meta.dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: Document, opts: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html })),
    }));
  });
}
