import * as v from 'valibot';

export const BackendName = v.picklist(['webgpu', 'webgl', 'wasm', 'cpu']);
export type BackendName = v.InferOutput<typeof BackendName>;

/** What probing one TensorFlow.js backend found on this device. */
export const BackendProbe = v.object({
  name: BackendName,
  works: v.boolean(),
  /** Milliseconds to initialise and run the check computation; absent when it failed. */
  milliseconds: v.optional(v.number()),
  /** Why it does not work, in the browser's words. */
  reason: v.optional(v.string()),
});
export type BackendProbe = v.InferOutput<typeof BackendProbe>;

/** The engine worker's report of the compute available on this device. */
export const ComputeInfo = v.object({
  backends: v.array(BackendProbe),
  /** The TensorFlow.js backend the engine uses: the first that works of webgpu, webgl, wasm, cpu. */
  backend: v.nullable(BackendName),
  wasmSimd: v.boolean(),
  /** Whether the page is cross-origin isolated, which wasm threads need. */
  crossOriginIsolated: v.boolean(),
  /** Our own kernels in use: the wasm build when SIMD works, else the plain-TS reference. */
  kernels: v.picklist(['wasm-simd', 'reference']),
  hardwareConcurrency: v.number(),
});
export type ComputeInfo = v.InferOutput<typeof ComputeInfo>;
