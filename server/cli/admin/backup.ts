// sigma backup [--to DIR] | backup verify DIR | restore --from DIR | purge
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKeyRing, decodeMasterKey } from '../../crypto/key-ring.ts';
import { BACKUP_KEEP_DAYS, backupFolderName, createBackup, pruneBackups, restoreBackup, verifyBackup } from '../../node/backup.ts';
import { createFsBlobStore } from '../../node/fs-blob-store.ts';
import { loadOtherMasterKeys, MASTER_KEY_FILE } from '../../node/master-key.ts';
import { runRetention } from '../../jobs/retention.ts';
import { resolveSettings } from '../../settings.ts';
import { settingsFromEnv } from '../../settings-from-env.ts';
import { UsageError, userPath } from '../io.ts';
import { openAdminContext, type AdminIo } from './context.ts';


export class BackupBrokenError extends Error {
  override name = 'BackupBrokenError';
}

export async function backupCommand(args: string[], io: AdminIo): Promise<void> {
  if (args[0] === 'verify') {
    const dir = args[1];
    if (!dir) throw new UsageError('Usage: sigma backup verify DIR');
    const check = await verifyBackup(userPath(dir));
    io.print(JSON.stringify(check));
    if (!check.ok) throw new BackupBrokenError(`The backup does not verify: ${check.problems.join('; ')}`);
    return;
  }
  const { values } = parseArgs({ args, options: { to: { type: 'string' }, 'data-dir': { type: 'string' } } });
  const context = await openAdminContext(io, values['data-dir']);
  try {
    // Without --to: the daily backup into <data>/backups/, older ones beyond 30 days removed.
    const daily = values.to === undefined;
    const root = join(context.dataDir, 'backups');
    const target = daily ? join(root, backupFolderName(context.clock.now())) : userPath(values.to!);
    const manifest = await createBackup(context.store, context.dataDir, target);
    const removed = daily ? await pruneBackups(root, context.clock.now(), BACKUP_KEEP_DAYS) : [];
    io.print(JSON.stringify({ backup: target, files: manifest.files.length, removed }));
  } finally {
    context.close();
  }
}

export async function restoreCommand(args: string[], io: AdminIo): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, 'data-dir': { type: 'string' } } });
  if (!values.from) throw new UsageError('Usage: sigma restore --from DIR [--data-dir DIR]');
  const dataDir = resolve(values['data-dir'] ?? io.env.SIGMA_DATA_DIR ?? './data');
  // The key must be there already: making a new one here would restore data nobody can read.
  const keyFile = join(dataDir, MASTER_KEY_FILE);
  let master: Uint8Array;
  if (io.env.SIGMA_MASTER_KEY) master = decodeMasterKey(io.env.SIGMA_MASTER_KEY);
  else if (existsSync(keyFile)) master = decodeMasterKey(readFileSync(keyFile, 'utf8'));
  else throw new UsageError(`No master key: set SIGMA_MASTER_KEY or put the key file at ${keyFile} first`);
  const keyRing = await createKeyRing(master, { previous: loadOtherMasterKeys(dataDir, io.env) });
  const result = await restoreBackup(userPath(values.from), dataDir, keyRing);
  io.print(JSON.stringify({ restored: dataDir, ...result }));
}

export async function purgeCommand(args: string[], io: AdminIo): Promise<void> {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } });
  const settings = resolveSettings(settingsFromEnv(io.env));
  const context = await openAdminContext(io, values['data-dir']);
  try {
    const report = await runRetention({ store: context.store, blobs: createFsBlobStore(join(context.dataDir, 'blobs')), clock: context.clock }, settings);
    io.print(JSON.stringify({ purged: report.tenantsPurged, audit: report.audit, orphanBlobs: report.orphanBlobs }));
  } finally {
    context.close();
  }
}
