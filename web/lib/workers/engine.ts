// The app's one engine bridge.
import { EngineBridge } from './engine-bridge.ts';

export const engine = new EngineBridge(
  () => new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'sigma-engine' }),
);
