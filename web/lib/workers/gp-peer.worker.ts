// A Gaussian-process peer, started by the engine worker: its own instance of the engine's compiled
// kernels module, fitting the cross-validation folds createGpFitPool sends it
// (shared/engine/kernels/parallel-gp.ts).
import { type GpPeerRequest, createGpPeer } from '../../../shared/engine/kernels/parallel-gp.ts';
import { instantiateWasmGpKernels } from '../../../shared/engine/kernels/wasm-gp.ts';

let peer: { handle(request: GpPeerRequest): void } | null = null;

self.onmessage = async (event: MessageEvent<{ module: WebAssembly.Module } | GpPeerRequest>) => {
  if (peer) {
    peer.handle(event.data as GpPeerRequest);
    return;
  }
  // The first message carries the module; nothing else arrives before this worker says it is ready.
  peer = createGpPeer(await instantiateWasmGpKernels((event.data as { module: WebAssembly.Module }).module));
  self.postMessage('ready');
};
