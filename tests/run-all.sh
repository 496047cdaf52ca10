#!/usr/bin/env bash
# The whole test suite, in the order that fails fastest. `npm test` runs this; so does `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s ==\n' "$*"; }

step "tools (Chromium, Rust wasm32) — installed from Debian when missing"
bash tests/setup/ensure-tools.sh

step "types: svelte-check (strict TypeScript + Svelte)"
npm run --silent check

step "lint: ESLint (typescript-eslint, eslint-plugin-svelte) + Prettier --check"
npm run --silent lint

step "unit tests (Vitest, Node)"
npm run --silent test:unit

step "production build"
npm run --silent build

step "browser tests (playwright-core + Debian Chromium)"
npm run --silent test:e2e
