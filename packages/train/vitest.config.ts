import { defineConfig } from 'vitest/config';

// GPU tests share one Dawn device per test file; lavapipe already uses every core, so test
// files run one at a time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"], passWithNoTests: true,
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
