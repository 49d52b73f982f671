// The analysis screens of a trained task in Chromium, on the shipped resin example: factors,
// optimization under a mixture at 100 %, next experiments with their sheet, CSV exports, and
// results that survive a reload.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchPersistentChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const MIXTURE = ['樹脂A(wt%)', '樹脂B(wt%)', '充填剤(wt%)', '硬化剤(wt%)'];
const INPUTS = [...MIXTURE, '硬化温度(℃)', '硬化時間(min)'];
const OUTPUTS = ['引張強度(MPa)', '伸び(%)', 'コスト(円/kg)'];
const MIXTURE_EQUATION = MIXTURE.map((name) => `\`${name}\``).join(' + ') + ' == 100';

let context: BrowserContext;
let page: Page;
let problems: string[];
let profile: string;
let taskUrl = '';

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'sigma-profile-'));
  context = await launchPersistentChromium(profile, { locale: 'en-US' });
  ({ page, problems } = await openPage(context, baseUrl));
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

/** Clicks `button` and returns the text of the file it downloads, without a byte order mark. */
async function downloadText(button: Locator): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8').replace(/^\uFEFF/, '') };
}

/** Simple CSV rows (the cells checked here hold no quotes or commas). */
function csvRows(text: string): string[][] {
  return text.trim().split(/\r\n/).map((line) => line.split(','));
}

async function numbersIn(row: Locator, names: readonly string[]): Promise<number[]> {
  return Promise.all(names.map(async (name) => Number(await row.locator(`td[data-input="${name}"]`).getAttribute('data-value'))));
}

describe('the analysis screens of a trained task', () => {
  it('trains a Gaussian process for the three outputs of the example', async () => {
    await readyBackend(page);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    for (const name of OUTPUTS) await page.getByLabel(name, { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('gp');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 200_000 });
    taskUrl = page.url();
    const r2 = Number(await page.locator('tr[data-output="引張強度(MPa)"] [data-testid="r2"]').textContent());
    expect(r2).toBeGreaterThan(0.9);
  }, 240_000);

  it('downloads the accuracy table as CSV', async () => {
    const { name, text } = await downloadText(page.getByTestId('download-accuracy'));
    expect(name).toMatch(/accuracy\.csv$/);
    const rows = csvRows(text);
    expect(rows[0]).toEqual(['output', 'r2', 'rmse', 'mae', 'coverage68', 'coverage95', 'std_rescaled', 'model', 'verdict', 'rows_used']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(OUTPUTS);
    const shown = Number(await page.locator('tr[data-output="コスト(円/kg)"] [data-testid="r2"]').textContent());
    expect(Number(rows[3][1])).toBeCloseTo(shown, 3);
  });

  it('analyzes the factors in the worker: Sobol bars with intervals, SHAP, dependence, interaction', async () => {
    await page.getByRole('link', { name: 'Factors' }).click();
    await page.getByTestId('factors-none').waitFor();
    await page.getByTestId('sobol-samples').fill('128');
    await page.getByTestId('shap-rows').fill('8');
    await page.getByTestId('pair-a').selectOption('充填剤(wt%)');
    await page.getByTestId('pair-b').selectOption('硬化温度(℃)');
    await page.getByTestId('run-factors').click();
    await page.getByTestId('factors-result').waitFor({ timeout: 100_000 });
    await page.getByTestId('factors-output').selectOption('引張強度(MPa)');
    const rows = page.getByTestId('sobol-table').locator('tbody tr');
    expect(await rows.count()).toBe(6);
    const totals = await Promise.all(
      INPUTS.map(async (name) => Number(await page.getByTestId('sobol-table').locator(`tr[data-var="${name}"] td`).nth(1).getAttribute('data-value'))),
    );
    for (const total of totals) expect(total).toBeGreaterThan(-0.05);
    // The filler drives strength (the CLI's explain on the same model gives a total index of 0.82).
    expect(INPUTS[totals.indexOf(Math.max(...totals))]).toBe('充填剤(wt%)');
    expect(await page.getByTestId('shap-ranking').locator('li').count()).toBe(6);
    await page.getByTestId('dependence-input').selectOption('充填剤(wt%)');
    // Charts draw on a canvas: each says when ECharts has drawn it, and its data table (opened
    // from the chart) holds what was drawn.
    const dependence = page.getByTestId('dependence');
    await dependence.locator('[data-testid="dependence-plot"][data-rendered="true"]').waitFor();
    const gridPoints = Number(await dependence.getByTestId('dependence-plot').getAttribute('data-points'));
    expect(gridPoints).toBeGreaterThan(2);
    await dependence.getByText('Data as a table').click();
    await dependence.locator('details tbody tr').first().waitFor();
    await expect(dependence.locator('details tbody tr').count()).resolves.toBe(gridPoints);
    const interaction = page.getByTestId('interaction');
    await interaction.locator('[data-testid="heat-map"][data-rendered="true"]').waitFor();
    await expect(interaction.getByTestId('heat-map').getAttribute('data-points')).resolves.toBe('100');
    await interaction.getByText('Data as a table').click();
    await interaction.locator('details tbody td').first().waitFor();
    // 10 × 10 cells.
    await expect(interaction.locator('details tbody td').count()).resolves.toBe(100);
  }, 120_000);

  it('checks equations as they are typed, with the column of the mistake', async () => {
    await page.getByRole('link', { name: 'Optimize' }).click();
    await page.getByTestId('optimize-form').waitFor();
    await page.getByTestId('add-equation').click();
    await page.getByTestId('equation-0').fill('`樹脂A(wt%)` + * 2 == 100');
    const error = page.getByTestId('equation-error-0');
    await error.waitFor();
    expect(await error.getAttribute('data-column')).toBe('14');
    expect(await page.getByTestId('run-optimize').isDisabled()).toBe(true);
    await page.getByTestId('equation-0').fill('`樹脂X` == 100');
    await expect(error.textContent()).resolves.toContain('unknown name "樹脂X"');
    await page.getByTestId('equation-0').fill(MIXTURE_EQUATION);
    await error.waitFor({ state: 'detached' });
    expect(await page.getByTestId('run-optimize').isDisabled()).toBe(false);
  });

  it('cancels a long optimization at once', async () => {
    await page.getByTestId('generations').fill('100000');
    await page.getByTestId('run-optimize').click();
    await page.getByTestId('optimize-progress').waitFor();
    await page.getByTestId('optimize-cancel').click();
    await page.getByTestId('optimize-progress').waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
  });

  it('optimizes strength against cost with the four mixture inputs at 100', async () => {
    const objectives = page.getByTestId('objectives-editor');
    await objectives.locator('[data-objective="0"] [data-field="output"]').selectOption('引張強度(MPa)');
    await objectives.locator('[data-objective="0"] [data-field="goal"]').selectOption('max');
    await objectives.locator('[data-objective="1"] [data-field="output"]').selectOption('コスト(円/kg)');
    await objectives.locator('[data-objective="1"] [data-field="goal"]').selectOption('min');
    await page.getByTestId('population').fill('40');
    await page.getByTestId('generations').fill('30');
    await page.getByTestId('run-optimize').click();
    await page.getByTestId('optimize-result').waitFor({ timeout: 100_000 });
    // Long tables render a slice per task; aria-busy goes false when every row is there.
    await page.locator('[data-testid="pareto-table"][aria-busy="false"]').waitFor();
    const rows = page.getByTestId('pareto-table').locator('tbody tr');
    const count = await rows.count();
    expect(count).toBeGreaterThan(1);
    expect(Number(await page.getByTestId('pareto-count').textContent())).toBe(count);
    for (let r = 0; r < count; r++) {
      const mixture = await numbersIn(rows.nth(r), MIXTURE);
      expect(Math.abs(mixture.reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1e-6);
    }
    const plot = page.getByTestId('pareto-plot');
    await plot.and(page.locator('[data-rendered="true"]')).waitFor();
    await expect(plot.getAttribute('data-points')).resolves.toBe(String(count));
    await plot.getByText('Data as a table').click();
    await plot.locator('details tbody tr').first().waitFor();
    await expect(plot.locator('details tbody tr button[aria-pressed]').count()).resolves.toBe(count);
  }, 120_000);

  it('sorts the Pareto table, exports it, and sends a solution to Predict', async () => {
    const table = page.getByTestId('pareto-table');
    await table.getByRole('button', { name: 'Sort by コスト(円/kg)' }).click();
    const costs = await table.locator('tbody td[data-output="コスト(円/kg)"]').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    expect(await table.locator('th[aria-sort="ascending"]').count()).toBe(1);

    const { text } = await downloadText(page.getByTestId('download-pareto'));
    const rows = csvRows(text);
    expect(rows[0]).toEqual(['solution', ...INPUTS, ...OUTPUTS.flatMap((name) => [name, `${name}_std`]), 'in_domain']);
    expect(rows).toHaveLength(costs.length + 1);
    for (const row of rows.slice(1)) {
      expect(Math.abs(row.slice(1, 5).map(Number).reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1e-6);
    }
    // Sorted as on screen.
    expect(rows.slice(1).map((row) => Number(row[7 + 2 * 2]))).toEqual(costs);

    const first = table.locator('tbody tr').first();
    await first.getByRole('button').click();
    const resinA = await first.locator('td[data-input="樹脂A(wt%)"]').getAttribute('data-value');
    await page.getByTestId('selected-solution').waitFor();
    await page.getByTestId('send-to-predict').click();
    await page.waitForURL(taskUrl);
    const field = page.locator('[data-input="樹脂A(wt%)"]');
    await expect(field.inputValue()).resolves.toBe(String(Number(resinA)));
    await page.getByTestId('prediction').locator('li[data-output="コスト(円/kg)"]').waitFor();
  });

  it('keeps factors and the Pareto set across a reload', async () => {
    await page.goto(`${taskUrl}/optimize`);
    await page.locator('[data-testid="pareto-table"][aria-busy="false"]').waitFor();
    const count = await page.getByTestId('pareto-table').locator('tbody tr').count();
    expect(count).toBeGreaterThan(1);
    expect(await page.getByTestId('equation-0').inputValue()).toBe(MIXTURE_EQUATION);
    await page.reload();
    await page.locator('[data-testid="pareto-table"][aria-busy="false"]').waitFor();
    expect(await page.getByTestId('pareto-table').locator('tbody tr').count()).toBe(count);
    await page.goto(`${taskUrl}/factors`);
    await page.getByTestId('factors-result').waitFor();
    expect(await page.getByTestId('sobol-table').locator('tbody tr').count()).toBe(6);
  });

  it('suggests the next experiments with reasons and exports the sheet with the mixture at 100', async () => {
    await page.getByRole('link', { name: 'Next experiments' }).click();
    await page.getByTestId('next-form').waitFor();
    await page.getByTestId('add-equation').click();
    await page.getByTestId('equation-0').fill(MIXTURE_EQUATION);
    await page.getByTestId('suggest-count').fill('3');
    await page.getByTestId('run-next').click();
    await page.getByTestId('next-result').waitFor({ timeout: 100_000 });
    const reasons = await page.getByTestId('next-table').getByTestId('reason').allTextContents();
    expect(reasons).toHaveLength(3);
    for (const reason of reasons) expect(reason.trim().length).toBeGreaterThan(10);

    const { name, text } = await downloadText(page.getByTestId('download-sheet'));
    expect(name).toMatch(/next-experiments\.csv$/);
    const rows = csvRows(text);
    expect(rows[0]).toEqual(['run', ...INPUTS, '引張強度(MPa)', 'コスト(円/kg)', '伸び(%)']);
    expect(rows).toHaveLength(4);
    for (const row of rows.slice(1)) {
      expect(Math.abs(row.slice(1, 5).map(Number).reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1e-6);
      expect(row.slice(7)).toEqual(['', '', '']);
    }
  }, 120_000);

  it('plans a space-filling design that keeps the mixture at 100', async () => {
    await page.getByTestId('mode-design').check();
    await page.getByTestId('design-n').fill('6');
    await page.getByTestId('run-next').click();
    await page.getByTestId('next-table').locator('tbody tr').nth(5).waitFor({ timeout: 60_000 });
    const { text } = await downloadText(page.getByTestId('download-sheet'));
    const rows = csvRows(text);
    expect(rows[0].slice(0, 7)).toEqual(['run', ...INPUTS]);
    expect(rows).toHaveLength(7);
    for (const row of rows.slice(1)) expect(Math.abs(row.slice(1, 5).map(Number).reduce((a, b) => a + b, 0) - 100)).toBeLessThan(1e-6);
  });

  it('speaks Japanese on the analysis screens', async () => {
    await page.getByLabel('Language').selectOption('ja');
    await page.getByRole('link', { name: '最適化' }).waitFor();
    await expect(page.getByTestId('run-next').textContent()).resolves.toBe('実験を計画');
    await page.getByLabel('言語').selectOption('en');
  });

  it('logged no console errors, page errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
