import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Keep caches out of node_modules: a changed node_modules makes `npx focal` look for the
  // package on the registry instead of using this checkout's bin.
  cacheDir: '.cache/vite',
  test: {
    include: ['test/**/*.test.ts'],
    // PENDING (prop-tests branch only): properties that fail until issue 8's fixes are merged;
    // run them with FOCAL_PENDING=1 npx vitest run test/properties.pending.test.ts. The lead
    // removes this exclusion once the fixes are in.
    exclude: ['**/node_modules/**', ...(process.env.FOCAL_PENDING ? [] : ['test/properties.pending.test.ts'])],
    testTimeout: 30_000,
  },
});
