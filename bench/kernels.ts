// Training throughput of the MLP-ensemble kernels, then the Gaussian-process section (bench/kernels-gp.ts): `npx tsx bench/kernels.ts` (builds nothing:
// run `node wasm/build.mjs` first; add the relaxed-SIMD build's column on Node 20 with
// `node --experimental-wasm-relaxed-simd --import tsx bench/kernels.ts`). FLOPs per member-step = 6 × parameters × batch (forward 2,
// backward 4). Our wasm kernels, the plain-TS reference, TensorFlow.js on its wasm and cpu
// backends, and numpy's float32 matmul on one core as the hardware yardstick. This machine is
// noisy: compare the ratios of one run, not absolute figures across runs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type MlpEnsembleKernels, type MlpShape, mlpLayout, referenceMlpKernels } from '../shared/engine/kernels/mlp-reference.ts';
import { seededFloat32 } from '../shared/engine/kernels/self-test.ts';
import { tfjsMlpKernels } from '../shared/engine/kernels/tfjs/mlp-tfjs.ts';
import { instantiateWasmMlpKernels, supportsWasmRelaxedSimd, type WasmMlpKernels } from '../shared/engine/kernels/wasm-mlp.ts';
import { gpKernelsSection } from './kernels-gp.ts';

const WASM_DIST = new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);
setWasmPaths(decodeURIComponent(WASM_DIST.pathname));
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

const POOL_ROWS = 1024;
const INFERENCE_ROWS = 8192;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

interface Case {
  readonly label: string;
  readonly shape: MlpShape;
  readonly batch: number;
}

const cases: Case[] = [
  { label: '10-64-64-3 b32 ×1', shape: shape(1, 10, [64, 64], 3), batch: 32 },
  { label: '10-64-64-3 b32 ×16', shape: shape(16, 10, [64, 64], 3), batch: 32 },
  { label: '8-32-32-1 b64 ×16', shape: shape(16, 8, [32, 32], 1), batch: 64 },
  { label: '10-64-64-1 b800 ×16', shape: shape(16, 10, [64, 64], 1), batch: 800 },
];

function shape(members: number, inputs: number, hidden: number[], targets: number): MlpShape {
  return { members, inputs, hidden, targets, activation: 'silu', loss: 'mse' };
}

function flopsPerStep({ shape, batch }: Case): number {
  return 6 * mlpLayout(shape).paramsPerMember * batch * shape.members;
}

/**
 * Best of repeated timed windows of at least 50 ms, in GFLOP/s; `run(n)` performs n calls. The
 * best window, not the median: other work shares these cores, and the least disturbed window is
 * the closest to what the code itself can do (numpy below is measured the same way).
 */
function throughput(flopsPerCall: number, run: (calls: number) => void, seconds: number): number {
  run(2);
  let calls = 1;
  for (;;) {
    const start = performance.now();
    run(calls);
    if (performance.now() - start > 50) break;
    calls *= 2;
  }
  let best = 0;
  let windows = 0;
  const deadline = performance.now() + seconds * 1000;
  while (windows < 3 || (performance.now() < deadline && windows < 50)) {
    const start = performance.now();
    run(calls);
    best = Math.max(best, (flopsPerCall * calls) / ((performance.now() - start) / 1000) / 1e9);
    windows++;
  }
  return best;
}

function pool(c: Case) {
  const x = seededFloat32(POOL_ROWS * c.shape.inputs, 2);
  const y = seededFloat32(POOL_ROWS * c.shape.targets, 3);
  const indices = Int32Array.from({ length: c.shape.members * c.batch }, (_, q) => (q * 37) % POOL_ROWS);
  const params = seededFloat32(mlpLayout(c.shape).size, 1).map((v) => v * 0.3);
  return { x, y, indices, params };
}

function measureSteps(kernels: MlpEnsembleKernels, c: Case, seconds: number): number {
  const { x, y, indices, params } = pool(c);
  const state = kernels.createState(c.shape, params);
  const rate = throughput(flopsPerStep(c), (n) => {
    for (let s = 0; s < n; s++) kernels.trainStep(state, x, y, indices, 1e-3, 1e-4);
    kernels.snapshot(state); // TensorFlow.js queues work: reading back waits for it.
  }, seconds);
  kernels.dispose(state);
  return rate;
}

function measureBlock(kernels: WasmMlpKernels, c: Case, seconds: number): number {
  const { x, y, params } = pool(c);
  const state = kernels.createState(c.shape, params);
  const memberRows = Int32Array.from({ length: c.shape.members * POOL_ROWS }, (_, q) => q % POOL_ROWS);
  const block = 32;
  const rate = throughput(flopsPerStep(c) * block, (n) => {
    for (let s = 0; s < n; s++) kernels.trainSteps(state, x, y, memberRows, c.batch, block, s, 1e-3, 1e-4);
  }, seconds);
  kernels.dispose(state);
  return rate;
}

function measureInference(kernels: MlpEnsembleKernels, c: Case, seconds: number): number {
  const { params } = pool(c);
  const state = kernels.createState(c.shape, params);
  const query = seededFloat32(INFERENCE_ROWS * c.shape.inputs, 4);
  const flops = 2 * mlpLayout(c.shape).paramsPerMember * INFERENCE_ROWS * c.shape.members;
  const rate = throughput(flops, (n) => {
    for (let s = 0; s < n; s++) kernels.predict(state, query, INFERENCE_ROWS);
  }, seconds);
  kernels.dispose(state);
  return rate;
}

/** numpy float32 256 × 256 matmul on one core (OpenBLAS sgemm), GFLOP/s; null without numpy. */
function numpyMatmul(): number | null {
  const script = [
    'import numpy as np, time',
    'a = np.random.rand(256, 256).astype(np.float32); b = np.random.rand(256, 256).astype(np.float32)',
    'rates = []',
    'for _ in range(15):',
    '    n = 200; t = time.perf_counter()',
    '    for _ in range(n): a @ b',
    '    rates.append(2 * 256 ** 3 * n / (time.perf_counter() - t) / 1e9)',
    'print(max(rates))',
  ].join('\n');
  const result = spawnSync('/usr/bin/python3', ['-c', script], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) return null;
  return Number(result.stdout.trim());
}

const ours = await instantiateWasmMlpKernels(readFileSync(new URL('../wasm/build/kernels.wasm', import.meta.url)));
const relaxed = supportsWasmRelaxedSimd()
  ? await instantiateWasmMlpKernels(readFileSync(new URL('../wasm/build/kernels-relaxed.wasm', import.meta.url)))
  : null;
const numpy = numpyMatmul();
console.log(numpy === null
  ? 'numpy float32 matmul: skipped (no numpy for /usr/bin/python3)'
  : `numpy float32 matmul 256×256, one core: ${numpy.toFixed(1)} GFLOP/s`);
if (!relaxed) console.log('relaxed SIMD: not available here (Node 20: --experimental-wasm-relaxed-simd)');
console.log('training, SiLU, MSE; GFLOP/s (6 × parameters × batch per member-step), best of timed windows\n');

const fmt = (v: number, width: number) => v.toFixed(v < 1 ? 3 : 1).padStart(width);
const ratio = (a: number, b: number | null, width: number) => (b === null ? '—' : (a / b).toFixed(2)).padStart(width);
const columns = [
  'wasm step', 'wasm block', ...(relaxed ? ['relaxed block'] : []), 'reference', 'tfjs-wasm', 'tfjs-cpu',
  'block/numpy', ...(relaxed ? ['relaxed/numpy'] : []), 'block/tfjs-wasm', ...(relaxed ? ['relaxed/tfjs-wasm'] : []),
];
/** Per shape: plain and relaxed block throughput and TensorFlow.js wasm's, for the bars below. */
const figures: { label: string; block: number; relaxed: number | null; tfWasm: number }[] = [];
console.log(['shape'.padEnd(20), ...columns].join(' | '));
/** Each variant is measured in ROUNDS interleaved turns (the best one counts), so that a spell of
 * load from other work on the machine does not fall on one variant only. */
const ROUNDS = 3;
for (const c of cases) {
  const variants: { backend?: 'wasm' | 'cpu'; measure: () => number }[] = [
    { measure: () => measureSteps(ours, c, SECONDS / ROUNDS) },
    { measure: () => measureBlock(ours, c, SECONDS / ROUNDS) },
    ...(relaxed ? [{ measure: () => measureBlock(relaxed, c, SECONDS / ROUNDS) }] : []),
    { measure: () => measureSteps(referenceMlpKernels, c, SECONDS / 2 / ROUNDS) },
    { backend: 'wasm', measure: () => measureSteps(tfjsMlpKernels, c, SECONDS / ROUNDS) },
    { backend: 'cpu', measure: () => measureSteps(tfjsMlpKernels, c, SECONDS / 2 / ROUNDS) },
  ];
  const best = variants.map(() => 0);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, variant] of variants.entries()) {
      if (variant.backend) {
        await tf.setBackend(variant.backend);
        await tf.ready();
      }
      best[i] = Math.max(best[i], variant.measure());
    }
  }
  const block = best[1];
  const relaxedBlock = relaxed ? best[2] : null;
  const tfWasm = best[variants.length - 2];
  figures.push({ label: c.label, block, relaxed: relaxedBlock, tfWasm });
  const cells = best.map((v, i) => fmt(v, columns[i].length));
  console.log([
    c.label.padEnd(20), ...cells, ratio(block, numpy, 11), ...(relaxedBlock !== null ? [ratio(relaxedBlock, numpy, 13)] : []),
    `${(block / tfWasm).toFixed(1)}×`.padStart(15), ...(relaxedBlock !== null ? [`${(relaxedBlock / tfWasm).toFixed(1)}×`.padStart(17)] : []),
  ].join(' | '));
}

// The bars of the kernels issue, from the figures above.
const big = figures[figures.length - 1];
const verdict = (ok: boolean) => (ok ? 'met' : 'missed');
if (numpy !== null) {
  console.log(`\nbar, ${big.label} against numpy: plain ${(big.block / numpy).toFixed(2)} (≥ 0.25: ${verdict(big.block / numpy >= 0.25)})` +
    (big.relaxed !== null ? `, relaxed ${(big.relaxed / numpy).toFixed(2)} (≥ 0.35: ${verdict(big.relaxed / numpy >= 0.35)})` : ''));
}
const worstPlain = Math.min(...figures.map((f) => f.block / f.tfWasm));
const worstRelaxed = relaxed ? Math.min(...figures.map((f) => f.relaxed! / f.tfWasm)) : null;
console.log(`bar, every shape against TensorFlow.js wasm (≥ 15×): plain SIMD at least ${worstPlain.toFixed(1)}× (${verdict(worstPlain >= 15)})` +
  (worstRelaxed !== null
    ? `, relaxed SIMD (what Chromium, and Node with --experimental-wasm-relaxed-simd as npm start and sigma run, use) at least ${worstRelaxed.toFixed(1)}× (${verdict(worstRelaxed >= 15)})`
    : ''));

const inference = cases[1];
const inferenceKernels: [string, WasmMlpKernels][] = [['wasm', ours]];
if (relaxed) inferenceKernels.push(['relaxed', relaxed]);
console.log(`\ninference, 16 members of 10-64-64-3 on ${INFERENCE_ROWS} rows (2 × parameters per member-row), GFLOP/s:`);
for (const [name, kernels] of inferenceKernels) console.log(`  ${name}: ${fmt(measureInference(kernels, inference, SECONDS), 6)}`);

await gpKernelsSection(SECONDS);
