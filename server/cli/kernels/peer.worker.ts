// A kernel peer in a worker_thread: its own instance of the same wasm kernels build, answering the
// requests of createParallelMlpKernels (shared/engine/kernels/parallel-mlp.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type MlpPeerRequest, createMlpPeer } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';

const { module } = workerData as { module: WebAssembly.Module };
const peer = createMlpPeer(await instantiateWasmMlpKernels(module));
parentPort!.on('message', (request: MlpPeerRequest) => peer.handle(request));
parentPort!.postMessage('ready');
