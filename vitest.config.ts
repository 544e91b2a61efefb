import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // The e2e tests spawn dist/index.js; the machine has 2 cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
