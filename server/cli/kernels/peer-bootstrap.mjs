// Entry of a kernel peer worker_thread: registers tsx's loader in this thread (vitest and plain
// Node do not pass one to workers), then loads the TypeScript peer (workerData.entry, relative
// to this folder, lets tests start another peer).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData?.entry ?? './peer.worker.ts');
