import { defineConfig } from 'vitest/config';

// The page is a plain static build (dist/) that `exiflang web` serves. Vite resolves the
// workspace packages through their `browser` export condition (src/browser.ts of data, models
// and eval), so the bundle holds no Node-only module.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096, reportCompressedSize: false },
  test: { include: ['test/**/*.test.ts'], pool: 'forks', fileParallelism: false, testTimeout: 600_000, hookTimeout: 600_000 },
});
