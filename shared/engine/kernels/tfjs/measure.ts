// Throughput of the MLP-ensemble kernels: `npx tsx shared/engine/kernels/tfjs/measure.ts`.
// Informational, not a test. FLOPs per member-step = 6 × parameters × batch (forward 2, backward 4).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type MlpEnsembleKernels, type MlpShape, mlpLayout, referenceMlpKernels } from '../mlp-reference.ts';
import { seededFloat32 } from '../self-test.ts';
import { tfjsMlpKernels } from './mlp-tfjs.ts';

const WASM_DIST = new URL('../../../../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url);
setWasmPaths(decodeURIComponent(WASM_DIST.pathname));
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

const MEMBERS = 16;
const BATCH = 32;
const POOL_ROWS = 1024;
const INFERENCE_ROWS = 8192;

function measure(kernels: MlpEnsembleKernels, shape: MlpShape, seconds: number): { train: number; inference: number } {
  const layout = mlpLayout(shape);
  const params = seededFloat32(layout.size, 1).map((v) => v * 0.3);
  const x = seededFloat32(POOL_ROWS * shape.inputs, 2);
  const y = seededFloat32(POOL_ROWS * shape.targets, 3);
  const state = kernels.createState(shape, params);
  const indices = Int32Array.from({ length: MEMBERS * BATCH }, (_, q) => (q * 37) % POOL_ROWS);
  for (let s = 0; s < 3; s++) kernels.trainStep(state, x, y, indices, 1e-3, 1e-4);
  let steps = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    kernels.trainStep(state, x, y, indices, 1e-3, 1e-4);
    steps++;
  }
  kernels.snapshot(state);
  const trainSeconds = (performance.now() - start) / 1000;
  const query = seededFloat32(INFERENCE_ROWS * shape.inputs, 4);
  kernels.predict(state, query, INFERENCE_ROWS);
  let calls = 0;
  const inferenceStart = performance.now();
  while (performance.now() - inferenceStart < seconds * 500) {
    kernels.predict(state, query, INFERENCE_ROWS);
    calls++;
  }
  const inferenceSeconds = (performance.now() - inferenceStart) / 1000;
  kernels.dispose(state);
  const perMember = layout.paramsPerMember;
  return {
    train: (6 * perMember * BATCH * MEMBERS * steps) / trainSeconds / 1e9,
    inference: (2 * perMember * INFERENCE_ROWS * MEMBERS * calls) / inferenceSeconds / 1e9,
  };
}

const variants: { name: string; backend?: 'cpu' | 'wasm'; kernels: MlpEnsembleKernels }[] = [
  { name: 'reference TS', kernels: referenceMlpKernels },
  { name: 'tfjs-wasm', backend: 'wasm', kernels: tfjsMlpKernels },
  { name: 'tfjs-cpu', backend: 'cpu', kernels: tfjsMlpKernels },
];

console.log(`10-64-64-3, batch ${BATCH}, ${MEMBERS} members; inference over ${INFERENCE_ROWS} rows (GFLOP/s)`);
for (const activation of ['relu', 'silu'] as const) {
  const shape: MlpShape = { members: MEMBERS, inputs: 10, hidden: [64, 64], targets: 3, activation, loss: 'mse' };
  for (const variant of variants) {
    if (variant.backend) {
      await tf.setBackend(variant.backend);
      await tf.ready();
    }
    const { train, inference } = measure(variant.kernels, shape, 3);
    console.log(`${activation.padEnd(5)} ${variant.name.padEnd(13)} train ${train.toFixed(2).padStart(6)}   inference ${inference.toFixed(2).padStart(6)}`);
  }
}
