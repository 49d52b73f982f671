// What the administration commands work on: the data folder's database and master key,
// opened the same way `serve` opens them.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createArgon2idHasher } from '../../auth/password.ts';
import { createKeyRing } from '../../crypto/key-ring.ts';
import { loadMasterKey, loadOtherMasterKeys } from '../../node/master-key.ts';
import { openSqliteStore, type SqliteStore } from '../../node/sqlite-store.ts';
import { systemClock, type Clock, type KeyRing, type PasswordHasher } from '../../ports.ts';
import { migrate } from '../../store/migrate.ts';
import { UsageError } from '../io.ts';

/** The outside world of a command, so tests can run commands in-process. */
export interface AdminIo {
  readonly env: Record<string, string | undefined>;
  readStdin(): Promise<string>;
  print(line: string): void;
}

export const processIo: AdminIo = {
  env: process.env,
  async readStdin() {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  print: (line) => console.log(line),
};

export interface AdminContext {
  readonly dataDir: string;
  readonly store: SqliteStore;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly passwordHasher: PasswordHasher;
  close(): void;
}

export async function openAdminContext(io: AdminIo, dataDirOption: string | undefined, hasher?: PasswordHasher): Promise<AdminContext> {
  const dataDir = resolve(dataDirOption ?? io.env.SIGMA_DATA_DIR ?? './data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = openSqliteStore(join(dataDir, 'sigma.db'));
  await migrate(store, systemClock);
  return {
    dataDir,
    store,
    keyRing: await createKeyRing(loadMasterKey(dataDir, io.env).bytes, { previous: loadOtherMasterKeys(dataDir, io.env) }),
    clock: systemClock,
    passwordHasher: hasher ?? createArgon2idHasher(),
    close: () => store.close(),
  };
}

/** The password given on stdin, without the line break `echo` or a here-string adds. */
export async function passwordFromStdin(io: AdminIo): Promise<string> {
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin: no password on standard input');
  return password;
}
