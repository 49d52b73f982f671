// Finds which TensorFlow.js backends work here. A backend "works" when it initialises
// and computes a known answer: WebGPU can be present yet fail (no adapter, a blocklisted
// driver), so presence alone proves nothing.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import type { BackendName, BackendProbe } from '../../../shared/schema/compute.ts';

export const BACKEND_PREFERENCE: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

class Unavailable extends Error {}

const registrations: Record<BackendName, () => Promise<unknown>> = {
  webgpu: async () => {
    // Ask for an adapter first: without one TensorFlow.js would only log a failed initialisation.
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) throw new Unavailable('this browser has no WebGPU');
    if (!(await gpu.requestAdapter())) throw new Unavailable('no WebGPU adapter on this device');
    await import('@tensorflow/tfjs-backend-webgpu');
  },
  webgl: () => import('@tensorflow/tfjs-backend-webgl'),
  wasm: async () => {
    // TensorFlow.js starts its wasm threads from its factory function's source text
    // (Function.prototype.toString), which a minifying bundler breaks ("e is not defined").
    // Its single-threaded SIMD build is used; our own kernels spread work over workers instead.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      // Never loaded with threads off, but the map must name it; not shipping it saves 400 kB.
      'tfjs-backend-wasm-threaded-simd.wasm': wasmSimdUrl,
    });
  },
  cpu: () => import('@tensorflow/tfjs-backend-cpu'),
};

/** A small matrix product with a known result, read back asynchronously (GPU backends stall on sync reads). */
async function checkComputation(): Promise<boolean> {
  const product = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  try {
    const values = await product.data();
    return [19, 22, 43, 50].every((expected, i) => Math.abs(values[i] - expected) < 1e-4);
  } finally {
    product.dispose();
  }
}

// One probe per backend per worker: the start-up hook and the compute report share it.
const probes = new Map<BackendName, Promise<BackendProbe>>();
function probe(name: BackendName): Promise<BackendProbe> {
  let found = probes.get(name);
  if (!found) probes.set(name, (found = probeOnce(name)));
  return found;
}

async function probeOnce(name: BackendName): Promise<BackendProbe> {
  const started = performance.now();
  try {
    await registrations[name]();
    const ok = await tf.setBackend(name);
    if (!ok) return { name, works: false, reason: 'did not initialise' };
    await tf.ready();
    if (!(await checkComputation())) return { name, works: false, reason: 'computed a wrong result' };
    return { name, works: true, milliseconds: Math.round(performance.now() - started) };
  } catch (error) {
    return { name, works: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The backend to use: the user's choice when it works, else the first that works in BACKEND_PREFERENCE order. */
export function chooseBackend(backends: readonly BackendProbe[], preferred: BackendName | null): BackendName | null {
  const working = (name: BackendName) => backends.some((b) => b.name === name && b.works);
  if (preferred && working(preferred)) return preferred;
  return BACKEND_PREFERENCE.find(working) ?? null;
}

/** Probes every backend, then leaves TensorFlow.js on the chosen one (see chooseBackend). */
export async function detectBackends(preferred: BackendName | null = null): Promise<{ backends: BackendProbe[]; backend: BackendName | null }> {
  const backends: BackendProbe[] = [];
  for (const name of BACKEND_PREFERENCE) backends.push(await probe(name));
  const backend = chooseBackend(backends, preferred);
  if (backend) await tf.setBackend(backend);
  return { backends, backend };
}

/** At a worker's start: the preferred backend if it works, else the next that does, probing only as far as needed. */
export async function activateBackend(preferred: BackendName | null): Promise<BackendName | null> {
  const order = preferred ? [preferred, ...BACKEND_PREFERENCE.filter((name) => name !== preferred)] : BACKEND_PREFERENCE;
  for (const name of order) {
    if ((await probe(name)).works) {
      await tf.setBackend(name);
      return name;
    }
  }
  return null;
}
