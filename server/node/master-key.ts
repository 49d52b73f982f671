// Where the master key comes from on Node: SIGMA_MASTER_KEY (base64 of 32 bytes), or,
// on the embedded default only, a key file made on first start with mode 0600.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBase64 } from '@oslojs/encoding';
import { decodeMasterKey } from '../crypto/key-ring.ts';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKeySource {
  readonly bytes: Uint8Array;
  readonly origin: 'environment' | 'file' | 'created';
}

export function loadMasterKey(dataDir: string, env: Record<string, string | undefined>): MasterKeySource {
  if (env.SIGMA_MASTER_KEY) return { bytes: decodeMasterKey(env.SIGMA_MASTER_KEY), origin: 'environment' };
  const path = join(dataDir, MASTER_KEY_FILE);
  if (existsSync(path)) return { bytes: decodeMasterKey(readFileSync(path, 'utf8')), origin: 'file' };
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  // 'wx' fails if another process created the file in the meantime, rather than overwriting its key.
  writeFileSync(path, `${encodeBase64(bytes)}\n`, { mode: 0o600, flag: 'wx' });
  return { bytes, origin: 'created' };
}

/** A rotation writes the new key here first, so a crash mid-rotation never loses it. */
export const NEXT_MASTER_KEY_FILE = 'master.key.next';
/** Master keys a rotation replaced, one base64 key a line: backups made before it need them. */
export const PREVIOUS_MASTER_KEYS_FILE = 'master.key.previous';

function keysInFile(path: string): Uint8Array[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map(decodeMasterKey);
}

/**
 * Master keys that may still wrap some data key: an unfinished rotation's next key, the
 * keys earlier rotations replaced, and SIGMA_PREVIOUS_MASTER_KEYS (comma-separated).
 */
export function loadOtherMasterKeys(dataDir: string, env: Record<string, string | undefined>): Uint8Array[] {
  const fromEnv = (env.SIGMA_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .filter((k) => k.trim())
    .map(decodeMasterKey);
  return [
    ...keysInFile(join(dataDir, NEXT_MASTER_KEY_FILE)),
    ...keysInFile(join(dataDir, PREVIOUS_MASTER_KEYS_FILE)),
    ...fromEnv,
  ];
}

/** Every master key a running server should know after a rotation by another process. */
export function reloadMasterKeys(dataDir: string, env: Record<string, string | undefined>): Uint8Array[] {
  return [loadMasterKey(dataDir, env).bytes, ...loadOtherMasterKeys(dataDir, env)];
}
