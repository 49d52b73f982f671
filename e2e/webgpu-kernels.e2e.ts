// The WebGPU MLP-ensemble kernels against the plain-TS reference, in Chromium on its software
// WebGPU adapter (SwiftShader, --enable-unsafe-webgpu): slow but IEEE float32, so agreement to
// float32 rounding here says the shaders compute the right thing. The kernel modules are bundled
// with Vite and served on a routed localhost origin; the app and the server are not involved.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Compare from '../shared/engine/kernels/webgpu/compare.ts';
import { bundleModule, openModulePage } from '../shared/engine/kernels/webgpu/chromium-page.ts';
import { launchChromium } from './browser.ts';

type ShapeCase = Compare.ShapeCase;
type Kernels = Awaited<ReturnType<typeof Compare.createWebGpuMlpKernels>>;
type PageGlobals = { entry: typeof Compare; kernels: { tiled: Kernels; direct: Kernels } };
// Both forms of the matrix products: 'tiled' (what hardware GPUs run) and 'direct' (the default on
// software adapters, where workgroup barriers are slow).
const forms = ['tiled', 'direct'] as const;

// Members 1 and 16; inputs 1 to 50; hidden 8 to 128; outputs 1 to 5 (10 with the Gaussian head);
// batch 1 to 1,000. Modest sizes: the software adapter runs every workgroup on the CPU.
const shapes: ShapeCase[] = [
  { members: 1, inputs: 1, hidden: [8], targets: 1, activation: 'silu', loss: 'mse', batch: 1 },
  { members: 16, inputs: 7, hidden: [20], targets: 3, activation: 'relu', loss: 'mse', batch: 33 },
  { members: 1, inputs: 50, hidden: [64, 64], targets: 5, activation: 'silu', loss: 'mse', batch: 200 },
  { members: 16, inputs: 1, hidden: [128], targets: 1, activation: 'silu', loss: 'gaussian-nll', batch: 33 },
  { members: 1, inputs: 7, hidden: [8, 20], targets: 2, activation: 'relu', loss: 'gaussian-nll', batch: 200 },
  { members: 16, inputs: 50, hidden: [128, 64], targets: 1, activation: 'relu', loss: 'mse', batch: 1 },
  { members: 16, inputs: 10, hidden: [64, 64], targets: 3, activation: 'silu', loss: 'mse', batch: 32 },
  { members: 3, inputs: 7, hidden: [20, 8], targets: 5, activation: 'silu', loss: 'mse', batch: 33 },
  { members: 1, inputs: 10, hidden: [16], targets: 1, activation: 'silu', loss: 'mse', batch: 1000 },
];

let browser: Browser;
let page: Page;
let problems: string[];

beforeAll(async () => {
  const bundle = await bundleModule(new URL('../shared/engine/kernels/webgpu/compare.ts', import.meta.url).pathname);
  browser = await launchChromium({ webgpu: true });
  ({ page, problems } = await openModulePage(browser, bundle));
  // Chunks of 40 rows, so that inference crosses chunk boundaries at small row counts.
  await page.evaluate(async () => {
    const globals = globalThis as unknown as PageGlobals;
    const make = (matmul: 'tiled' | 'direct') => globals.entry.createWebGpuMlpKernels({ maxChunkRows: 40, matmul });
    globals.kernels = { tiled: await make('tiled'), direct: await make('direct') };
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('WebGPU MLP-ensemble kernels in Chromium', () => {
  it('run on the software adapter', async () => {
    const adapter = await page.evaluate(() => (globalThis as unknown as PageGlobals).kernels.tiled.adapter);
    expect(adapter.fallback).toBe(true);
    expect(`${adapter.vendor} ${adapter.architecture}`).toMatch(/swiftshader/i);
  });

  for (const shape of shapes) {
    it(`take the reference's training step to float32 rounding (${shape.members}× ${shape.inputs}-${shape.hidden.join('-')} ${shape.targets} targets ${shape.activation} ${shape.loss} batch ${shape.batch})`, async () => {
      for (const form of forms) {
        const report = await page.evaluate(async ({ s, form }) => {
          const { entry, kernels } = globalThis as unknown as PageGlobals;
          return entry.compareTrainingStep(kernels[form], s);
        }, { s: shape, form });
        expect(report.step).toBe(1);
        expect(report.failing, form).toEqual({ params: [], firstMoment: [], secondMoment: [] });
        expect(report.worst.firstMoment, form).toBeLessThan(1e-5);
        expect(report.moved).toBeGreaterThan(0);
      }
    });
  }

  it('predict every member and the member summary like the reference, across tiles and chunks', async () => {
    // The tiled form is slow on the software adapter: two shapes (the Gaussian head, two hidden layers).
    const casesOf = { tiled: [shapes[3], shapes[7]], direct: [shapes[2], shapes[3], shapes[4], shapes[7]] };
    for (const form of forms) {
      const reports = await page.evaluate(async ({ cases, form }) => {
        const { entry, kernels } = globalThis as unknown as PageGlobals;
        const all = [];
        for (const s of cases) all.push(...(await entry.comparePredict(kernels[form], s, [0, 1, 17, 41, 90])));
        return all;
      }, { cases: casesOf[form], form });
      expect(reports).toHaveLength(5 * casesOf[form].length);
      for (const report of reports) {
        const where = `${form}: ${report.label}, ${report.rows} rows`;
        expect(report.length, where).toBe(report.expectedLength);
        expect(report.failing, where).toEqual([]);
        expect(report.summaryFailing, `${where} (summary)`).toEqual([]);
        expect(report.worst, where).toBeLessThan(1e-5);
      }
    }
  });

  it('train a block of steps exactly as the same steps one at a time, across command buffers', async () => {
    const report = await page.evaluate(async () => {
      const { entry, kernels } = globalThis as unknown as PageGlobals;
      return entry.compareBlockTraining(kernels.direct, { members: 3, inputs: 4, hidden: [8, 8], targets: 2, activation: 'silu', loss: 'mse' }, 8, 40);
    });
    expect(report.stepAfterBlock).toBe(40);
    expect(report.differing).toBe(0);
    expect(report.moved).toBeGreaterThan(100);
  });

  it('compute SiLU to float32 accuracy far into both tails', async () => {
    const report = await page.evaluate(async () => {
      const { entry, kernels } = globalThis as unknown as PageGlobals;
      return entry.siluTails(kernels.direct);
    });
    expect(report.rows).toBe(4001);
    expect(report.failing).toEqual([]);
    expect(report.worstRelative).toBeLessThan(1e-6);
  });

  it('reuse their device buffers between calls and free them on dispose', async () => {
    const report = await page.evaluate(async () => {
      const { entry, kernels } = globalThis as unknown as PageGlobals;
      return entry.memoryReuse(kernels.direct);
    });
    expect(report.before).toBe(0);
    expect(report.afterFirstRound).toBeGreaterThan(0);
    expect(report.afterMoreRounds).toBe(report.afterFirstRound);
    expect(report.afterDispose).toBe(0);
    expect(report.disposedError).toMatch(/^RangeError: .*disposed/);
  });

  it('refuse with WebGpuUnavailableError once the device is lost', async () => {
    const report = await page.evaluate(() => (globalThis as unknown as PageGlobals).entry.lostDeviceError());
    expect(report.errorName).toBe('WebGpuUnavailableError');
    expect(report.message).toMatch(/lost/);
  });

  it('reported no errors on the console', () => {
    // The software adapter warns about performance; anything else is a problem.
    expect(problems.filter((p) => !/powerPreference|software|SwiftShader/i.test(p))).toEqual([]);
  });
});
