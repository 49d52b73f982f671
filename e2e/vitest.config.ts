import { defineConfig } from 'vitest/config';

// End-to-end tests: Debian's Chromium (playwright-core) against the real Node server,
// started once on a free port with a temporary data folder.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time: the machine has two cores and Chromium's software GPU is slow.
    fileParallelism: false,
  },
});
