/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';

// The app's public address: package.json `homepage`, the one setting the CLI's links use too
// (src/cli/base.ts). The page names it as its canonical address; CACHEWHY_BASE overrides it for a copy
// hosted elsewhere.
const home = process.env.CACHEWHY_BASE || (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { homepage?: string }).homepage;
const canonical = {
  name: 'cachewhy-canonical',
  transformIndexHtml: () => (home ? [{ tag: 'link', attrs: { rel: 'canonical', href: home }, injectTo: 'head' as const }] : []),
};

// Relative base: `dist/` can be hosted under any path (the share link lives in the fragment).
export default defineConfig({
  base: './',
  plugins: [svelte(), canonical],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
