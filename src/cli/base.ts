/**
 * Where the web app is hosted: one setting, `homepage` in package.json, read by the build (vite.config.ts
 * writes it as the page's canonical address) and by the CLI (`--link` and `check --github` links).
 * `CACHEWHY_BASE` overrides it for a self-hosted copy, `--base` for one command.
 */
import { readFileSync } from 'node:fs';

/** `npm start` serves the app here: the fallback when package.json names no homepage. */
export const LOCAL_BASE = 'http://127.0.0.1:5173/';

export function homepage(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { homepage?: unknown };
    return typeof pkg.homepage === 'string' && pkg.homepage !== '' ? pkg.homepage : LOCAL_BASE;
  } catch {
    return LOCAL_BASE;
  }
}

/** The base a link points to when no --base is given. */
export function defaultBase(env: Record<string, string | undefined> = process.env): string {
  return env.CACHEWHY_BASE || homepage();
}
