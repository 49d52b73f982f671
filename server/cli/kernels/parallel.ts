// The neural-network kernels on Node spread over worker_threads: this thread and `workers − 1`
// peers, each with its own instance of the same compiled wasm module (see
// shared/engine/kernels/parallel-mlp.ts for how an ensemble is split and why it stays exact).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ParallelMlpKernels, type ParallelOptions, createParallelMlpKernels } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';

/** Threads worth using: one per core, at most 8 (ensembles have 8 to 16 members). */
export function defaultKernelWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/** A kernel peer worker on `module`; `entry` (relative to this folder) picks the peer (default: the network's). */
export async function startPeer(module: WebAssembly.Module, entry?: string): Promise<Worker> {
  const worker = new Worker(new URL('./peer-bootstrap.mjs', import.meta.url), { workerData: { module, ...(entry ? { entry } : {}) } });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => reject(error instanceof Error ? error : new Error(`Kernel worker exited (${String(error)})`));
    worker.once('message', () => {
      worker.off('error', fail);
      worker.off('exit', fail);
      resolve();
    });
    worker.once('error', fail);
    worker.once('exit', fail);
  });
  // Idle peers must not keep the process alive.
  worker.unref();
  return worker;
}

export async function parallelWasmMlpKernels(
  module: WebAssembly.Module,
  workers = defaultKernelWorkers(),
  options: ParallelOptions = {},
): Promise<ParallelMlpKernels> {
  const local = await instantiateWasmMlpKernels(module);
  const peers = await Promise.all(Array.from({ length: Math.max(0, workers - 1) }, () => startPeer(module)));
  return createParallelMlpKernels(
    local,
    peers.map((worker) => ({ post: (request) => worker.postMessage(request), close: () => void worker.terminate() })),
    options,
  );
}
