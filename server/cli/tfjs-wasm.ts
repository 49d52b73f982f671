// TensorFlow.js on its wasm backend in Node, for the neural-network ensemble: 2–4× the
// plain-TS reference kernels here (tfjs-node is not an option: it downloads a binary).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { MlpEnsembleKernels } from '../../shared/engine/kernels/mlp-reference.ts';
import { tfjsMlpKernels } from '../../shared/engine/kernels/tfjs/mlp-tfjs.ts';

export async function wasmMlpKernels(): Promise<MlpEnsembleKernels> {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(`${join(dist)}/`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  await tf.setBackend('wasm');
  await tf.ready();
  return tfjsMlpKernels;
}
