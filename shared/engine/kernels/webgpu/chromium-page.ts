// Node side of running kernel code in Chromium (the e2e kernel test and `npm run bench:gpu`): bundles
// one entry module with Vite (no app build, no server) and serves it, with any extra files, from
// http://localhost/ through Playwright's request routing. localhost is a secure context, which
// WebGPU requires; nothing listens on a port.
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';

export const PAGE_ORIGIN = 'http://localhost';

/** The entry and everything it imports as one ES module (target es2022, not minified). */
export async function bundleModule(entry: string): Promise<string> {
  const result = await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      write: false,
      target: 'es2022',
      minify: false,
      lib: { entry, formats: ['es'], fileName: 'entry' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const output of outputs) {
    if (!('output' in output)) continue;
    const chunk = output.output.find((item) => item.type === 'chunk' && item.isEntry);
    if (chunk && chunk.type === 'chunk') return chunk.code;
  }
  throw new Error(`Bundling ${entry} produced no entry chunk`);
}

export interface ServedFile {
  readonly body: string | Buffer;
  readonly contentType: string;
}

/**
 * A page at PAGE_ORIGIN/ that has imported /entry.js (the bundle) as `globalThis.entry`, with
 * `files` served at their paths; console errors are collected in `problems`.
 */
export async function openModulePage(browser: Browser, bundle: string, files: Record<string, ServedFile> = {}): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext();
  const served: Record<string, ServedFile> = {
    '/': {
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><title>kernels</title><script type="module">globalThis.entry = await import("/entry.js"); document.title = "ready";</script>',
    },
    '/entry.js': { contentType: 'text/javascript', body: bundle },
    ...files,
  };
  await context.route(`${PAGE_ORIGIN}/**`, (route) => {
    const file = served[new URL(route.request().url()).pathname];
    return file ? route.fulfill({ status: 200, contentType: file.contentType, body: file.body }) : route.fulfill({ status: 404, body: 'not found' });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(`${PAGE_ORIGIN}/`);
  await page.waitForFunction(() => document.title === 'ready', undefined, { timeout: 30_000 });
  return { page, problems };
}
