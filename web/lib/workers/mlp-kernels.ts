// The neural-network kernels of the engine worker: our wasm kernels on this thread, the same
// kernels with each ensemble's members spread over peer workers (one per core, where the page is
// cross-origin isolated so that memory can be shared), our WebGPU kernels in a GPU peer worker
// (on a hardware GPU, or when forced), and TensorFlow.js on its active backend when the user
// forces it. Which one serves a workload is calibrated on first use and remembered per device
// (choose-mlp.ts), unless the user forced one in Settings.
import { type ChoosingMlpKernels, createChoosingMlpKernels } from '../../../shared/engine/kernels/choose-mlp.ts';
import type { MlpEnsembleKernels } from '../../../shared/engine/kernels/mlp-reference.ts';
import { type MlpPeerLink, canBlockOnSharedMemory, createParallelMlpKernels } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { tfjsMlpKernels } from '../../../shared/engine/kernels/tfjs/mlp-tfjs.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';
import { describeAdapter, supportsWebGpu } from '../../../shared/engine/kernels/webgpu/webgpu-mlp.ts';
import type { GpuPeerReady } from './gpu-peer.worker.ts';
import type { KernelPreference } from '../state/kernel-preference.ts';
import { loadKernelDecisions, saveKernelDecision } from './kernel-decisions.ts';
import { startModulePeer } from './module-peer.ts';

/** Peer workers worth starting: one per further core, at most 7. */
export function peerCount(cores: number, canShare: boolean): number {
  return canShare ? Math.max(0, Math.min(7, cores - 1)) : 0;
}

function startPeer(module: WebAssembly.Module): Promise<MlpPeerLink> {
  return startModulePeer(() => new Worker(new URL('./mlp-peer.worker.ts', import.meta.url), { type: 'module', name: 'sigma-kernels' }), module);
}

/** The name the WebGPU kernels go by in calibrations and Settings. */
export const WEBGPU_KERNELS = 'webgpu';

/**
 * Whether to start the GPU peer: on a hardware adapter, where it may be the fastest, or when the
 * user forced it (also on a software adapter, where it is correct but slow).
 */
async function wantGpu(forced: KernelPreference | null): Promise<boolean> {
  if (!supportsWebGpu() || !canBlockOnSharedMemory()) return false;
  if (forced === 'webgpu') return true;
  if (forced !== null) return false;
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter !== null && !describeAdapter(adapter.info).fallback;
  } catch {
    return false;
  }
}

/** Starts the GPU peer; null when WebGPU fails there (the other kernels remain). */
async function startGpuPeer(): Promise<MlpPeerLink | null> {
  const worker = new Worker(new URL('./gpu-peer.worker.ts', import.meta.url), { type: 'module', name: 'sigma-gpu-kernels' });
  const ready = await new Promise<GpuPeerReady>((resolve) => {
    worker.onmessage = (event: MessageEvent<GpuPeerReady>) => resolve(event.data);
    worker.onerror = (event) => resolve({ ok: false, error: event.message || 'The GPU kernel worker failed to start' });
    worker.postMessage('start');
  });
  worker.onmessage = null;
  if (!ready.ok) {
    console.warn(`WebGPU kernels unavailable: ${ready.error}`);
    worker.terminate();
    return null;
  }
  return { post: (request) => worker.postMessage(request), close: () => worker.terminate() };
}

export interface BrowserMlpKernels {
  readonly kernels: ChoosingMlpKernels;
  /** Ends the peer workers. */
  close(): void;
}

export async function browserMlpKernels(module: WebAssembly.Module, forced: KernelPreference | null): Promise<BrowserMlpKernels> {
  const local = await instantiateWasmMlpKernels(module);
  const peers = peerCount(navigator.hardwareConcurrency ?? 1, canBlockOnSharedMemory());
  const links = (await Promise.allSettled(Array.from({ length: peers }, () => startPeer(module))))
    .filter((r): r is PromiseFulfilledResult<MlpPeerLink> => r.status === 'fulfilled')
    .map((r) => r.value);
  // Calibration decides when splitting pays, so the split kernels always split.
  const threads = links.length > 0 ? createParallelMlpKernels(local, links, { minFlopsToSplit: 0 }) : null;
  // Every member on the GPU peer; this thread blocks while the device works.
  const gpuLink = (await wantGpu(forced)) ? await startGpuPeer() : null;
  const gpu = gpuLink ? createParallelMlpKernels(null, [gpuLink], { name: WEBGPU_KERNELS }) : null;
  // TensorFlow.js is the fallback path: 15–40× slower than our kernels on these shapes, and its
  // first call compiles shaders for longer than the whole calibration may take, so it is used
  // only when forced.
  const candidates: MlpEnsembleKernels[] = [
    ...(threads ? [threads] : []),
    local,
    ...(gpu ? [gpu] : []),
    ...(forced === 'tfjs' ? [tfjsMlpKernels] : []),
  ];
  const forcedName =
    forced === 'wasm-threads' ? threads?.name
    : forced === 'wasm' ? local.name
    : forced === 'webgpu' ? gpu?.name
    : forced === 'tfjs' ? tfjsMlpKernels.name
    : null;
  const kernels = createChoosingMlpKernels(candidates, {
    remembered: await loadKernelDecisions(),
    forced: forcedName ?? null,
    onDecision: (decision) => void saveKernelDecision(decision.key, decision.chosen),
  });
  return {
    kernels,
    close: () => {
      threads?.close();
      gpu?.close();
    },
  };
}
