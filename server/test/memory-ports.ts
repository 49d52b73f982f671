// In-memory ports for in-process tests of createApp.
import type { MiddlewareHandler } from 'hono';
import { createApp, type AppEnv } from '../app.ts';
import { createPbkdf2Hasher } from '../auth/password.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import { openSqliteStore, type SqliteStore } from '../node/sqlite-store.ts';
import type { BlobStore, Clock, KeyRing, Mailer, PasswordHasher } from '../ports.ts';
import type { SettingsOverrides } from '../settings.ts';
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

/** A clock the test moves by hand. */
export function manualClock(start = '2026-01-02T03:04:05.000Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return {
    now: () => new Date(now),
    advance(ms) {
      now += ms;
    },
  };
}

/** Cheap enough for tests; production hashers are far slower on purpose. */
export const testPasswordHasher: PasswordHasher = createPbkdf2Hasher(1000);

/** Tests name the client's address in this header; the Node and Workers adapters use the real peer. */
export const TEST_ADDRESS_HEADER = 'x-test-address';

export interface TestAppOptions {
  assets?: MiddlewareHandler<AppEnv>;
  scriptHashes?: string[];
  clock?: Clock;
  settings?: SettingsOverrides;
  store?: SqliteStore;
  blobs?: BlobStore;
  tls?: boolean;
  keyRing?: KeyRing;
  passwordHasher?: PasswordHasher;
  operatorTokenHash?: Uint8Array;
  mailer?: Mailer;
}

export async function createTestApp(options: TestAppOptions = {}) {
  const clock = options.clock ?? fixedClock;
  // The production SQLite adapter, in memory unless the test brings a file.
  const store = options.store ?? openSqliteStore(':memory:');
  await migrate(store, clock);
  const blobs = options.blobs ?? memoryBlobStore();
  const keyRing: KeyRing = options.keyRing ?? (await createKeyRing(new Uint8Array(32).fill(7)));
  const deps = {
    store,
    blobs,
    keyRing,
    clock,
    passwordHasher: options.passwordHasher ?? testPasswordHasher,
    version: '9.9.9-test',
    clientAddress: (c: { req: { header(name: string): string | undefined } }) => c.req.header(TEST_ADDRESS_HEADER) ?? '192.0.2.1',
    assets: options.assets,
    scriptHashes: options.scriptHashes,
    settings: options.settings,
    tls: options.tls,
    operatorTokenHash: options.operatorTokenHash,
    mailer: options.mailer,
  };
  const app = createApp(deps);
  return { app, store, blobs, keyRing, clock, deps };
}
