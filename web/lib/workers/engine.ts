// The app's engine bridges: one for training, one for everything else (reading datasets,
// prediction, explain, optimize, next experiments), so that nothing waits behind a training run
// and cancelling an analysis, which terminates its worker, never stops a training run in the other. Each new worker starts on the user's backend and
// neural-network kernels.
import { readBackendPreference } from '../state/backend-preference.ts';
import { readKernelPreference } from '../state/kernel-preference.ts';
import { EngineBridge, type EngineBridgeOptions } from './engine-bridge.ts';

const createWorker = () => new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'sigma-engine' });
const options: EngineBridgeOptions = {
  start: async (remote) => {
    await remote.useKernels(readKernelPreference());
    return remote.useBackend(readBackendPreference());
  },
};

export const engine = new EngineBridge(createWorker, options);

export const analysisEngine = new EngineBridge(createWorker, options);
