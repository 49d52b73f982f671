// The WebGPU kernel peer, started by the engine worker: it owns the GPU device and answers the
// requests of createParallelMlpKernels (shared/engine/kernels/parallel-mlp.ts) with the WebGPU
// kernels, whose calls wait on the device. The engine worker blocks on shared memory meanwhile, so
// the engine's synchronous path can train and predict on the GPU.
import { type MlpPeerRequest, createAsyncMlpPeer } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { seededFloat32 } from '../../../shared/engine/kernels/self-test.ts';
import { mlpLayout } from '../../../shared/engine/kernels/mlp-reference.ts';
import { createWebGpuMlpKernels } from '../../../shared/engine/kernels/webgpu/webgpu-mlp.ts';

/** What the engine worker learns when the peer is ready (or why it is not). */
export type GpuPeerReady = { readonly ok: true; readonly fallback: boolean; readonly description: string } | { readonly ok: false; readonly error: string };

let peer: { handle(request: MlpPeerRequest): void } | null = null;

async function start(): Promise<GpuPeerReady> {
  const kernels = await createWebGpuMlpKernels();
  // Compile the pipelines of the usual networks (SiLU, mean-squared error) now rather than inside
  // the engine's calibration, which would count the compilation against the GPU.
  const shape = { members: 2, inputs: 3, hidden: [4, 4], targets: 1, activation: 'silu' as const, loss: 'mse' as const };
  const state = kernels.createState(shape, seededFloat32(mlpLayout(shape).size, 1));
  const x = seededFloat32(8 * 3, 2);
  const y = seededFloat32(8, 3);
  await kernels.trainSteps(state, x, y, Int32Array.from({ length: 16 }, (_, q) => q % 8), 4, 2, 0, 1e-3, 0);
  await kernels.predictSummary(state, x, 8);
  await kernels.predict(state, x, 8);
  kernels.dispose(state);
  peer = createAsyncMlpPeer(kernels);
  const { adapter } = kernels;
  return { ok: true, fallback: adapter.fallback, description: [adapter.vendor, adapter.architecture, adapter.device].filter(Boolean).join(' ') };
}

self.onmessage = async (event: MessageEvent<'start' | MlpPeerRequest>) => {
  if (event.data === 'start') {
    let ready: GpuPeerReady;
    try {
      ready = await start();
    } catch (error) {
      ready = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    self.postMessage(ready);
    return;
  }
  peer?.handle(event.data);
};
