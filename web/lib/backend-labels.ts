import type { BackendName } from '../../shared/schema/compute.ts';

/** How backends are named on screen. */
export const BACKEND_LABELS: Record<BackendName, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU' };
