import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Keep caches out of node_modules: a changed node_modules makes `npx focal` look for the
  // package on the registry instead of using this checkout's bin.
  cacheDir: '.cache/vite',
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 30_000,
  },
});
