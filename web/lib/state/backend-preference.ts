// The compute backend the user forced in Settings, kept in localStorage; null means automatic
// (the first that works of webgpu, webgl, wasm, cpu). Workers cannot read localStorage, so
// the engine bridges hand it to each worker when it starts.
import * as v from 'valibot';
import { BackendName } from '../../../shared/schema/compute.ts';

const STORAGE_KEY = 'sigma.backend';

export function readBackendPreference(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): BackendName | null {
  const saved = storage?.getItem(STORAGE_KEY) ?? null;
  return v.is(BackendName, saved) ? saved : null;
}

export function saveBackendPreference(name: BackendName | null, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): void {
  if (name) storage.setItem(STORAGE_KEY, name);
  else storage.removeItem(STORAGE_KEY);
}
