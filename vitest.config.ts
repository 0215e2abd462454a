import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Embedded databases are memory-hungry WASM instances; two workers fit two cores.
    pool: 'forks',
    maxWorkers: 2,
  },
});
