// A Gaussian-process peer, started by the engine worker: its own instance of the engine's compiled
// kernels module, fitting the cross-validation folds createGpFitPool sends it
// (shared/engine/kernels/parallel-gp.ts).
import { type GpPeerRequest, createGpPeer } from '../../../shared/engine/kernels/parallel-gp.ts';
import { instantiateWasmGpKernels } from '../../../shared/engine/kernels/wasm-gp.ts';
import { serveModulePeer } from './module-peer.ts';

serveModulePeer<GpPeerRequest>(async (module) => createGpPeer(await instantiateWasmGpKernels(module)));
