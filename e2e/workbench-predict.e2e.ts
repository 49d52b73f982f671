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

/** Back to the project screen, once its dataset screen is fully built (the task editor comes last). */
async function openProject(): Promise<void> {
  await page.getByRole('link', { name: '← Project' }).click();
  await page.getByTestId('correlation-columns').waitFor({ timeout: 10_000 });
  await page.getByTestId('start-training').waitFor();
}

/**
 * Ticks an output on the task editor. A click event on the box itself: the project screen's
 * layout still moves (task progress, the grid and heat map appearing) and a pointer click at
 * the box's old place can miss it.
 */
async function chooseOutput(name: string): Promise<void> {
  const box = page.getByLabel(name, { exact: true });
  await box.dispatchEvent('click');
  expect(await box.isChecked()).toBe(true);
}

describe('prediction on the task screen', () => {
  it('trains a Gaussian process and shows a residual chart per output', async () => {
    await readyBackend(page);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    await chooseOutput(OUTPUT);
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

  it('draws the live loss curve while a neural network trains, and queues a second task meanwhile', async () => {
    await openProject();
    await chooseOutput(OUTPUT);
    await page.getByTestId('model-choice').selectOption('nn');
    // Twenty folds: long enough to start another task while this one trains.
    await page.getByLabel('Folds').fill('20');
    await page.evaluate(() => {
      const durations: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = durations;
      new PerformanceObserver((list) => list.getEntries().forEach((entry) => durations.push(entry.duration))).observe({ type: 'longtask' });
    });
    await page.getByTestId('start-training').click();
    const curve = page.getByTestId('loss-curve');
    await curve.and(page.locator('[data-rendered="true"]')).waitFor({ timeout: 30_000 });
    expect(Number(await curve.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await page.getByTestId('loss-curve-caption').textContent()).toMatch(/^Loss curve \((mlp-ensemble, )?fold \d+ \/ 20\)$/);
    // The curve grows as epochs arrive.
    const first = Number(await curve.getAttribute('data-points'));
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="loss-curve"]')?.getAttribute('data-points')) !== n, first, { timeout: 10_000 });
    // Two more seconds of epochs: the page stays responsive while the curve is redrawn (the rule of
    // the dataset screen's check: wall-clock long tasks on a shared machine, none over 100 ms and at
    // most one over 50 ms; typically one of about 50 ms, when the task screen and its chart start).
    await page.waitForTimeout(2000);
    const longTasks = await page.evaluate(() => [...(window as unknown as { longTasks: number[] }).longTasks]);
    expect(Math.max(0, ...longTasks)).toBeLessThan(100);
    expect(longTasks.filter((d) => d > 50).length).toBeLessThanOrEqual(1);

    // The dataset screen does not wait for the training: a second task is set up and queued.
    await openProject();
    await chooseOutput(OUTPUT);
    await page.getByTestId('model-choice').selectOption('linear');
    await page.getByTestId('start-training').click();
    const queue = page.getByTestId('training-queue');
    await queue.waitFor();
    expect(await queue.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-state')))).toEqual(['running', 'queued']);

    // Cancelled from the queue, the neural network stops and the linear task runs and finishes.
    await queue.locator('li[data-state="running"]').getByRole('button').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 20_000 });
    await queue.waitFor({ state: 'detached' });
    expect(problems).toEqual([]);
  }, 60_000);

  it('shows three objectives in parallel coordinates, where a click on a line selects its solution', async () => {
    await openProject();
    for (const name of [OUTPUT, '伸び(%)', 'コスト(円/kg)']) await chooseOutput(name);
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
    await plot.locator('details tbody tr').nth(count - 1).waitFor();
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
