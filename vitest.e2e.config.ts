import { defineConfig } from 'vitest/config';

// Browser tests: build once, serve dist/, drive Debian's Chromium with playwright-core.
export default defineConfig({
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
