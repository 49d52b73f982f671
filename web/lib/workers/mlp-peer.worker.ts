// A kernel peer, started by the engine worker: its own instance of the engine's compiled kernels
// module, answering the requests of createParallelMlpKernels (shared/engine/kernels/parallel-mlp.ts).
import { type MlpPeerRequest, createMlpPeer } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';

let peer: { handle(request: MlpPeerRequest): void } | null = null;

self.onmessage = async (event: MessageEvent<{ module: WebAssembly.Module } | MlpPeerRequest>) => {
  if (peer) {
    peer.handle(event.data as MlpPeerRequest);
    return;
  }
  // The first message carries the module; nothing else arrives before this worker says it is ready.
  peer = createMlpPeer(await instantiateWasmMlpKernels((event.data as { module: WebAssembly.Module }).module));
  self.postMessage('ready');
};
