// A kernel peer, started by the engine worker: its own instance of the engine's compiled kernels
// module, answering the requests of createParallelMlpKernels (shared/engine/kernels/parallel-mlp.ts).
import { type MlpPeerRequest, createMlpPeer } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';
import { serveModulePeer } from './module-peer.ts';

serveModulePeer<MlpPeerRequest>(async (module) => createMlpPeer(await instantiateWasmMlpKernels(module)));
