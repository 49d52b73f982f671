import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../audit/log.ts';
import { backupFolderName, pruneBackups } from '../../node/backup.ts';
import { createFsBlobStore } from '../../node/fs-blob-store.ts';
import { openSqliteStore } from '../../node/sqlite-store.ts';
import { purgeCancelledTenants } from '../../tenants/purge.ts';
import { cancelTenant } from '../../tenants/tenants.ts';
import { seedTenant, signIn } from '../../test/harness.ts';
import { createTestApp, manualClock } from '../../test/memory-ports.ts';
import { backupCommand, purgeCommand, restoreCommand } from './backup.ts';
import type { AdminIo } from './context.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-backup-'));
  dirs.push(dir);
  return dir;
}

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
function io(env: Record<string, string> = {}): AdminIo & { lines: string[] } {
  const lines: string[] = [];
  return { env: { SIGMA_MASTER_KEY: MASTER_KEY, ...env }, readStdin: async () => '', print: (l) => lines.push(l), lines };
}

async function populated(dataDir: string) {
  const store = openSqliteStore(join(dataDir, 'sigma.db'));
  const env = await createTestApp({ store, blobs: createFsBlobStore(join(dataDir, 'blobs')) });
  const acme = await seedTenant(env.app, env.deps, 'Acme');
  const project = await (await acme.owner.post('/api/v1/projects', { name: 'BACKUP-MARKER project' })).json();
  const files: { id: string; bytes: Uint8Array }[] = [];
  for (const size of [0, 1, 60_000]) {
    const bytes = crypto.getRandomValues(new Uint8Array(size));
    const { id } = await (await acme.owner.request('POST', `/api/v1/projects/${project.id}/files?name=f${size}`, { bytes })).json();
    files.push({ id, bytes });
  }
  return { ...env, acme, project, files };
}

describe('backup, verify, restore', () => {
  it('backs up a running server and restores it byte-exact', async () => {
    const dataDir = tempDir();
    const { store, acme, files, project } = await populated(dataDir);
    const target = join(tempDir(), 'b1');
    const made = io({ SIGMA_DATA_DIR: dataDir });
    await backupCommand(['--to', target], made);
    expect(JSON.parse(made.lines[0])).toMatchObject({ backup: target, files: 4 });
    // Ciphertext and wrapped keys only: no key file, no plaintext.
    expect(readdirSync(target).sort()).toEqual(['blobs', 'manifest.json', 'sigma.db']);
    for (const entry of readdirSync(target, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      expect(readFileSync(join(entry.parentPath, entry.name)).includes('BACKUP-MARKER')).toBe(false);
    }

    const checked = io();
    await backupCommand(['verify', target], checked);
    expect(JSON.parse(checked.lines[0])).toEqual({ ok: true, files: 4, problems: [] });

    // The server goes on while we restore elsewhere.
    await acme.owner.post('/api/v1/projects', { name: 'after the backup' });
    const restoredDir = join(tempDir(), 'restored');
    await restoreCommand(['--from', target, '--data-dir', restoredDir], io());
    for (const key of await createFsBlobStore(join(dataDir, 'blobs')).list('')) {
      expect(readFileSync(join(restoredDir, 'blobs', key)).equals(readFileSync(join(dataDir, 'blobs', key)))).toBe(true);
    }
    const restoredStore = openSqliteStore(join(restoredDir, 'sigma.db'));
    const restored = await createTestApp({ store: restoredStore, blobs: createFsBlobStore(join(restoredDir, 'blobs')) });
    const owner = await signIn(restored.app, 'owner@acme.example');
    for (const file of files) {
      const response = await owner.get(`/api/v1/files/${file.id}`);
      expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(file.bytes))).toBe(true);
    }
    expect((await (await owner.get('/api/v1/projects')).json()).projects.map((p: { id: string }) => p.id)).toEqual([project.id]);
    expect((await verifyChain(restoredStore, acme.tenantId)).ok).toBe(true);
    restoredStore.close();
    store.close();
  });

  it('detects a changed, missing or extra file in a backup', async () => {
    const dataDir = tempDir();
    const { store } = await populated(dataDir);
    const target = join(tempDir(), 'b');
    await backupCommand(['--to', target], io({ SIGMA_DATA_DIR: dataDir }));
    store.close();
    const manifest = JSON.parse(readFileSync(join(target, 'manifest.json'), 'utf8'));
    const blob = manifest.files.find((f: { path: string; size: number }) => f.path.startsWith('blobs/') && f.size > 100).path;

    const bytes = readFileSync(join(target, blob));
    bytes[50] ^= 1;
    writeFileSync(join(target, blob), bytes);
    writeFileSync(join(target, 'blobs', 'stray'), 'x');
    const checked = io();
    await expect(backupCommand(['verify', target], checked)).rejects.toThrow(/does not verify/);
    expect(JSON.parse(checked.lines[0]).problems).toEqual([`changed: ${blob}`, 'not in the manifest: blobs/stray']);
    rmSync(join(target, blob));
    const again = io();
    await expect(backupCommand(['verify', target], again)).rejects.toThrow(`missing: ${blob}`);
  });

  it('refuses to restore over data, or with a master key that does not fit', async () => {
    const dataDir = tempDir();
    const { store } = await populated(dataDir);
    const target = join(tempDir(), 'b');
    await backupCommand(['--to', target], io({ SIGMA_DATA_DIR: dataDir }));
    store.close();
    await expect(restoreCommand(['--from', target, '--data-dir', dataDir], io())).rejects.toThrow(/holds data already/);
    const other = Buffer.alloc(32, 8).toString('base64');
    const empty = tempDir();
    await expect(restoreCommand(['--from', target, '--data-dir', empty], io({ SIGMA_MASTER_KEY: other }))).rejects.toThrow(/does not unwrap/);
    expect(existsSync(join(empty, 'sigma.db'))).toBe(false);
    await expect(restoreCommand(['--from', target, '--data-dir', empty], { ...io(), env: {} })).rejects.toThrow(/No master key/);
  });

  it('keeps daily backups for 30 days', async () => {
    const root = tempDir();
    const now = new Date('2026-03-01T02:00:00.000Z');
    for (const days of [1, 29, 31, 45]) {
      const name = backupFolderName(new Date(now.getTime() - days * 86_400_000));
      mkdirSync(join(root, name));
      appendFileSync(join(root, name, 'manifest.json'), '{}');
    }
    mkdirSync(join(root, 'not-a-backup'));
    expect((await pruneBackups(root, now, 30)).sort()).toEqual(['2026-01-15T02-00-00.000Z', '2026-01-29T02-00-00.000Z']);
    expect(readdirSync(root).sort()).toEqual(['2026-01-31T02-00-00.000Z', '2026-02-28T02-00-00.000Z', 'not-a-backup']);
  });
});

describe('purge', () => {
  it('erases a tenant 90 days after cancellation, rows and blobs, and nothing else', async () => {
    const clock = manualClock();
    const dataDir = tempDir();
    const store = openSqliteStore(join(dataDir, 'sigma.db'));
    const blobs = createFsBlobStore(join(dataDir, 'blobs'));
    const { app, deps } = await createTestApp({ store, blobs, clock });
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    for (const tenant of [acme, globex]) {
      const project = await (await tenant.owner.post('/api/v1/projects', { name: 'P' })).json();
      await tenant.owner.request('POST', `/api/v1/projects/${project.id}/files?name=f`, { bytes: new Uint8Array([1, 2, 3]) });
    }
    await cancelTenant(deps, acme.tenantId);
    clock.advance(89 * 86_400_000);
    expect(await purgeCancelledTenants({ store, blobs, clock })).toEqual([]);
    clock.advance(2 * 86_400_000);
    expect(await purgeCancelledTenants({ store, blobs, clock })).toEqual([acme.tenantId]);
    for (const table of ['tenants', 'users', 'projects', 'files', 'sessions']) {
      expect(await store.all(`SELECT * FROM ${table} WHERE tenant_id = ?`.replace('tenant_id', table === 'tenants' ? 'id' : 'tenant_id'), [acme.tenantId])).toEqual([]);
    }
    expect(await blobs.list(`t/${acme.tenantId}/`)).toEqual([]);
    expect(await blobs.list(`t/${globex.tenantId}/`)).toHaveLength(1);
    const globexOwner = await signIn(app, 'owner@globex.example');
    expect((await (await globexOwner.get('/api/v1/projects')).json()).projects).toHaveLength(1);
    expect(await verifyChain(store, 'service')).toEqual({ ok: true, events: 4 });
    store.close();
  });

  it('sigma purge also deletes audit events past SIGMA_AUDIT_RETENTION_DAYS, keeping the chains verifiable', async () => {
    const dataDir = tempDir();
    const store = openSqliteStore(join(dataDir, 'sigma.db'));
    const { app, deps } = await createTestApp({ store, clock: manualClock('2020-01-01T00:00:00.000Z') });
    const acme = await seedTenant(app, deps, 'Acme');
    store.close();
    const out = io({ SIGMA_DATA_DIR: dataDir, SIGMA_AUDIT_RETENTION_DAYS: '30' });
    await purgeCommand([], out);
    const result = JSON.parse(out.lines[0]);
    expect(result.purged).toEqual([]);
    expect(result.audit.map((a: { chain: string }) => a.chain).sort()).toEqual([acme.tenantId, 'service'].sort());
    const reopened = openSqliteStore(join(dataDir, 'sigma.db'));
    expect(await verifyChain(reopened, acme.tenantId)).toMatchObject({ ok: true, events: 0 });
    expect(await verifyChain(reopened, 'service')).toMatchObject({ ok: true, events: 2 });
    reopened.close();
    await expect(purgeCommand([], io({ SIGMA_DATA_DIR: dataDir, SIGMA_AUDIT_RETENTION_DAYS: 'never' }))).rejects.toThrow(/SIGMA_AUDIT_RETENTION_DAYS/);
  });
});
