// The kernels the neural-network ensemble trains with on Node: our fused wasm build (relaxed
// SIMD where this Node accepts it), 15–40× TensorFlow.js wasm on our shapes, with each ensemble's
// members spread over one worker thread per core (SIGMA_KERNEL_WORKERS overrides the count;
// 1 keeps everything on this thread). The split is exact: results do not depend on the count.
import type { MlpEnsembleKernels } from '../../shared/engine/kernels/mlp-reference.ts';
import type { ModelKernels } from '../../shared/engine/models/registry.ts';
import { nodeGpKernels, nodeKernelModule } from './gp-kernels.ts';
import { defaultKernelWorkers, parallelWasmMlpKernels } from './kernels/parallel.ts';

export function kernelWorkersFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SIGMA_KERNEL_WORKERS;
  if (text === undefined || text === '') return defaultKernelWorkers();
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 64) {
    throw new RangeError(`SIGMA_KERNEL_WORKERS must be a whole number from 1 to 64, not "${text}"`);
  }
  return count;
}

export async function nodeMlpKernels(workers = kernelWorkersFromEnv()): Promise<MlpEnsembleKernels> {
  return parallelWasmMlpKernels(nodeKernelModule(), workers);
}

/** True when a model file's JSON text holds a model of this kind anywhere (auto keeps one per output). */
function holds(text: string, kind: string): boolean {
  return text.includes(`"kind":"${kind}"`);
}

/**
 * Kernels for loading these model files: the wasm kernels of the kinds they hold (the network's
 * start threads, so only when one holds a network).
 */
export async function nodeModelKernels(files: readonly unknown[]): Promise<ModelKernels> {
  const texts = files.map((json) => JSON.stringify(json));
  return {
    ...(texts.some((t) => holds(t, 'mlp-ensemble')) ? { mlp: await nodeMlpKernels() } : {}),
    ...(texts.some((t) => holds(t, 'gp')) ? { gp: await nodeGpKernels() } : {}),
  };
}
