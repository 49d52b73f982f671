// With --enable-unsafe-webgpu, Chromium offers a (software) WebGPU adapter: the engine must pick it.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const browserPromise = launchChromium({ webgpu: true });
afterAll(async () => (await browserPromise).close());

describe('WebGPU', () => {
  it('is detected and used', async () => {
    const browser = await browserPromise;
    const context = await browser.newContext();
    const { page, problems } = await openPage(context, baseUrl);
    expect(await readyBackend(page)).toBe('webgpu');
    await expect(page.getByTestId('backend-indicator').textContent()).resolves.toContain('WebGPU');
    await page.getByTestId('compute-details').locator('summary').click();
    const webgpuLine = await page.getByTestId('compute-details').locator('li', { hasText: 'webgpu' }).textContent();
    expect(webgpuLine).toMatch(/works/);
    // WebGPU on a software adapter warns about performance on the console; anything else is a problem.
    expect(problems.filter((p) => !/powerPreference|software|SwiftShader/i.test(p))).toEqual([]);
    await context.close();
  });
});
