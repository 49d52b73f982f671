import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [sveltekit()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // Never inline wasm as a data: URL: the CSP allows fetching from our own origin only,
    // and compileStreaming wants the application/wasm response anyway.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
  },
  server: {
    // The same isolation headers as the Hono server, so wasm threads work in `npm run dev`.
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
  test: {
    include: ['shared/**/*.test.ts', 'server/**/*.test.ts', 'web/**/*.test.ts', 'wasm/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
  },
});
