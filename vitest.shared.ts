import { defineConfig } from 'vitest/config';

/**
 * The vitest settings every package shares. GPU tests share one Dawn device per test file and
 * lavapipe already uses every core, so test files run one at a time, in forked processes (the
 * device is destroyed when each exits).
 */
export function gpuSuite(include: string[] = ['test/**/*.test.ts']) {
  return defineConfig({
    test: {
      include,
      passWithNoTests: true,
      pool: 'forks',
      fileParallelism: false,
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  });
}
