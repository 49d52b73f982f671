// The neural-network kernels in Chromium: the engine worker calibrates them per workload and
// remembers the choice (shown in Settings), spreads an ensemble over a peer worker per further
// core, and a forced choice trains exactly the same model on all cores as on one. A Gaussian
// process's folds are fitted on GP peer workers, to the numbers one thread in Node gets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchPersistentChromium, openPage, readyBackend } from './browser.ts';
import { nodeGpKernels } from '../server/cli/gp-kernels.ts';
import { readTable } from '../shared/engine/table/read.ts';
import { trainModel } from '../shared/engine/train/train.ts';

const baseUrl = inject('baseUrl');
const OUTPUT = '引張強度(MPa)';

let context: BrowserContext;
let page: Page;
let problems: string[];
let profile: string;
let projectUrl = '';

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'sigma-profile-'));
  context = await launchPersistentChromium(profile, { locale: 'en-US' });
  ({ page, problems } = await openPage(context, baseUrl));
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Trains the network (or another model) on the example's tensile strength and returns the accuracy CSV. */
async function trainNetwork(model = 'nn'): Promise<string> {
  await page.goto(projectUrl);
  await page.getByTestId('summary-table').waitFor();
  await page.getByLabel(OUTPUT, { exact: true }).check();
  await page.getByTestId('model-choice').selectOption(model);
  await page.getByTestId('start-training').click();
  await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 200_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-accuracy').click()]);
  return readFileSync(await download.path(), 'utf8');
}

async function forceKernels(choice: string): Promise<void> {
  await page.goto(`${baseUrl}/settings`);
  await page.getByTestId('kernel-choice').selectOption(choice);
  await page.getByTestId('apply-kernels').click();
  await page.getByTestId('apply-kernels').and(page.locator(':enabled')).waitFor();
}

describe('neural-network kernels in the browser', () => {
  it('calibrates on the first training and shows the choice in Settings', async () => {
    await readyBackend(page);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    projectUrl = page.url();
    await trainNetwork();
    await page.goto(`${baseUrl}/settings`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const candidates = page.getByTestId('kernel-candidates');
    await candidates.filter({ hasText: 'wasm' }).waitFor();
    const text = (await candidates.textContent()) ?? '';
    if (cores >= 2) expect(text).toMatch(/wasm-(relaxed-)?simd ×\d/);
    // The settings page is a new document with a new engine worker: the decision it shows was
    // remembered from the training's calibration, for the ensemble's shape (8 members, one output).
    const rows = page.getByTestId('kernel-decisions').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().locator('td').first().textContent()).toMatch(/^8m-\d+-[\dx]+-1-silu-mse-r\d+$/);
    const chosen = await rows.locator('strong').allTextContents();
    for (const name of chosen) expect(text).toContain(name);
    expect(await rows.first().locator('td').nth(2).textContent()).toContain('measured in an earlier session');
  }, 240_000);

  it('trains the same model on every core as on one', async () => {
    await forceKernels('wasm-threads');
    const threads = await trainNetwork();
    await forceKernels('wasm');
    const single = await trainNetwork();
    expect(threads.split(/\r\n/)[1]).toContain(OUTPUT);
    expect(threads).toBe(single);
  }, 300_000);

  it('fits a Gaussian process\'s cross-validation folds on GP peer workers', async () => {
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const accuracy = await trainNetwork('gp');
    const [header, line] = accuracy.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    const r2 = Number(line.split(',')[header.split(',').indexOf('r2')]);
    // The same training in Node on one thread (the example is resin_sjis.csv): the same folds and
    // fits, to the last digits that Chromium's and Node's floating-point paths share.
    const { table } = readTable(new Uint8Array(readFileSync(new URL('../../shared/data/resin_sjis.csv', import.meta.url))));
    const { report } = trainModel(table, { outputs: [OUTPUT], model: 'gp' }, { gpKernels: await nodeGpKernels(1) });
    expect(report.metrics[OUTPUT].model).toBe(line.split(',')[header.split(',').indexOf('model')]);
    expect(Math.abs(r2 - report.metrics[OUTPUT].r2)).toBeLessThan(1e-6);
    const peers = page.workers().filter((worker) => worker.url().includes('gp-peer'));
    if (cores >= 2) expect(peers.length).toBe(Math.min(7, cores - 1));
  }, 240_000);

  it('logged no console errors, page errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
