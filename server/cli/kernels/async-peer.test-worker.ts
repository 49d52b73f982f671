// A test peer whose kernels answer through promises, as WebGPU's do: the wasm kernels behind
// methods that resolve on a later macrotask. Serves createAsyncMlpPeer (parallel-mlp.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { type AsyncPeerKernels, type MlpPeerRequest, createAsyncMlpPeer } from '../../../shared/engine/kernels/parallel-mlp.ts';
import { instantiateWasmMlpKernels } from '../../../shared/engine/kernels/wasm-mlp.ts';

const { module } = workerData as { module: WebAssembly.Module };
const wasm = await instantiateWasmMlpKernels(module);
const later = <T>(work: () => T): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => {
    try {
      resolve(work());
    } catch (error) {
      reject(error);
    }
  }, 1));
const kernels: AsyncPeerKernels = {
  createState: (shape, params) => wasm.createState(shape, params),
  trainStep: (state, x, y, indices, lr, wd) => later(() => wasm.trainStep(state, x, y, indices, lr, wd)),
  trainSteps: (state, x, y, rows, batch, steps, seed, lr, wd) => later(() => wasm.trainSteps(state, x, y, rows, batch, steps, seed, lr, wd)),
  predict: (state, x, rows) => later(() => wasm.predict(state, x, rows)),
  snapshot: (state) => later(() => wasm.snapshot(state)),
  writeParams: (state, params) => wasm.writeParams(state, params),
  dispose: (state) => wasm.dispose(state),
};
const peer = createAsyncMlpPeer(kernels);
parentPort!.on('message', (request: MlpPeerRequest) => peer.handle(request));
parentPort!.postMessage('ready');
