// The kernels Gaussian processes fit with on Node: our wasm build (wasm/assembly/gp.ts; relaxed
// SIMD where this Node accepts it), 4–6× the plain-TS linear algebra on a fit of 800 rows. With
// more than one worker, cross-validation fits a GP's folds at once: this thread and `workers − 1`
// peer worker_threads, each with its own instance of the same build (same numbers as one thread).
import { readFileSync } from 'node:fs';
import type { GpKernels } from '../../shared/engine/models/gp.ts';
import { type GpFitPoolOptions, createGpFitPool } from '../../shared/engine/kernels/parallel-gp.ts';
import { instantiateWasmGpKernels } from '../../shared/engine/kernels/wasm-gp.ts';
import { supportsWasmRelaxedSimd } from '../../shared/engine/kernels/wasm-mlp.ts';
import { startPeer } from './kernels/parallel.ts';

let compiled: WebAssembly.Module | undefined;

/** Our kernels build, compiled once per process (the network's and the GP's kernels share it). */
export function nodeKernelModule(): WebAssembly.Module {
  const file = supportsWasmRelaxedSimd() ? 'kernels-relaxed.wasm' : 'kernels.wasm';
  compiled ??= new WebAssembly.Module(readFileSync(new URL(`../../wasm/build/${file}`, import.meta.url)));
  return compiled;
}

export async function nodeGpKernels(workers = 1, poolOptions: GpFitPoolOptions = {}): Promise<GpKernels> {
  const module = nodeKernelModule();
  const kernels = await instantiateWasmGpKernels(module);
  if (workers <= 1) return kernels;
  const peers = await Promise.all(Array.from({ length: workers - 1 }, () => startPeer(module, './gp-peer.worker.ts')));
  const pool = createGpFitPool(peers.map((worker) => ({ post: (request) => worker.postMessage(request), close: () => void worker.terminate() })), poolOptions);
  return { ...kernels, pool };
}
