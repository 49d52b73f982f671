// Accessibility: axe-core finds no serious or critical violation on any screen.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let browser: Browser;
let page: Page;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Serious and critical violations on the current page, as readable lines. */
async function violations(): Promise<string[]> {
  // The test evaluates axe through the DevTools protocol; the page's CSP stays in force.
  await page.evaluate(axeSource);
  const { found, passes } = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[]; passes: unknown[] }> } }).axe;
    const result = await axe.run();
    return { found: result.violations, passes: result.passes.length };
  })) as { found: AxeViolation[]; passes: number };
  // axe really ran its rules on this page.
  expect(passes).toBeGreaterThan(10);
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

beforeAll(async () => {
  browser = await launchChromium();
  page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(baseUrl);
  await readyBackend(page);
});

afterAll(async () => {
  await browser?.close();
});

describe('accessibility (axe-core)', () => {
  it('projects screen', async () => {
    expect(await violations()).toEqual([]);
  });

  it('project screen with the example imported', async () => {
    await page.getByTestId('open-example').click();
    await page.getByTestId('summary-table').waitFor();
    expect(await violations()).toEqual([]);
  });

  it('task screens: accuracy and prediction, factors, optimize, next experiments, report', async () => {
    await page.getByLabel('引張強度(MPa)').check();
    await page.getByTestId('model-choice').selectOption('linear');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 90_000 });
    await page.getByTestId('prediction').waitFor();
    expect(await violations()).toEqual([]);
    const taskUrl = page.url();
    for (const screen of ['factors', 'optimize', 'next']) {
      await page.goto(`${taskUrl}/${screen}`);
      await page.locator('h2').first().waitFor();
      expect(await violations(), screen).toEqual([]);
    }
    // The printable report, with its chart drawn and a chart's data table open.
    await page.goto(`${taskUrl}/report`);
    await page.getByTestId('report-accuracy').locator('[data-rendered="true"]').first().waitFor();
    await page.getByTestId('report-accuracy').getByText('Data as a table').first().click();
    await page.getByTestId('report-accuracy').locator('details table').first().waitFor();
    expect(await violations(), 'report').toEqual([]);
  });

  it('settings screen', async () => {
    await page.goto(`${baseUrl}/settings`);
    await page.locator('h2').first().waitFor();
    expect(await violations()).toEqual([]);
  });

  it('Japanese screens too', async () => {
    await page.goto(baseUrl);
    await page.getByLabel('Language').selectOption('ja');
    await page.getByTestId('project-list').waitFor();
    expect(await violations()).toEqual([]);
  });
});
