// The app's engine bridges: one for training and prediction, one for analyses (explain,
// optimize, next experiments), so that cancelling an analysis, which terminates its worker,
// never stops a training run in the other.
import { EngineBridge } from './engine-bridge.ts';

const createWorker = () => new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'sigma-engine' });

export const engine = new EngineBridge(createWorker);

export const analysisEngine = new EngineBridge(createWorker);
