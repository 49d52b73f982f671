// The kernels the neural-network ensemble trains with on Node: our fused wasm build
// (relaxed SIMD where this Node accepts it), 15–40× TensorFlow.js wasm on our shapes.
import { readFileSync } from 'node:fs';
import type { MlpEnsembleKernels } from '../../shared/engine/kernels/mlp-reference.ts';
import { instantiateWasmMlpKernels, supportsWasmRelaxedSimd } from '../../shared/engine/kernels/wasm-mlp.ts';

export async function nodeMlpKernels(): Promise<MlpEnsembleKernels> {
  const file = supportsWasmRelaxedSimd() ? 'kernels-relaxed.wasm' : 'kernels.wasm';
  return instantiateWasmMlpKernels(readFileSync(new URL(`../../wasm/build/${file}`, import.meta.url)));
}
