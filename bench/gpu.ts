// `npm run bench:gpu`: the WebGPU MLP-ensemble kernels next to our wasm kernels, in headless
// Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH). Chromium is started with the flags that
// give WebGPU a hardware adapter on Linux (Vulkan); where none comes up it is restarted on the
// software adapter (SwiftShader), which runs correctly but slowly, and the figures say so.
// BENCH_GPU_FLAGS replaces the hardware flags (space-separated); BENCH_GPU_MATMUL=tiled|direct
// forces the form of the matrix products (default: tiled on hardware); BENCH_SECONDS sets the time per
// figure (default 2 on hardware, 0 on the software adapter: one timed call after a warm-up). Training: GFLOP/s at 6 × parameters × batch per member-step, blocks of steps
// on the same mini-batch order for both kernel sets. Inference: rows per second through all members.
import { readFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { MlpShape } from '../shared/engine/kernels/mlp-reference.ts';
import { bundleModule, openModulePage } from '../shared/engine/kernels/webgpu/chromium-page.ts';
import type * as Measure from '../shared/engine/kernels/webgpu/measure.ts';
import type { WebGpuAdapterDescription } from '../shared/engine/kernels/webgpu/webgpu-mlp.ts';
import { CHROMIUM_PATH, assertChromium } from '../e2e/browser.ts';

type PageGlobals = { entry: typeof Measure; kernels: Awaited<ReturnType<typeof Measure.loadKernels>> };

const BASE_ARGS = ['--headless', '--no-sandbox', '--no-first-run', '--disable-background-networking', '--enable-unsafe-webgpu'];
const HARDWARE_ARGS = process.env.BENCH_GPU_FLAGS?.split(/\s+/).filter(Boolean) ?? [
  '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan',
  '--use-angle=vulkan',
  '--use-vulkan=native',
  '--disable-vulkan-surface',
  '--ignore-gpu-blocklist',
  '--enable-gpu',
];

const shape = (members: number, inputs: number, hidden: number[], targets: number): MlpShape =>
  ({ members, inputs, hidden, targets, activation: 'silu', loss: 'mse' });

// The shapes, then (hardware adapters only) the large-data shapes WebGPU is meant for.
const cases: Measure.TrainingCase[] = [
  { label: '10-64-64-3 b32 ×1', shape: shape(1, 10, [64, 64], 3), batch: 32 },
  { label: '10-64-64-3 b32 ×16', shape: shape(16, 10, [64, 64], 3), batch: 32 },
  { label: '8-32-32-1 b64 ×16', shape: shape(16, 8, [32, 32], 1), batch: 64 },
  { label: '10-64-64-1 b800 ×16', shape: shape(16, 10, [64, 64], 1), batch: 800 },
];
const largeCases: Measure.TrainingCase[] = [
  { label: '10-128-128-1 b1024 ×16', shape: shape(16, 10, [128, 128], 1), batch: 1024 },
  { label: '50-256-256-5 b1024 ×16', shape: shape(16, 50, [256, 256], 5), batch: 1024 },
];
const inferenceShape = shape(16, 10, [64, 64], 3);
const MATMUL = (['tiled', 'direct'] as const).find((form) => form === process.env.BENCH_GPU_MATMUL);

interface Session {
  readonly browser: Browser;
  readonly page: Page;
  readonly adapter: WebGpuAdapterDescription;
}

async function start(bundle: string, args: string[]): Promise<Session | string> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...BASE_ARGS, ...args] });
  try {
    const files = {
      '/kernels.wasm': { contentType: 'application/wasm', body: readFileSync(new URL('../wasm/build/kernels.wasm', import.meta.url)) },
      '/kernels-relaxed.wasm': { contentType: 'application/wasm', body: readFileSync(new URL('../wasm/build/kernels-relaxed.wasm', import.meta.url)) },
    };
    const { page } = await openModulePage(browser, bundle, files);
    const adapter = await page.evaluate(async (matmul) => {
      const globals = globalThis as unknown as PageGlobals;
      globals.kernels = await globals.entry.loadKernels(matmul);
      return globals.kernels.webgpu.adapter;
    }, MATMUL);
    return { browser, page, adapter };
  } catch (error) {
    await browser.close();
    return (error as Error).message.split('\n')[0];
  }
}

assertChromium();
const bundle = await bundleModule(new URL('../shared/engine/kernels/webgpu/measure.ts', import.meta.url).pathname);
let session = await start(bundle, HARDWARE_ARGS);
if (typeof session === 'string' || session.adapter.fallback) {
  console.log(`No hardware WebGPU adapter with ${HARDWARE_ARGS.join(' ')}: ${typeof session === 'string' ? session : 'only the software adapter'}`);
  if (typeof session !== 'string') await session.browser.close();
  session = await start(bundle, []);
  if (typeof session === 'string') throw new Error(`WebGPU is not available in Chromium: ${session}`);
}
const { browser, page, adapter } = session;
const software = adapter.fallback;
const SECONDS = Number(process.env.BENCH_SECONDS ?? (software ? 0 : 2));
const [wasmName, matmul] = await page.evaluate(() => {
  const { kernels } = globalThis as unknown as PageGlobals;
  return [kernels.wasm.name, kernels.webgpu.matmul];
});
console.log(`Chromium ${browser.version()}`);
console.log(`WebGPU adapter: ${[adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter(Boolean).join(' · ')}${software ? ' (software adapter: figures for correctness, not speed)' : ''}`);
console.log(`WebGPU matrix products: ${matmul}; wasm kernels: ${wasmName}; time per figure ${SECONDS} s, best timed window\n`);

// Blocks of 32 steps (one command buffer each); single steps on the software adapter, which is
// thousands of times slower. The wasm kernels always train blocks of 32 steps (one wasm call).
const blockSteps = software ? 1 : 32;
console.log(`training, SiLU, MSE, blocks of ${blockSteps} (webgpu) and 32 (wasm) steps; GFLOP/s (6 × parameters × batch per member-step)`);
console.log(['shape'.padEnd(24), 'webgpu'.padStart(9), 'wasm'.padStart(9), 'webgpu/wasm'.padStart(12)].join(' | '));
for (const c of software ? cases : [...cases, ...largeCases]) {
  const [webgpu, wasm] = await page.evaluate(async ({ c, blockSteps, seconds }) => {
    const { entry, kernels } = globalThis as unknown as PageGlobals;
    return [await entry.webGpuTraining(kernels.webgpu, c, blockSteps, seconds), await entry.wasmTraining(kernels.wasm, c, 32, Math.max(seconds, 1))];
  }, { c, blockSteps, seconds: SECONDS });
  const fmt = (v: number) => v.toFixed(v < 1 ? 3 : 1).padStart(9);
  console.log([c.label.padEnd(24), fmt(webgpu), fmt(wasm), `${(webgpu / wasm).toFixed(2)}×`.padStart(12)].join(' | '));
}
if (software) console.log('(the large-data shapes 10-128-128-1 and 50-256-256-5 at batch 1024 run on hardware adapters only)');

const rowCounts = software ? [1024] : [8192, 65_536, 262_144];
console.log(`\ninference, 16 members of 10-64-64-3; rows/s (all members; summary = mean and variances reduced on the GPU)`);
console.log(['rows'.padStart(8), 'webgpu raw'.padStart(12), 'webgpu summary'.padStart(15), 'wasm'.padStart(12)].join(' | '));
for (const rows of rowCounts) {
  const rates = await page.evaluate(async ({ shape, rows, seconds }) => {
    const { entry, kernels } = globalThis as unknown as PageGlobals;
    const modes: Measure.InferenceMode[] = ['webgpu-raw', 'webgpu-summary', 'wasm'];
    const out: number[] = [];
    for (const mode of modes) out.push(await entry.inferenceRate(kernels, mode, shape, rows, seconds));
    return out;
  }, { shape: inferenceShape, rows, seconds: SECONDS });
  const fmt = (v: number, width: number) => Math.round(v).toLocaleString('en-US').padStart(width);
  console.log([String(rows).padStart(8), fmt(rates[0], 12), fmt(rates[1], 15), fmt(rates[2], 12)].join(' | '));
}
await browser.close();
