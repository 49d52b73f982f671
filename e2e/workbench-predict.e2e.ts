// The task screen's prediction and accuracy additions in Chromium, on the shipped resin example:
// residual charts, the live form (a slider moves the prediction), batch prediction of a file with
// the columns of `sigma predict`, and the live loss curve while a neural network trains.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchPersistentChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const INPUTS = ['樹脂A(wt%)', '樹脂B(wt%)', '充填剤(wt%)', '硬化剤(wt%)', '硬化温度(℃)', '硬化時間(min)'];
const OUTPUT = '引張強度(MPa)';

let context: BrowserContext;
let page: Page;
let problems: string[];
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'sigma-predict-'));
  context = await launchPersistentChromium(join(folder, 'profile'), { locale: 'en-US' });
  ({ page, problems } = await openPage(context, baseUrl));
});

afterAll(async () => {
  await context?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('prediction on the task screen', () => {
  it('trains a Gaussian process and shows a residual chart per output', async () => {
    await readyBackend(page);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    await page.getByLabel(OUTPUT, { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('gp');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    const residuals = page.getByTestId('residuals');
    await residuals.and(page.locator('[data-rendered="true"]')).waitFor();
    // One point per row used (the example has a row without this output).
    const used = await page.getByTestId('predicted-actual').getAttribute('data-points');
    expect(Number(used)).toBeGreaterThan(50);
    expect(await residuals.getAttribute('data-points')).toBe(used);
  }, 90_000);

  it('moves the prediction when a slider moves, within the training range shown', async () => {
    const slider = page.locator(`input[type="range"][data-slider="${INPUTS[4]}"]`);
    expect(await slider.getAttribute('aria-label')).toBe(`${INPUTS[4]}: slider`);
    const [min, max] = [Number(await slider.getAttribute('min')), Number(await slider.getAttribute('max'))];
    expect(min).toBeLessThan(max);
    expect(await page.locator(`[data-range="${INPUTS[4]}"]`).textContent()).toContain('training range');
    const prediction = page.getByTestId('prediction').locator(`li[data-output="${OUTPUT}"]`);
    await prediction.waitFor();
    const before = await prediction.textContent();
    await slider.fill(String(max));
    // The number field follows the slider, and the prediction is redone (debounced).
    expect(Number(await page.locator(`input[type="number"][data-input="${INPUTS[4]}"]`).inputValue())).toBeCloseTo(max, 6);
    await page.waitForFunction(
      ([selector, old]) => document.querySelector(selector)?.textContent !== old,
      [`[data-testid="prediction"] li[data-output="${OUTPUT}"]`, before] as const,
    );
  });

  it('predicts a file in the worker and downloads the columns of sigma predict', async () => {
    // The header and five rows of the example, as it is: Shift_JIS, detected in the worker.
    const bytes = readFileSync('web/static/examples/resin.csv');
    let end = 0;
    for (let line = 0; line < 6; line++) end = bytes.indexOf(0x0a, end) + 1;
    const file = join(folder, 'five.csv');
    writeFileSync(file, bytes.subarray(0, end));
    const lines = new TextDecoder('shift_jis').decode(bytes.subarray(0, end)).trim().split(/\r?\n/);
    await page.getByTestId('batch-file').setInputFiles(file);
    await page.getByTestId('batch-rows').or(page.getByRole('alert')).first().waitFor({ timeout: 20_000 });
    expect(await page.getByRole('alert').allTextContents()).toEqual([]);
    expect(await page.getByTestId('batch-rows').textContent()).toBe('5');
    expect(await page.getByTestId('batch-preview').locator('tbody tr').count()).toBe(5);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-batch').click()]);
    const rows = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((line) => line.split(','));
    // The task uses every other numeric column as an input: the other two outputs too.
    expect(rows[0]).toEqual([...INPUTS, '伸び(%)', 'コスト(円/kg)', OUTPUT, `${OUTPUT}_std`, 'in_domain']);
    expect(rows).toHaveLength(6);
    // The inputs come back as given, the predictions are close to the measured strength.
    const source = lines.map((line) => line.split(','));
    for (let i = 1; i <= 5; i++) {
      expect(rows[i].slice(0, 8).map(Number)).toEqual([...source[i].slice(1, 7), ...source[i].slice(8, 10)].map(Number));
      expect(Math.abs(Number(rows[i][8]) - Number(source[i][7]))).toBeLessThan(10);
      expect(Number(rows[i][9])).toBeGreaterThan(0);
      expect(rows[i][10]).toBe('true');
    }
  });

  it('draws the live loss curve while a neural network trains, then cancels it', async () => {
    await page.getByRole('link', { name: /Project/ }).first().click();
    await page.getByLabel(OUTPUT, { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('nn');
    await page.getByTestId('start-training').click();
    const curve = page.getByTestId('loss-curve');
    await curve.and(page.locator('[data-rendered="true"]')).waitFor({ timeout: 30_000 });
    expect(Number(await curve.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.getByTestId('loss-curve-caption').textContent()).toMatch(/Loss curve \(fold \d+ \/ 5\)|Loss curve \(mlp-ensemble, fold \d+ \/ 5\)/);
    await page.getByTestId('cancel-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="cancelled"]')).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows three objectives in parallel coordinates, where a click on a line selects its solution', async () => {
    await page.getByRole('link', { name: /Project/ }).first().click();
    for (const name of [OUTPUT, '伸び(%)', 'コスト(円/kg)']) await page.getByLabel(name, { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('linear');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Optimize' }).click();
    await page.getByTestId('optimize-form').waitFor();
    await page.getByTestId('add-objective').click();
    const objectives = page.getByTestId('objectives-editor');
    await objectives.locator('[data-objective="2"] [data-field="output"]').selectOption('伸び(%)');
    await objectives.locator('[data-objective="2"] [data-field="goal"]').selectOption('max');
    await page.getByTestId('population').fill('24');
    await page.getByTestId('generations').fill('10');
    await page.getByTestId('run-optimize').click();
    await page.getByTestId('optimize-result').waitFor({ timeout: 30_000 });
    const plot = page.getByTestId('parallel-plot');
    await plot.and(page.locator('[data-rendered="true"]')).waitFor();
    const count = Number(await page.getByTestId('pareto-count').textContent());
    expect(count).toBeGreaterThan(1);
    expect(await plot.getAttribute('data-points')).toBe(String(count));
    // The line at the top of the first axis is the solution with the largest first objective.
    await plot.getByText('Data as a table').click();
    const firsts = await plot.locator('details tbody tr td:first-of-type').evaluateAll((cells) => cells.map((c) => Number(c.textContent!.replace(/,/g, ''))));
    expect(firsts).toHaveLength(count);
    const top = firsts.indexOf(Math.max(...firsts));
    const box = (await plot.locator('.canvas').boundingBox())!;
    await page.mouse.click(box.x + 48, box.y + 40 + (0.05 / 1.1) * (box.height - 40 - 24));
    // The pick is answered by the chart worker: wait for the selection to follow.
    await page.getByTestId('selected-solution').locator('h4', { hasText: new RegExp(`Selected solution ${top + 1}\\b`) }).waitFor({ timeout: 5_000 });
    // The keyboard way: the chart's data table has a button per line.
    const other = top === 0 ? 1 : 0;
    await plot.locator('details tbody tr button[aria-pressed]').nth(other).click();
    await page.getByTestId('selected-solution').locator('h4', { hasText: new RegExp(`Selected solution ${other + 1}\\b`) }).waitFor({ timeout: 5_000 });
    expect(problems).toEqual([]);
  }, 60_000);
});
