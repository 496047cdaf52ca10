/**
 * Builds the bench page (tests/bench/browser/page) into tests/artifacts/bench-page. Not the app's config:
 * the bench page must build even while teammates' modules are missing, so two virtual modules resolve
 * to the real code when it exists and to `null` otherwise (the driver then reports the case as skipped).
 *   virtual:bench-ours           → `@rust-wasm/sha256` (node_modules, else wasm/sha256/pkg)
 *   virtual:bench-index-context  → `indexContext` from src/core/context/index.ts
 * `BENCH_STUB=ours,index` forces the stubs (used by run.ts to retry when a half-written module breaks the build).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const ROOT = resolve(import.meta.dirname, '../../..');
const stubbed = new Set((process.env.BENCH_STUB ?? '').split(',').filter(Boolean));

/** Entry file of a package dir, from its package.json (`exports['.']`, `module`, `main`). */
function packageEntry(dir: string): string | null {
  const pj = join(dir, 'package.json');
  if (!existsSync(pj)) return null;
  const meta = JSON.parse(readFileSync(pj, 'utf8')) as { exports?: unknown; module?: string; main?: string };
  const ex = meta.exports;
  const dot = typeof ex === 'string' ? ex : ex && typeof ex === 'object' ? (ex as Record<string, unknown>)['.'] : undefined;
  const fromExports =
    typeof dot === 'string'
      ? dot
      : dot && typeof dot === 'object'
        ? ((dot as Record<string, unknown>)['browser'] ?? (dot as Record<string, unknown>)['import'] ?? (dot as Record<string, unknown>)['default'])
        : undefined;
  const rel = typeof fromExports === 'string' ? fromExports : (meta.module ?? meta.main ?? 'index.js');
  const file = join(dir, rel);
  return existsSync(file) ? file : null;
}

function oursModule(): string {
  if (!stubbed.has('ours')) {
    for (const dir of [join(ROOT, 'node_modules/@rust-wasm/sha256'), join(ROOT, 'wasm/sha256/pkg')]) {
      const entry = packageEntry(dir);
      if (!entry) continue;
      // The raw module too, for the kernel-only diagnostic (what the loader's copies cost).
      const wasm = join(dir, 'sha256.wasm');
      const wasmUrl = existsSync(wasm) ? `export { default as oursWasmUrl } from ${JSON.stringify(`${wasm}?url`)};` : 'export const oursWasmUrl = null;';
      return `export { default } from ${JSON.stringify(entry)};\nexport const oursFrom = ${JSON.stringify(entry.slice(ROOT.length + 1))};\n${wasmUrl}`;
    }
  }
  return 'export default null;\nexport const oursFrom = null;\nexport const oursWasmUrl = null;';
}

/** `indexContext`, plus the tar reader alone (`TarParser`) for the parse-only diagnostic. */
function indexContextModule(): string {
  const file = join(ROOT, 'src/core/context/index.ts');
  const tar = join(ROOT, 'src/core/context/tar.ts');
  const lines: string[] = [];
  if (
    !stubbed.has('index') &&
    existsSync(file) &&
    /export\s+(async\s+)?function\s+indexContext\b|export\s*\{[^}]*\bindexContext\b/.test(readFileSync(file, 'utf8'))
  ) {
    lines.push(`export { indexContext } from ${JSON.stringify(file)};`, `export const indexContextFrom = 'src/core/context/index.ts';`);
  } else lines.push('export const indexContext = null;', 'export const indexContextFrom = null;');
  if (!stubbed.has('index') && existsSync(tar) && /export\s+class\s+TarParser\b/.test(readFileSync(tar, 'utf8'))) {
    lines.push(`export { TarParser } from ${JSON.stringify(tar)};`);
  } else lines.push('export const TarParser = null;');
  return lines.join('\n');
}

function benchVirtuals(): Plugin {
  const modules: Record<string, () => string> = {
    'virtual:bench-ours': oursModule,
    'virtual:bench-index-context': indexContextModule,
  };
  return {
    name: 'cachewhy-bench-virtuals',
    resolveId: (id) => (id in modules ? `\0${id}` : null),
    load: (id) => (id.startsWith('\0') && id.slice(1) in modules ? modules[id.slice(1)]!() : null),
  };
}

export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  base: './',
  logLevel: 'warn',
  plugins: [benchVirtuals()],
  worker: { format: 'es', plugins: () => [benchVirtuals()] },
  build: {
    outDir: join(ROOT, 'tests/artifacts/bench-page'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Keep names readable in profiles; minification does not change hashing speed.
    minify: false,
  },
});
