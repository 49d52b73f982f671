// Training throughput of the wasm MLP-ensemble kernels on one thread and with each ensemble's
// members split over worker threads (shared/engine/kernels/parallel-mlp.ts): the issue's
// 16-member shapes, a block of 32 steps per call (one call per epoch, as fitEnsemble trains),
// then a whole fitEnsemble on Friedman #1. Bar: two workers ≥ 1.7× one on 16 members.
// `npx tsx bench/threads.ts` (add --experimental-wasm-relaxed-simd to Node for the relaxed build).
// Needs two idle cores: on a machine busy with other work the split cannot show its speed.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { type MlpShape, mlpLayout } from '../shared/engine/kernels/mlp-reference.ts';
import type { MlpBlockTraining } from '../shared/engine/kernels/mlp-batches.ts';
import type { MlpEnsembleKernels } from '../shared/engine/kernels/mlp-reference.ts';
import { seededFloat32 } from '../shared/engine/kernels/self-test.ts';
import { instantiateWasmMlpKernels, supportsWasmRelaxedSimd } from '../shared/engine/kernels/wasm-mlp.ts';
import { fitEnsemble } from '../shared/engine/models/ensemble/ensemble.ts';
import { makeFriedman1 } from '../shared/engine/validate/synthetic.ts';
import { parallelWasmMlpKernels } from '../server/cli/kernels/parallel.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const POOL_ROWS = 1024;
const BLOCK = 32;

const cases = [
  { label: '10-64-64-3 b32 ×16', shape: shape(16, 10, [64, 64], 3), batch: 32 },
  { label: '8-32-32-1 b64 ×16', shape: shape(16, 8, [32, 32], 1), batch: 64 },
  { label: '10-64-64-1 b800 ×16', shape: shape(16, 10, [64, 64], 1), batch: 800 },
];

function shape(members: number, inputs: number, hidden: number[], targets: number): MlpShape {
  return { members, inputs, hidden, targets, activation: 'silu', loss: 'mse' };
}

/** Best GFLOP/s over timed windows of ≥ 100 ms within `SECONDS` (the least disturbed window). */
function blockThroughput(kernels: MlpEnsembleKernels & MlpBlockTraining, c: (typeof cases)[number]): number {
  const x = seededFloat32(POOL_ROWS * c.shape.inputs, 2);
  const y = seededFloat32(POOL_ROWS * c.shape.targets, 3);
  const params = seededFloat32(mlpLayout(c.shape).size, 1).map((v) => v * 0.3);
  const memberRows = Int32Array.from({ length: c.shape.members * POOL_ROWS }, (_, q) => q % POOL_ROWS);
  const state = kernels.createState(c.shape, params, { rows: POOL_ROWS });
  const flops = 6 * mlpLayout(c.shape).size * c.batch * BLOCK;
  let seed = 0;
  const run = (calls: number) => {
    for (let s = 0; s < calls; s++) kernels.trainSteps(state, x, y, memberRows, c.batch, BLOCK, seed++, 1e-3, 1e-4);
  };
  run(1);
  let calls = 1;
  for (;;) {
    const start = performance.now();
    run(calls);
    if (performance.now() - start > 100) break;
    calls *= 2;
  }
  let best = 0;
  const deadline = performance.now() + SECONDS * 1000;
  for (let w = 0; w < 3 || performance.now() < deadline; w++) {
    const start = performance.now();
    run(calls);
    best = Math.max(best, (flops * calls) / ((performance.now() - start) / 1000) / 1e9);
  }
  kernels.dispose(state);
  return best;
}

const relaxed = supportsWasmRelaxedSimd();
const module = new WebAssembly.Module(readFileSync(new URL(`../wasm/build/${relaxed ? 'kernels-relaxed' : 'kernels'}.wasm`, import.meta.url)));
const one = await instantiateWasmMlpKernels(module);
const two = await parallelWasmMlpKernels(module, 2, { minFlopsToSplit: 0 });
console.log(`## Ensemble members over worker threads (${one.name}; ${availableParallelism()} cores here)`);
console.log('| shape | 1 thread GFLOP/s | 2 threads GFLOP/s | 2 / 1 | bar ≥ 1.7 |');
console.log('|---|---|---|---|---|');
for (const c of cases) {
  const a = blockThroughput(one, c);
  const b = blockThroughput(two, c);
  console.log(`| ${c.label} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)}× | ${b / a >= 1.7 ? 'met' : 'missed'} |`);
}

const { x, y } = makeFriedman1(1000, 10, 1, 1);
const options = { members: 16, maxEpochs: 80, patience: 1000 };
const time = (kernels: MlpEnsembleKernels) => {
  const start = performance.now();
  const model = fitEnsemble(x, y, options, { seed: 1, kernels });
  return { seconds: (performance.now() - start) / 1000, mean: model.predict(x).mean.data };
};
const single = time(one);
const split = time(two);
const same = single.mean.every((v, i) => v === split.mean[i]);
console.log(`\nfitEnsemble, Friedman #1 1000 × 10, 16 members, 80 epochs: 1 thread ${single.seconds.toFixed(2)} s, 2 threads ${split.seconds.toFixed(2)} s (${(single.seconds / split.seconds).toFixed(2)}×); identical predictions: ${same}`);
two.close();
