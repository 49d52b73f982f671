// The neural-network kernels the user forced in Settings, kept in localStorage; null means
// automatic (calibrated per device and workload). Handed to each engine worker when it starts.
import * as v from 'valibot';

export const KernelPreference = v.picklist(['wasm-threads', 'wasm', 'webgpu', 'tfjs']);
export type KernelPreference = v.InferOutput<typeof KernelPreference>;

const STORAGE_KEY = 'sigma.kernels';

export function readKernelPreference(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): KernelPreference | null {
  const saved = storage?.getItem(STORAGE_KEY) ?? null;
  return v.is(KernelPreference, saved) ? saved : null;
}

export function saveKernelPreference(name: KernelPreference | null, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (name) storage.setItem(STORAGE_KEY, name);
  else storage.removeItem(STORAGE_KEY);
}
