// With --enable-unsafe-webgpu, Chromium offers a (software) WebGPU adapter: the engine must pick
// it, and our WebGPU network kernels must train through the GPU peer worker when forced.
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const OUTPUT = '引張強度(MPa)';
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

  it('trains the network on our WebGPU kernels when forced, through the GPU peer worker', async () => {
    const browser = await browserPromise;
    const context = await browser.newContext({ locale: 'en-US', acceptDownloads: true });
    const { page, problems } = await openPage(context, baseUrl);
    await readyBackend(page);
    const train = async (kernels: string): Promise<{ r2: number; csv: string }> => {
      await page.goto(`${baseUrl}/settings`);
      await page.getByTestId('kernel-choice').selectOption(kernels);
      await page.getByTestId('apply-kernels').click();
      await page.getByTestId('apply-kernels').and(page.locator(':enabled')).waitFor();
      await page.goto(projectUrl);
      await page.getByTestId('summary-table').waitFor();
      await page.getByLabel(OUTPUT, { exact: true }).check();
      await page.getByTestId('model-choice').selectOption('nn');
      await page.getByTestId('start-training').click();
      await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 240_000 });
      const r2 = Number(await page.getByTestId('r2').first().textContent());
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-accuracy').click()]);
      return { r2, csv: readFileSync(await download.path(), 'utf8') };
    };
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    const projectUrl = page.url();
    const onGpu = await train('webgpu');
    await page.goto(`${baseUrl}/settings`);
    await page.getByTestId('kernel-candidates').filter({ hasText: 'webgpu' }).waitFor();
    const onCpu = await train('wasm');
    // Different rounding sends the two trainings down slightly different paths (the wasm kernels on
    // every core give the very same numbers as on one, so a difference shows the GPU trained), and
    // the model is as good.
    expect(onGpu.csv).not.toBe(onCpu.csv);
    expect(onGpu.r2).toBeGreaterThan(0.5);
    expect(Math.abs(onGpu.r2 - onCpu.r2)).toBeLessThan(0.05);
    expect(problems.filter((p) => !/powerPreference|software|SwiftShader/i.test(p))).toEqual([]);
    await context.close();
  }, 600_000);
});
