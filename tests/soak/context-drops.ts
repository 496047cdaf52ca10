/**
 * `npm run soak` (kept out of `npm test`: it takes minutes): drops a build context into the built app
 * 200 times in a row while another process keeps a core busy, and fails if any hash is not done within
 * 15 s (issue 14: a dropped 20 KB context once stayed unhashed for 90 s on a busy machine). Every tenth
 * drop is a 12 MB tar, big enough for the pool of hashing workers; the rest are ~20 KB.
 *
 *   SOAK_DROPS=n   drops (default 200)        SOAK_LIMIT_S=s   the limit per drop (default 15)
 *   SOAK_DIST=dir  the built app to serve (default dist/; `vite build --outDir dir` leaves dist/ alone)
 */
import { spawn } from 'node:child_process';
import { launchChromium, openPage, serveStatic } from '../e2e/harness.ts';
import { writeTar, type TarSpec } from '../unit/context/helpers.ts';

const DROPS = Number(process.env['SOAK_DROPS'] ?? 200);
const LIMIT_MS = Number(process.env['SOAK_LIMIT_S'] ?? 15) * 1000;

function tarOf(files: number, size: number, seed: number): Buffer {
  const specs: TarSpec[] = [{ name: 'app/', flag: '5' }];
  for (let i = 0; i < files; i++) specs.push({ name: `app/f${i}.txt`, data: new Uint8Array(size).fill((seed + i) % 251) });
  return Buffer.from(writeTar(specs));
}
const small = tarOf(20, 900, 1);
const big = tarOf(1200, 10_000, 2);

// The busy core: a process that spins until we end it (by its pid).
const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const { url, server } = await serveStatic(process.env['SOAK_DIST'] || undefined);
const browser = await launchChromium();
const times: number[] = [];
const slow: string[] = [];
try {
  const { page, errors } = await openPage(browser);
  await page.goto(url);
  const input = page.getByLabel(/Choose input files/);
  for (let i = 1; i <= DROPS; i++) {
    const isBig = i % 10 === 0;
    const name = `ctx-${i}${isBig ? '-big' : ''}.tar`;
    const started = Date.now();
    await input.setInputFiles({ name, mimeType: 'application/x-tar', buffer: isBig ? big : small });
    const chip = page.getByTestId('input-chip').filter({ hasText: name });
    let done = true;
    try {
      await chip.getByText(/^hashed \d/).waitFor({ timeout: Math.max(LIMIT_MS * 4, 60_000) });
    } catch {
      done = false;
    }
    const ms = Date.now() - started;
    times.push(ms);
    if (!done || ms > LIMIT_MS) slow.push(`drop ${i} (${name}): ${done ? `${ms} ms` : `not hashed after ${ms} ms: ${await chip.textContent()}`}`);
    await chip.getByRole('button', { name: `Remove ${name}` }).click();
    await chip.waitFor({ state: 'detached' });
    if (i % 20 === 0) console.log(`${i} drops, slowest so far ${Math.max(...times)} ms; this ${isBig ? '12 MB' : '20 KB'} one ${ms} ms`);
  }
  if (errors.length) slow.push(...errors.map((e) => `page error: ${e}`));
} finally {
  burner.kill();
  await browser.close();
  server.close();
}
const sorted = [...times].sort((a, b) => a - b);
const result = {
  drops: times.length,
  over_limit: slow.length,
  limit_s: LIMIT_MS / 1000,
  median_ms: sorted[Math.floor(sorted.length / 2)] ?? null,
  p95_ms: sorted[Math.floor(sorted.length * 0.95)] ?? null,
  max_ms: sorted.at(-1) ?? null,
};
for (const s of slow) console.log(`SLOW: ${s}`);
console.log(JSON.stringify(result));
process.exitCode = slow.length === 0 && times.length === DROPS ? 0 : 1;
