// Entry of a kernel peer worker_thread: registers tsx's loader in this thread (vitest and plain
// Node do not pass one to workers), then loads the TypeScript peer.
import { register } from 'tsx/esm/api';

register();
await import('./peer.worker.ts');
