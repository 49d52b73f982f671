import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../../audit/log.ts';
import { createKeyRing } from '../../crypto/key-ring.ts';
import { loadMasterKey, loadOtherMasterKeys, reloadMasterKeys } from '../../node/master-key.ts';
import { openSqliteStore } from '../../node/sqlite-store.ts';
import { createTenant } from '../../tenants/tenants.ts';
import { PASSWORD, signIn } from '../../test/harness.ts';
import { createTestApp, memoryBlobStore, testPasswordHasher } from '../../test/memory-ports.ts';
import type { AdminIo } from './context.ts';
import { keysCommand } from './keys.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function io(dataDir: string, env: Record<string, string> = {}, stdin = ''): AdminIo & { lines: string[] } {
  const lines: string[] = [];
  return { env: { SIGMA_DATA_DIR: dataDir, ...env }, readStdin: async () => stdin, print: (l) => lines.push(l), lines };
}

/** A server's key ring as server/node/server.ts builds it. */
async function nodeKeyRing(dir: string) {
  return createKeyRing(loadMasterKey(dir, {}).bytes, { previous: loadOtherMasterKeys(dir, {}), reload: () => reloadMasterKeys(dir, {}) });
}

describe('sigma keys rotate', () => {
  it('re-wraps every data key under a new key file; files stay readable, also by a server started before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-keys-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'sigma.db'));
    const blobs = memoryBlobStore();
    const running = await createTestApp({ store, blobs, keyRing: await nodeKeyRing(dir) });
    const oldKey = readFileSync(join(dir, 'master.key'), 'utf8');
    await createTenant(running.deps, { name: 'Acme', adminEmail: 'a@acme.example', password: PASSWORD });
    await createTenant(running.deps, { name: 'Globex', adminEmail: 'g@globex.example', password: PASSWORD });
    const acme = await signIn(running.app, 'a@acme.example');
    const project = await (await acme.post('/api/v1/projects', { name: 'P' })).json();
    const bytes = crypto.getRandomValues(new Uint8Array(5000));
    const file = await (await acme.request('POST', `/api/v1/projects/${project.id}/files?name=f.bin`, { bytes })).json();
    const before = await store.all<{ id: string; data_key: string }>('SELECT id, data_key FROM tenants ORDER BY id');

    const command = io(dir);
    await keysCommand(['rotate'], command);
    expect(JSON.parse(command.lines[0])).toEqual({ mode: 'file', rewrapped: 2 });
    const newKey = readFileSync(join(dir, 'master.key'), 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect(readFileSync(join(dir, 'master.key.previous'), 'utf8')).toBe(oldKey);
    expect(statSync(join(dir, 'master.key.previous')).mode & 0o777).toBe(0o600);
    const after = await store.all<{ id: string; data_key: string }>('SELECT id, data_key FROM tenants ORDER BY id');
    expect(after.map((t) => t.id)).toEqual(before.map((t) => t.id));
    after.forEach((t, i) => expect(t.data_key).not.toBe(before[i].data_key));
    expect(await verifyChain(store, 'service')).toEqual({ ok: true, events: 3 });

    // The server started before the rotation still serves Acme (cached) and Globex (never loaded: reload).
    expect(Buffer.compare(new Uint8Array(await (await acme.get(`/api/v1/files/${file.id}`)).arrayBuffer()), bytes)).toBe(0);
    const globex = await signIn(running.app, 'g@globex.example');
    expect((await globex.post('/api/v1/projects', { name: 'G' })).status).toBe(201);

    // A fresh server with the new key alone, the old one deleted, reads the same bytes.
    unlinkSync(join(dir, 'master.key.previous'));
    const fresh = await createTestApp({ store, blobs, keyRing: await createKeyRing(loadMasterKey(dir, {}).bytes) });
    const again = await signIn(fresh.app, 'a@acme.example');
    expect(Buffer.compare(new Uint8Array(await (await again.get(`/api/v1/files/${file.id}`)).arrayBuffer()), bytes)).toBe(0);
    expect((await (await again.get(`/api/v1/projects/${project.id}`)).json()).name).toBe('P');
    store.close();
  });

  it('takes the new key on stdin when the master key is in SIGMA_MASTER_KEY', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-keys-'));
    dirs.push(dir);
    const oldKey = Buffer.alloc(32, 1).toString('base64');
    const newKey = Buffer.alloc(32, 2).toString('base64');
    const store = openSqliteStore(join(dir, 'sigma.db'));
    const { deps } = await createTestApp({ store, keyRing: await createKeyRing(Buffer.alloc(32, 1)) });
    await createTenant({ ...deps, passwordHasher: testPasswordHasher }, { name: 'Acme', adminEmail: 'a@acme.example', password: PASSWORD });
    await expect(keysCommand(['rotate'], io(dir, { SIGMA_MASTER_KEY: oldKey }))).rejects.toThrow(/Usage/);
    const command = io(dir, { SIGMA_MASTER_KEY: oldKey }, `${newKey}\n`);
    await keysCommand(['rotate', '--new-key-stdin'], command);
    expect(JSON.parse(command.lines[0])).toEqual({ mode: 'environment', rewrapped: 1 });
    const { data_key } = (await store.first<{ data_key: string }>('SELECT data_key FROM tenants'))!;
    await (await createKeyRing(Buffer.alloc(32, 2))).unwrapDataKey(data_key);
    await expect((await createKeyRing(Buffer.alloc(32, 1))).unwrapDataKey(data_key)).rejects.toThrow();
    store.close();
  });
});
