import { defineConfig } from 'vitest/config';

// Unit tests: pure core + CLI in Node. Browser tests live in vitest.e2e.config.ts.
export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
  },
});
