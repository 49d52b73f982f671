// Master key rotation: every tenant's data key is re-wrapped under a new master key in one
// transaction. Data keys themselves do not change, so no file or field is re-encrypted and
// running servers keep serving: they know the new key through their key ring's reload.
import { existsSync, openSync, closeSync, fsyncSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBase64 } from '@oslojs/encoding';
import { commitWithAudit } from '../audit/log.ts';
import { createKeyRing, decodeMasterKey } from '../crypto/key-ring.ts';
import type { Clock, Statement, Store } from '../ports.ts';
import { loadMasterKey, loadOtherMasterKeys, MASTER_KEY_FILE, NEXT_MASTER_KEY_FILE, PREVIOUS_MASTER_KEYS_FILE } from './master-key.ts';

export interface RotationResult {
  readonly mode: 'file' | 'environment';
  readonly rewrapped: number;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * With the key file: the new key goes to master.key.next (kept if a crashed rotation left
 * one), the data keys are re-wrapped, the old key is appended to master.key.previous, and
 * master.key.next is renamed over master.key. A crash at any step leaves every data key
 * unwrappable by some key that is on disk, and running the command again finishes the job.
 * With SIGMA_MASTER_KEY: the new key comes from the caller and the operator swaps the secrets.
 */
export async function rotateMasterKey(options: {
  dataDir: string;
  env: Record<string, string | undefined>;
  store: Store;
  clock: Clock;
  newKey?: Uint8Array;
}): Promise<RotationResult> {
  const { dataDir, env, store, clock } = options;
  const mode = env.SIGMA_MASTER_KEY ? 'environment' : 'file';
  const old = loadMasterKey(dataDir, env).bytes;
  let next: Uint8Array;
  const nextPath = join(dataDir, NEXT_MASTER_KEY_FILE);
  if (mode === 'environment') {
    if (!options.newKey) throw new Error('With SIGMA_MASTER_KEY set, give the new master key on standard input (--new-key-stdin)');
    next = options.newKey;
  } else if (existsSync(nextPath)) {
    next = decodeMasterKey(readFileSync(nextPath, 'utf8'));
  } else {
    next = options.newKey ?? crypto.getRandomValues(new Uint8Array(32));
    writeFileSync(nextPath, `${encodeBase64(next)}\n`, { mode: 0o600, flag: 'wx' });
    fsyncPath(nextPath);
    fsyncPath(dataDir);
  }

  const ring = await createKeyRing(next, { previous: [old, ...loadOtherMasterKeys(dataDir, env)] });
  const tenants = await store.all<{ id: string; data_key: string }>('SELECT id, data_key FROM tenants ORDER BY id');
  const statements: Statement[] = [];
  for (const tenant of tenants) {
    statements.push({
      sql: 'UPDATE tenants SET data_key = ? WHERE id = ? AND data_key = ?',
      params: [await ring.rewrapDataKey(tenant.data_key), tenant.id, tenant.data_key],
    });
  }
  await commitWithAudit(store, clock, statements, [
    { tenantId: null, actor: 'operator', action: 'keys.rotate', target: null, outcome: 'success', address: null, userAgent: 'sigma-cli' },
  ]);

  if (mode === 'file') {
    const previousPath = join(dataDir, PREVIOUS_MASTER_KEYS_FILE);
    appendFileSync(previousPath, `${encodeBase64(old)}\n`, { mode: 0o600 });
    fsyncPath(previousPath);
    renameSync(nextPath, join(dataDir, MASTER_KEY_FILE));
    fsyncPath(dataDir);
  }
  return { mode, rewrapped: tenants.length };
}
