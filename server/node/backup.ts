// Backups of the embedded default while it runs: SQLite's online backup of the database,
// a copy of the blob folder, and a manifest with the SHA-256 of every file. Backups hold
// ciphertext and wrapped data keys only; the master key is never copied into one.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import Database from 'better-sqlite3';
import type { KeyRing } from '../ports.ts';
import type { SqliteStore } from './sqlite-store.ts';

export const MANIFEST_FILE = 'manifest.json';
/** Daily backups in <data>/backups/ are kept this long. */
export const BACKUP_KEEP_DAYS = 30;
const DATABASE_FILE = 'sigma.db';
const BLOBS_DIR = 'blobs';

export interface BackupManifest {
  readonly format: 'sigma-backup';
  readonly version: 1;
  readonly instance: string;
  readonly createdAt: string;
  readonly schemaVersion: number;
  readonly files: readonly { path: string; size: number; sha256: string }[];
}

export class BackupError extends Error {
  override name = 'BackupError';
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  try {
    for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function filesUnder(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Writes a backup into `target`, which must not exist yet. */
export async function createBackup(store: SqliteStore, dataDir: string, target: string): Promise<BackupManifest> {
  if (existsSync(target)) throw new BackupError(`${target} exists already; a backup goes into a new folder`);
  const partial = `${target}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true, mode: 0o700 });

  // The online backup API copies a consistent snapshot while the server keeps writing.
  const databasePath = join(partial, DATABASE_FILE);
  await store.db.backup(databasePath);
  // A self-contained file: no -wal beside it, so it can be checked and copied alone.
  const copy = new Database(databasePath);
  copy.pragma('journal_mode = DELETE');
  const instance = (copy.prepare('SELECT id FROM instance').get() as { id: string }).id;
  const schemaVersion = (copy.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
  copy.close();

  // Blobs are immutable once in place (written to a temporary name, then renamed), so a copy is
  // consistent file by file. One uploaded after the snapshot is copied without its row: harmless.
  const blobRoot = join(dataDir, BLOBS_DIR);
  for (const key of await filesUnder(blobRoot)) {
    const to = join(partial, BLOBS_DIR, ...key.split('/'));
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(join(blobRoot, ...key.split('/')), to);
  }

  const files = [];
  for (const path of await filesUnder(partial)) {
    const full = join(partial, ...path.split('/'));
    await fsyncPath(full);
    files.push({ path, size: (await stat(full)).size, sha256: await sha256File(full) });
  }
  const manifest: BackupManifest = { format: 'sigma-backup', version: 1, instance, createdAt: new Date().toISOString(), schemaVersion, files };
  await writeFile(join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  await fsyncPath(join(partial, MANIFEST_FILE));
  await fsyncPath(partial);
  // The finished name appears only when everything is on disk.
  await rename(partial, target);
  await fsyncPath(dirname(target));
  return manifest;
}

export interface BackupCheck {
  readonly ok: boolean;
  readonly files: number;
  readonly problems: readonly string[];
}

export async function verifyBackup(dir: string): Promise<BackupCheck> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8')) as BackupManifest;
  } catch {
    return { ok: false, files: 0, problems: ['manifest.json is missing or not JSON'] };
  }
  if (manifest.format !== 'sigma-backup' || manifest.version !== 1 || !Array.isArray(manifest.files)) {
    return { ok: false, files: 0, problems: ['manifest.json is not a Sigma backup manifest'] };
  }
  const problems: string[] = [];
  const present = new Set((await filesUnder(dir)).filter((p) => p !== MANIFEST_FILE));
  for (const file of manifest.files) {
    if (!present.delete(file.path)) {
      problems.push(`missing: ${file.path}`);
      continue;
    }
    const full = join(dir, ...file.path.split('/'));
    if ((await stat(full)).size !== file.size || (await sha256File(full)) !== file.sha256) problems.push(`changed: ${file.path}`);
  }
  for (const extra of present) problems.push(`not in the manifest: ${extra}`);
  if (problems.length === 0) {
    const db = new Database(join(dir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      const result = db.pragma('integrity_check', { simple: true });
      if (result !== 'ok') problems.push(`database integrity: ${String(result)}`);
    } finally {
      db.close();
    }
  }
  return { ok: problems.length === 0, files: manifest.files.length, problems };
}

/**
 * Restores a verified backup into an empty data folder (the server stopped). Refuses unless
 * the master key there unwraps every data key in the backup: otherwise the data would be
 * restored but unreadable.
 */
export async function restoreBackup(from: string, dataDir: string, keyRing: KeyRing): Promise<{ files: number }> {
  const check = await verifyBackup(from);
  if (!check.ok) throw new BackupError(`The backup does not verify: ${check.problems.join('; ')}`);
  if (existsSync(join(dataDir, DATABASE_FILE)) || existsSync(join(dataDir, BLOBS_DIR))) {
    throw new BackupError(`${dataDir} holds data already: restore into an empty data folder (move the current one away first)`);
  }
  const db = new Database(join(from, DATABASE_FILE), { readonly: true, fileMustExist: true });
  const keys = db.prepare('SELECT data_key FROM tenants').all() as { data_key: string }[];
  db.close();
  for (const { data_key } of keys) {
    try {
      await keyRing.unwrapDataKey(data_key);
    } catch {
      throw new BackupError('The master key of the target does not unwrap the data keys of this backup; put the right master key in place first');
    }
  }
  const manifest = JSON.parse(await readFile(join(from, MANIFEST_FILE), 'utf8')) as BackupManifest;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Blobs first, the database last: the database appearing is what makes the restore visible.
  for (const file of manifest.files.filter((f) => f.path !== DATABASE_FILE)) {
    const to = join(dataDir, ...file.path.split('/'));
    await mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await copyFile(join(from, ...file.path.split('/')), to);
    await fsyncPath(to);
  }
  const temp = join(dataDir, `${DATABASE_FILE}.restore.tmp`);
  await copyFile(join(from, DATABASE_FILE), temp);
  await fsyncPath(temp);
  await rename(temp, join(dataDir, DATABASE_FILE));
  await fsyncPath(dataDir);
  return { files: manifest.files.length };
}

/** Removes backups in `dir` whose folder name (an ISO timestamp) is older than `keepDays`. */
export async function pruneBackups(dir: string, now: Date, keepDays: number): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const cutoff = now.getTime() - keepDays * 24 * 60 * 60 * 1000;
  const removed: string[] = [];
  for (const name of await readdir(dir)) {
    const time = Date.parse(name.replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})/, '$1:$2:$3'));
    if (Number.isFinite(time) && time < cutoff && existsSync(join(dir, name, MANIFEST_FILE))) {
      await rm(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** A folder name for a backup made at `now`: the ISO timestamp without colons. */
export function backupFolderName(now: Date): string {
  return now.toISOString().replace(/:/g, '-');
}
