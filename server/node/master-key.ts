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
