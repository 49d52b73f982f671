// The kernels Gaussian processes fit with on Node: our wasm build (wasm/assembly/gp.ts; relaxed
// SIMD where this Node accepts it), 4–6× the plain-TS linear algebra on a fit of 800 rows.
import { readFileSync } from 'node:fs';
import type { GpKernels } from '../../shared/engine/models/gp.ts';
import { instantiateWasmGpKernels } from '../../shared/engine/kernels/wasm-gp.ts';
import { supportsWasmRelaxedSimd } from '../../shared/engine/kernels/wasm-mlp.ts';

export async function nodeGpKernels(): Promise<GpKernels> {
  const file = supportsWasmRelaxedSimd() ? 'kernels-relaxed.wasm' : 'kernels.wasm';
  return instantiateWasmGpKernels(readFileSync(new URL(`../../wasm/build/${file}`, import.meta.url)));
}
