// A Gaussian-process peer in a worker_thread: its own instance of the same wasm GP kernels,
// answering the fits of createGpFitPool (shared/engine/kernels/parallel-gp.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type GpPeerRequest, createGpPeer } from '../../../shared/engine/kernels/parallel-gp.ts';
import { instantiateWasmGpKernels } from '../../../shared/engine/kernels/wasm-gp.ts';

const { module } = workerData as { module: WebAssembly.Module };
const peer = createGpPeer(await instantiateWasmGpKernels(module));
parentPort!.on('message', (request: GpPeerRequest) => peer.handle(request));
parentPort!.postMessage('ready');
