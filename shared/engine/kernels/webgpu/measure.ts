// Throughput of the WebGPU kernels next to our wasm kernels, measured inside a browser page:
// bench/gpu.ts (`npm run bench:gpu`) loads this module into Chromium and prints the figures.
// Training: GFLOP/s at 6 × parameters × batch FLOPs per member-step (forward 2, backward 4), both
// kernel sets training blocks of steps on the same mini-batch order. Inference: rows per second
// through all members.
import { type MlpShape, mlpLayout } from '../mlp-reference.ts';
import { seededFloat32 } from '../self-test.ts';
import { instantiateWasmMlpKernels, supportsWasmRelaxedSimd, type WasmMlpKernels } from '../wasm-mlp.ts';
import type { MatmulForm } from './shaders.ts';
import { type WebGpuMlpKernels, createWebGpuMlpKernels } from './webgpu-mlp.ts';

export interface TrainingCase {
  readonly label: string;
  readonly shape: MlpShape;
  readonly batch: number;
}

const POOL_ROWS = 1024;

function flopsPerStep({ shape, batch }: TrainingCase): number {
  return 6 * mlpLayout(shape).paramsPerMember * batch * shape.members;
}

/**
 * Best of timed windows of at least `windowMs`, in units per second; `run(n)` performs n calls of
 * `unitsPerCall`. After a warm-up call, the calls per window double until a window lasts windowMs;
 * up to two more windows follow while `seconds` last. The best window: other work shares the
 * machine, the least disturbed is closest to what the code can do.
 */
async function bestRate(unitsPerCall: number, run: (calls: number) => Promise<void>, seconds: number, windowMs = 100): Promise<number> {
  await run(1);
  let calls = 1;
  const deadline = performance.now() + seconds * 1000;
  for (;;) {
    const start = performance.now();
    await run(calls);
    const elapsed = performance.now() - start;
    if (elapsed > windowMs) {
      let best = (unitsPerCall * calls) / (elapsed / 1000);
      for (let window = 1; window < 3 && performance.now() < deadline; window++) {
        const t = performance.now();
        await run(calls);
        best = Math.max(best, (unitsPerCall * calls) / ((performance.now() - t) / 1000));
      }
      return best;
    }
    calls *= 2;
  }
}

function trainingData(c: TrainingCase) {
  const x = seededFloat32(POOL_ROWS * c.shape.inputs, 2);
  const y = seededFloat32(POOL_ROWS * c.shape.targets, 3);
  const params = seededFloat32(mlpLayout(c.shape).size, 1).map((v) => v * 0.3);
  const memberRows = Int32Array.from({ length: c.shape.members * POOL_ROWS }, (_, q) => q % POOL_ROWS);
  return { x, y, params, memberRows };
}

/**
 * GFLOP/s of WebGPU trainSteps in blocks of `blockSteps` (a call resolves when the device has
 * finished); a software adapter wants short blocks to finish in reasonable time.
 */
export async function webGpuTraining(kernels: WebGpuMlpKernels, c: TrainingCase, blockSteps: number, seconds: number): Promise<number> {
  const { x, y, params, memberRows } = trainingData(c);
  const state = kernels.createState(c.shape, params);
  let seed = 0;
  const rate = await bestRate(flopsPerStep(c) * blockSteps, async (n) => {
    for (let s = 0; s < n; s++) await kernels.trainSteps(state, x, y, memberRows, c.batch, blockSteps, seed++, 1e-3, 1e-4);
  }, seconds);
  kernels.dispose(state);
  return rate / 1e9;
}

/** GFLOP/s of the wasm kernels' trainSteps, in blocks of `blockSteps`. */
export async function wasmTraining(kernels: WasmMlpKernels, c: TrainingCase, blockSteps: number, seconds: number): Promise<number> {
  const { x, y, params, memberRows } = trainingData(c);
  const state = kernels.createState(c.shape, params);
  let seed = 0;
  const rate = await bestRate(flopsPerStep(c) * blockSteps, async (n) => {
    for (let s = 0; s < n; s++) kernels.trainSteps(state, x, y, memberRows, c.batch, blockSteps, seed++, 1e-3, 1e-4);
  }, seconds);
  kernels.dispose(state);
  return rate / 1e9;
}

export type InferenceMode = 'webgpu-raw' | 'webgpu-summary' | 'wasm';

/** Rows per second through every member: raw outputs read back, or (WebGPU) only the member summary. */
export async function inferenceRate(
  kernels: { webgpu: WebGpuMlpKernels; wasm: WasmMlpKernels },
  mode: InferenceMode,
  shape: MlpShape,
  rows: number,
  seconds: number,
): Promise<number> {
  const params = seededFloat32(mlpLayout(shape).size, 1).map((v) => v * 0.3);
  const query = seededFloat32(rows * shape.inputs, 4);
  if (mode === 'wasm') {
    const state = kernels.wasm.createState(shape, params);
    const rate = await bestRate(rows, async (n) => {
      for (let s = 0; s < n; s++) kernels.wasm.predict(state, query, rows);
    }, seconds);
    kernels.wasm.dispose(state);
    return rate;
  }
  const state = kernels.webgpu.createState(shape, params);
  const rate = await bestRate(rows, async (n) => {
    for (let s = 0; s < n; s++) {
      if (mode === 'webgpu-raw') await kernels.webgpu.predict(state, query, rows);
      else await kernels.webgpu.predictSummary(state, query, rows);
    }
  }, seconds);
  kernels.webgpu.dispose(state);
  return rate;
}

/** Both kernel sets; the wasm build with relaxed SIMD where the browser validates it. */
export async function loadKernels(matmul?: MatmulForm): Promise<{ webgpu: WebGpuMlpKernels; wasm: WasmMlpKernels }> {
  const wasmUrl = supportsWasmRelaxedSimd() ? '/kernels-relaxed.wasm' : '/kernels.wasm';
  const wasm = await instantiateWasmMlpKernels(await (await fetch(wasmUrl)).arrayBuffer());
  return { webgpu: await createWebGpuMlpKernels({ matmul }), wasm };
}
