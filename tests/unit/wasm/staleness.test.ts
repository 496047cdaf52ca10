import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The committed pkg/ must be exactly what wasm/sha256/build.sh makes from the sources in the tree, so
// that `npm ci` (which never runs Rust) ships the code that was reviewed. Rebuilds go through build.sh
// itself (`--wasm-to`): the flags have one source of truth.
const crate = fileURLToPath(new URL('../../../wasm/sha256/', import.meta.url));
const REBUILD_HINT = 'The committed wasm/sha256/pkg is stale: run `npm run wasm:build` and commit wasm/sha256/pkg.';
const scratch: string[] = [];

function rebuildWasm(): Buffer {
  const toolchain = ['/usr/bin/rustc', '/usr/bin/cargo', '/usr/lib/rustlib/wasm32-unknown-unknown'];
  const missing = toolchain.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `Cannot check that wasm/sha256/pkg/sha256.wasm is up to date: Debian's Rust toolchain is missing ` +
        `(${missing.join(', ')}). Install it with \`bash tests/setup/ensure-tools.sh\` (npm test does this first).`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'sha256-rebuild-'));
  scratch.push(dir);
  const out = join(dir, 'sha256.wasm');
  execFileSync('bash', [join(crate, 'build.sh'), '--wasm-to', out], {
    env: { ...process.env, CARGO_TARGET_DIR: join(dir, 'target') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return readFileSync(out);
}

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe('wasm/sha256/pkg is built from the current sources', () => {
  const builds: Buffer[] = [];

  it('a clean rebuild of the crate gives the committed sha256.wasm byte for byte', { timeout: 180_000 }, () => {
    builds.push(rebuildWasm());
    const committed = readFileSync(join(crate, 'pkg/sha256.wasm'));
    expect(builds[0]!.equals(committed), REBUILD_HINT).toBe(true);
  });

  it('the build is deterministic: a second clean build gives the same bytes', { timeout: 180_000 }, () => {
    const first = builds[0] ?? rebuildWasm();
    expect(rebuildWasm().equals(first)).toBe(true);
  });

  it.each(['index.js', 'index.d.ts', 'package.json'])('pkg/%s is an exact copy of its source in js/', (file) => {
    const source = readFileSync(join(crate, 'js', file), 'utf8');
    expect(readFileSync(join(crate, 'pkg', file), 'utf8') === source, REBUILD_HINT).toBe(true);
  });
});
