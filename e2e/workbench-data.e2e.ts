// The dataset screen on a 10,000-row table in Chromium: the virtualized grid read to its last
// row by keyboard, a column switched from numeric to categorical and to "ignore" (stored with
// the dataset, seen in the statistics, the heat map and the task's inputs), histograms, the
// correlation heat map, no long main-thread task, and projects moved into folders.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchPersistentChromium, openPage, readyBackend } from './browser.ts';

const baseUrl = inject('baseUrl');
const ROWS = 10_000;
const HEADER = ['sample', 'temp', 'time', 'grade', 'line', 'strength'];

/** A deterministic table: an ID, three numeric inputs (grade takes 1–3), a text category, and an output missing on every 100th row. */
function makeRows(): string[][] {
  let state = 12345;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: ROWS }, (_, i) => {
    const temp = Math.round((150 + 50 * random()) * 10) / 10;
    const time = Math.round(10 + 50 * random());
    const grade = 1 + (i % 3);
    const line = ['A', 'B', 'C'][Math.floor(random() * 3)];
    const strength = (i + 1) % 100 === 0 ? '' : (0.4 * temp - 0.1 * time + 5 * grade + random()).toFixed(2);
    return [`S-${String(i + 1).padStart(5, '0')}`, String(temp), String(time), String(grade), line, strength];
  });
}

const rows = makeRows();
/** A cell as the grid shows it: numbers as the values read (91.90 is 91.9), text as written. */
const asShown = (cell: string) => (cell !== '' && Number.isFinite(Number(cell)) ? String(Number(cell)) : cell);
const csv = [HEADER, ...rows].map((r) => r.join(',')).join('\n') + '\n';

let csvPath: string;
let context: BrowserContext;
let page: Page;
let problems: string[];
let profile: string;

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'sigma-profile-'));
  csvPath = join(profile, 'runs.csv');
  writeFileSync(csvPath, csv);
  context = await launchPersistentChromium(profile, { locale: 'en-US' });
  ({ page, problems } = await openPage(context, baseUrl));
  // Short enough that the heat map starts below the fold, drawn when scrolled to.
  await page.setViewportSize({ width: 1280, height: 600 });
});

afterAll(async () => {
  await context?.close();
  rmSync(profile, { recursive: true, force: true });
});

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Runs `action` under a Chromium trace and returns the page's main-thread tasks over 20 ms of
 * wall time, with their CPU time. The goal is no task over 50 ms; on this shared 2-core machine
 * (load average 12–18 while others build and test) wall time is 4–20 times the CPU time, so the
 * assertion is on the CPU time the thread really spent, and both are printed.
 */
async function mainThreadTasks(action: () => Promise<void>): Promise<{ wall: number; cpu: number; top: string }[]> {
  const cdp = await context.newCDPSession(page);
  const events: TraceEvent[] = [];
  // The protocol types trace events as plain objects; these are the fields read here.
  cdp.on('Tracing.dataCollected', (payload) => void events.push(...(payload.value as unknown as TraceEvent[])));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'toplevel'] }, transferMode: 'ReportEvents' });
  await action();
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 100))));
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  // The renderer main thread that ran the most script is the page's.
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const calls = new Map<string, number>();
  for (const e of events) if (e.name === 'FunctionCall' && mains.has(`${e.pid}:${e.tid}`)) calls.set(`${e.pid}:${e.tid}`, (calls.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const main = [...calls.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask');
  // The trace did see the page's thread at work (an empty list below is a real result).
  expect(tasks.length).toBeGreaterThan(5);
  const onMain = events.filter((e) => `${e.pid}:${e.tid}` === main && e.ph === 'X');
  return tasks
    .filter((task) => (task.dur ?? 0) > 20_000)
    .map((task) => {
      // What the task spent its CPU on, by the trace's event names (script, layout, paint…).
      const spent = new Map<string, number>();
      for (const e of onMain) {
        if (e === task || e.ts < task.ts || e.ts + (e.dur ?? 0) > task.ts + (task.dur ?? 0) || !/^(FunctionCall|Layout|UpdateLayoutTree|Paint|ParseHTML|v8\.|MinorGC|MajorGC|EvaluateScript|HandlePostMessage)/.test(e.name)) continue;
        spent.set(e.name, (spent.get(e.name) ?? 0) + (e.tdur ?? 0) / 1000);
      }
      const top = [...spent.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, ms]) => `${name} ${Math.round(ms)}`);
      return { wall: Math.round((task.dur ?? 0) / 1000), cpu: Math.round((task.tdur ?? 0) / 1000), top: top.join(', ') };
    });
}

/**
 * None over 100 ms of CPU and at most one over 50, the tolerance of workbench-browser.e2e.ts: the
 * CPU time of a thread sharing two cores with a dozen busy processes stretches too (the same
 * task measured 34 to 59 ms across runs).
 */
function expectShortTasks(tasks: { wall: number; cpu: number; top: string }[], what: string): void {
  console.log(`main-thread tasks over 20 ms wall (${what}): ${JSON.stringify(tasks)}`);
  expect(tasks.filter((task) => task.cpu > 100), what).toEqual([]);
  expect(tasks.filter((task) => task.cpu > 50).length, what).toBeLessThanOrEqual(1);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now (as in a11y.e2e.ts). */
async function axeViolations(): Promise<string[]> {
  await page.evaluate(axeSource);
  const found = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  })) as { id: string; impact: string | null; nodes: { target: string[] }[] }[];
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const columnRow = (name: string) => page.getByTestId('summary-table').locator(`tbody tr[data-column="${name}"]`);

describe('the dataset screen on 10,000 rows', () => {
  it('imports the table, shows statistics and histograms, and reads the last row of the grid by keyboard', async () => {
    await readyBackend(page);
    await page.getByTestId('new-project-name').fill('Ten thousand');
    await page.getByTestId('create-project').click();
    await page.getByTestId('project-name').waitFor();
    const grid = page.getByTestId('data-grid');
    const importing = await mainThreadTasks(async () => {
      const started = Date.now();
      // By path: the browser reads the file itself (a buffer would be passed through page script).
      await page.getByTestId('file-input').setInputFiles(csvPath);
      await grid.waitFor();
      await page.getByTestId('start-training').waitFor();
      console.log(`import to grid: ${Date.now() - started} ms`);
    });
    expectShortTasks(importing, 'import: statistics, grid and task editor');
    expect(await page.getByTestId('summary-caption').textContent()).toBe(`runs.csv: ${ROWS} rows (utf-8)`);
    expect(await grid.getAttribute('data-rows')).toBe(String(ROWS));
    expect(await grid.getAttribute('aria-rowcount')).toBe(String(ROWS + 1));
    // Only the rows in view (plus a few) are in the document.
    expect(Number(await grid.getAttribute('data-rendered'))).toBeLessThan(40);
    expect(await grid.locator('[role="row"]').count()).toBeLessThan(41);

    // Kinds as detected, and the missing outputs (every 100th row).
    expect(await columnRow('sample').locator('td').first().textContent()).toBe('ID');
    expect(await columnRow('grade').locator('td').first().textContent()).toBe('numeric');
    expect(await columnRow('strength').getByTestId('missing').textContent()).toBe('100');
    // A histogram per numeric column whose bins hold every value; the text column shows its labels' counts.
    const tempBins = (await columnRow('temp').getByTestId('histogram').getAttribute('data-counts'))!.split(',').map(Number);
    expect(tempBins).toHaveLength(16);
    expect(tempBins.reduce((a, b) => a + b, 0)).toBe(ROWS);
    const lineCounts = (await columnRow('line').getByTestId('histogram').getAttribute('data-counts'))!.split(',').map(Number);
    const expectedLines = ['A', 'B', 'C'].map((label) => rows.filter((r) => r[4] === label).length).sort((a, b) => b - a);
    expect(lineCounts).toEqual(expectedLines);

    // The correlation heat map of the numeric columns that vary, drawn when scrolled to. Its
    // chart library's first start is the chart component's cost: printed, not asserted here.
    const drawing = await mainThreadTasks(async () => {
      await page.getByTestId('correlation').scrollIntoViewIfNeeded();
      await page.getByRole('img', { name: 'Correlation of the numeric columns' }).waitFor();
    });
    console.log(`main-thread tasks over 20 ms wall (heat map, the page's first chart): ${JSON.stringify(drawing)}`);
    expect(await page.getByTestId('correlation-columns').locator('li').allTextContents()).toEqual(['temp', 'time', 'grade', 'strength']);
    // The whole screen, grid and heat map drawn, passes axe.
    expect(await axeViolations()).toEqual([]);

    // Keyboard: into the grid, Ctrl+End to the last cell, Home to its row number.
    await grid.focus();
    const last = grid.locator(`[role="row"][aria-rowindex="${ROWS + 1}"]`);
    const moving = await mainThreadTasks(async () => {
      await page.keyboard.press('Control+End');
      await last.waitFor();
      await page.keyboard.press('PageUp');
      await page.keyboard.press('Control+Home');
      await grid.evaluate((element) => (element.scrollTop = 5_000 * 28));
      await grid.locator('[role="row"][aria-rowindex="5002"]').waitFor();
      await page.keyboard.press('Control+End');
    });
    expectShortTasks(moving, 'keyboard and scrolling');
    expect(await last.locator('[role="gridcell"]').allTextContents()).toEqual(rows[ROWS - 1].map(asShown));
    const activeId = await grid.getAttribute('aria-activedescendant');
    expect(await page.locator(`[id="${activeId}"]`).textContent()).toBe(asShown(rows[ROWS - 1][5]));
    await page.keyboard.press('Home');
    expect(await page.locator(`[id="${await grid.getAttribute('aria-activedescendant')}"]`).textContent()).toBe(String(ROWS));
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator(`[id="${await grid.getAttribute('aria-activedescendant')}"]`).textContent()).toBe(rows[ROWS - 2][0]);
    // In a narrow window only the columns in view are rendered too, and End reaches the last one.
    await page.setViewportSize({ width: 520, height: 600 });
    const narrowRow = grid.locator(`[role="row"][aria-rowindex="${ROWS}"]`);
    // The grid re-windows its columns after the resize (a frame or more later); then End.
    await expect.poll(() => narrowRow.locator('[role="gridcell"]').count()).toBeLessThan(HEADER.length);
    await page.keyboard.press('End');
    const activeText = async () => {
      const id = await grid.getAttribute('aria-activedescendant');
      return id ? page.locator(`[id="${id}"]`).textContent() : null;
    };
    await expect.poll(activeText, { timeout: 10_000 }).toBe(asShown(rows[ROWS - 2][5]));
    await expect.poll(() => narrowRow.locator('[role="gridcell"]').count()).toBeLessThan(HEADER.length);
    expect(await narrowRow.locator('[role="gridcell"]').last().textContent()).toBe(asShown(rows[ROWS - 2][5]));
    await page.setViewportSize({ width: 1280, height: 600 });
    // Scrolled (as by the wheel) to the middle: those rows are rendered.
    await grid.evaluate((element) => (element.scrollTop = 5_000 * 28));
    await grid.locator('[role="row"][aria-rowindex="5002"]').waitFor();
    expect(await grid.locator('[role="row"][aria-rowindex="5002"] [role="gridcell"]').first().textContent()).toBe(rows[5_000][0]);
  });

  it('switches a numeric column to categorical and another to ignore, and keeps the choice', async () => {
    await page.getByLabel('strength', { exact: true }).check();
    expect(JSON.parse((await page.getByTestId('task-inputs').getAttribute('data-inputs'))!)).toEqual(['temp', 'time', 'grade', 'line']);

    const switching = await mainThreadTasks(async () => {
      await columnRow('grade').getByTestId('column-use').selectOption('categorical');
      await columnRow('grade').locator('td').first().filter({ hasText: 'categorical' }).waitFor();
    });
    expectShortTasks(switching, 'switching a column: read again in the worker, statistics, grid and heat map redrawn');
    // Three labels now, no histogram bins; gone from the heat map and from the outputs, still an input (one-hot).
    expect(await columnRow('grade').locator('td').nth(8).textContent()).toBe('3');
    await expect.poll(() => page.getByTestId('correlation-columns').locator('li').allTextContents()).toEqual(['temp', 'time', 'strength']);
    expect(await page.getByLabel('grade', { exact: true }).count()).toBe(0);

    await columnRow('time').getByTestId('column-use').selectOption('ignore');
    await columnRow('time').and(page.locator('[data-use="ignore"]')).waitFor();
    expect(JSON.parse((await page.getByTestId('task-inputs').getAttribute('data-inputs'))!)).toEqual(['temp', 'grade', 'line']);
    expect(await page.getByLabel('time', { exact: true }).count()).toBe(0);

    // Stored with the dataset: a reload reads it the same way.
    await page.reload();
    await page.getByTestId('data-grid').waitFor();
    expect(await columnRow('grade').locator('td').first().textContent()).toBe('categorical');
    expect(await columnRow('grade').getByTestId('column-use').inputValue()).toBe('categorical');
    expect(await columnRow('time').getByTestId('column-use').inputValue()).toBe('ignore');

    // The model takes them so: grade as a category (a menu of its labels in the prediction form), time left out.
    const projectUrl = page.url();
    await page.getByLabel('strength', { exact: true }).check();
    await page.getByTestId('model-choice').selectOption('linear');
    await page.getByLabel('Folds').fill('2');
    await page.getByTestId('start-training').click();
    await page.getByTestId('task-status').and(page.locator('[data-status="done"]')).waitFor({ timeout: 60_000 });
    const fields = page.locator('[data-input]');
    await fields.first().waitFor();
    expect(await fields.evaluateAll((elements) => elements.map((e) => `${e.getAttribute('data-input')}:${e.tagName.toLowerCase()}`))).toEqual([
      'temp:input',
      'grade:select',
      'line:select',
    ]);
    expect(await page.locator('select[data-input="grade"] option').allTextContents()).toEqual(['1', '2', '3']);
    await page.goto(projectUrl);
    await page.getByTestId('data-grid').waitFor();

    // Back to numeric as detected: the override is dropped.
    await columnRow('grade').getByTestId('column-use').selectOption('numeric');
    await columnRow('grade').locator('td').first().filter({ hasText: 'numeric' }).waitFor();
    await expect.poll(() => page.getByTestId('correlation-columns').locator('li').allTextContents()).toEqual(['temp', 'time', 'grade', 'strength']);
  });

  it('creates and renames a folder, moves the project into it and filters by folder', async () => {
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.getByTestId('project-list').waitFor();
    await page.getByTestId('new-folder-name').fill('Polymers');
    await page.getByTestId('create-folder').click();
    // A new folder is shown at once, and it is empty.
    await page.getByText('No projects yet').waitFor();
    page.once('dialog', (dialog) => void dialog.accept('Resins'));
    await page.getByTestId('rename-folder').click();
    await page.getByTestId('folder-filter').locator('option', { hasText: 'Resins' }).waitFor({ state: 'attached' });

    await page.getByTestId('folder-filter').selectOption({ label: 'All projects' });
    await page.getByLabel('Folder of the project: Ten thousand').selectOption({ label: 'Resins' });
    await page.getByTestId('folder-filter').selectOption({ label: 'Resins' });
    await page.getByTestId('project-list').getByRole('link', { name: 'Ten thousand' }).waitFor();
    expect(await axeViolations()).toEqual([]);
    await page.getByTestId('folder-filter').selectOption({ label: 'Not in a folder' });
    await page.getByText('No projects yet').waitFor();

    // Search and the folder filter together.
    await page.getByTestId('folder-filter').selectOption({ label: 'Resins' });
    await page.getByTestId('project-search').fill('thousand');
    expect(await page.getByTestId('project-list').locator('li').count()).toBe(1);
    await page.getByTestId('project-search').fill('nothing like it');
    await page.getByText('No projects yet').waitFor();
    expect(problems).toEqual([]);
  });
});
