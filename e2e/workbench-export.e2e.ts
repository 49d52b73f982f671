// Export and report on a quickly trained task of the shipped example: a chart saved as PNG,
// tables as CSV, the experiment sheet as XLSX, and the printable report with its print
// stylesheet.
import { readFileSync } from 'node:fs';
import { read, utils } from '@e965/xlsx';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const OUTPUT = '引張強度(MPa)';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let browser: Browser;
let page: Page;
let problems: string[];
let taskUrl = '';

beforeAll(async () => {
  browser = await launchChromium();
  ({ page, problems } = await openPage(await browser.newContext({ locale: 'en-US', acceptDownloads: true }), baseUrl));
});

afterAll(async () => {
  await browser?.close();
});

async function download(button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), bytes: readFileSync(await file.path()) };
}

const csvLines = (bytes: Buffer) => bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');

describe('exports and the printable report', () => {
  it('trains a linear model for one output of the example', async () => {
    await readyBackend(page);
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    await page.getByLabel(OUTPUT, { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('linear');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    taskUrl = page.url();
  }, 90_000);

  it('saves the predicted-against-actual chart as a PNG that shows the chart', async () => {
    const chart = page.getByTestId('predicted-actual').first();
    await chart.and(page.locator('[data-rendered="true"]')).waitFor();
    const { name, bytes } = await download(chart.getByTestId('export-png'));
    expect(name).toMatch(/predicted-actual\.png$/);
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    // IHDR: width and height at twice the 280 px chart (pixelRatio 2).
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([560, 560]);
    // Decoded in the page: a blank or nearly blank image would have almost no dark pixels.
    const inked = await page.evaluate(async (base64) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(image, 0, 0);
      const { data } = context.getImageData(0, 0, image.width, image.height);
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 600) dark++;
      return dark / (image.width * image.height);
    }, bytes.toString('base64'));
    expect(inked).toBeGreaterThan(0.01);
    expect(inked).toBeLessThan(0.5);
  });

  it('exports the accuracy table and the chart data as CSV with their headers', async () => {
    const accuracy = csvLines((await download(page.getByTestId('download-accuracy'))).bytes);
    expect(accuracy[0]).toBe('output,r2,rmse,mae,coverage68,coverage95,std_rescaled,model,verdict,rows_used');
    expect(accuracy[1].split(',')[0]).toBe(OUTPUT);
    const rowsUsed = Number(accuracy[1].split(',').at(-1));
    const points = csvLines((await download(page.getByTestId('predicted-actual').first().getByTestId('export-csv'))).bytes);
    expect(points[0]).toBe('row,actual,predicted,std');
    expect(points).toHaveLength(rowsUsed + 1);
  });

  it('exports the experiment sheet as XLSX with blank output columns', async () => {
    await page.goto(`${taskUrl}/next`);
    await page.getByTestId('mode-design').check();
    await page.getByTestId('design-n').fill('5');
    await page.getByTestId('run-next').click();
    await page.getByTestId('next-table').locator('tbody tr').nth(4).waitFor({ timeout: 30_000 });
    const { name, bytes } = await download(page.getByTestId('download-sheet-xlsx'));
    expect(name).toMatch(/design\.xlsx$/);
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const book = read(bytes, { type: 'buffer' });
    const rows = utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]], { header: 1, defval: null });
    const [header, ...runs] = rows;
    expect(header[0]).toBe('run');
    expect(header.at(-1)).toBe(OUTPUT);
    expect(runs).toHaveLength(5);
    for (const [i, run] of runs.entries()) {
      expect(run[0]).toBe(i + 1);
      expect(typeof run[1]).toBe('number');
      expect(run.at(-1)).toBeNull();
    }
  });

  it('shows the report with accuracy, and prints it without navigation, a section per page', async () => {
    await page.goto(taskUrl);
    await page.getByTestId('report-link').click();
    const accuracy = page.getByTestId('report-accuracy');
    await accuracy.waitFor();
    await expect(accuracy.locator(`tr[data-output="${OUTPUT}"] [data-testid="verdict"]`).textContent()).resolves.toMatch(/\w/);
    await accuracy.locator('[data-rendered="true"]').first().waitFor();
    await expect(page.getByTestId('report-plan').locator('tbody tr').count()).resolves.toBe(5);
    await expect(page.getByTestId('report-factors').textContent()).resolves.toContain('Factors have not been analyzed');

    const header = page.locator('header.bar');
    expect(await header.isVisible()).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await header.isVisible()).toBe(false);
    expect(await page.getByTestId('print-report').isVisible()).toBe(false);
    expect(await accuracy.isVisible()).toBe(true);
    await expect(accuracy.evaluate((section) => getComputedStyle(section).breakBefore)).resolves.toBe('page');
    // The charts' own buttons are for the screen only.
    expect(await accuracy.getByTestId('export-png').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    expect(await header.isVisible()).toBe(true);
  });

  it('logged no console errors, page errors or CSP violations', () => {
    expect(problems).toEqual([]);
  });
});
