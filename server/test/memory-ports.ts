// In-memory ports for in-process tests of createApp.
import type { MiddlewareHandler } from 'hono';
import { createApp, type AppEnv } from '../app.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import { openSqliteStore } from '../node/sqlite-store.ts';
import type { BlobStore, Clock } from '../ports.ts';
import { migrate } from '../store/migrate.ts';

export function memoryBlobStore(): BlobStore {
  const objects = new Map<string, Uint8Array>();
  return {
    async put(key, bytes) {
      objects.set(key, bytes.slice());
    },
    async get(key) {
      return objects.get(key)?.slice() ?? null;
    },
    async delete(key) {
      objects.delete(key);
    },
    async list(prefix) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
  };
}

export const fixedClock: Clock = { now: () => new Date('2026-01-02T03:04:05.000Z') };

export async function createTestApp(options: { assets?: MiddlewareHandler<AppEnv>; scriptHashes?: string[] } = {}) {
  // The production SQLite adapter, in memory.
  const store = openSqliteStore(':memory:');
  await migrate(store, fixedClock);
  const app = createApp({
    store,
    blobs: memoryBlobStore(),
    keyRing: await createKeyRing(new Uint8Array(32).fill(7)),
    clock: fixedClock,
    version: '9.9.9-test',
    ...options,
  });
  return { app, store };
}
