// A second visit starts with the network off: the server is stopped, the page reloads.
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, readyBackend } from './browser.ts';
import { startServer } from './server.ts';

const browserPromise = launchChromium();
afterAll(async () => (await browserPromise).close());

describe('offline', () => {
  it('reloads from the service worker cache after the server is gone', async () => {
    const server = await startServer();
    const browser = await browserPromise;
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, server.url);
    await readyBackend(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await server.stop();
    // Empty the HTTP cache too, so only the service worker can answer.
    await (await context.newCDPSession(page)).send('Network.clearBrowserCache');

    await page.reload();
    await expect(page.locator('h1').textContent()).resolves.toBe('Sigma');
    // The worker, TensorFlow.js and our wasm all come from the cache.
    const backend = await readyBackend(page);
    expect(['webgl', 'wasm', 'cpu', 'webgpu']).toContain(backend);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
