import { describe, expect, it } from 'vitest';
import { readEvents, verifyChain } from '../audit/log.ts';
import { runRetention } from '../jobs/retention.ts';
import type { BlobStore } from '../ports.ts';
import { fileBlobKey } from '../routes/projects.ts';
import { cancelTenant } from '../tenants/tenants.ts';
import { seedTenant } from '../test/harness.ts';
import { createTestApp, manualClock, memoryBlobStore } from '../test/memory-ports.ts';
import { sweepOrphanBlobs } from './orphan-blobs.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

async function withUpload() {
  const clock = manualClock();
  const env = await createTestApp({ clock });
  const acme = await seedTenant(env.app, env.deps, 'Acme');
  const project = await (await acme.owner.post('/api/v1/projects', { name: 'P' })).json();
  const file = await (await acme.owner.request('POST', `/api/v1/projects/${project.id}/files?name=a.csv`, { bytes: new Uint8Array([1, 2, 3]) })).json();
  return { ...env, clock, acme, project, file };
}

describe('the orphan blob sweep', () => {
  it('notes a blob without its row, deletes it once the grace period has passed, and leaves everything else alone', async () => {
    const { store, blobs, clock, acme, file } = await withUpload();
    // What a crash between the blob's write and the row's commit leaves behind.
    const orphan = fileBlobKey(acme.tenantId, crypto.randomUUID());
    await blobs.put(orphan, new Uint8Array([9]));
    await blobs.put('elsewhere/not-a-file-blob', new Uint8Array([7]));

    expect(await sweepOrphanBlobs({ store, blobs, clock }, HOUR)).toEqual({ deleted: [], waiting: 1 });
    expect(await store.all('SELECT key, first_seen_at FROM orphan_blobs')).toEqual([{ key: orphan, first_seen_at: clock.now().toISOString() }]);
    clock.advance(HOUR - 1);
    expect(await sweepOrphanBlobs({ store, blobs, clock }, HOUR)).toEqual({ deleted: [], waiting: 1 });
    expect(await blobs.get(orphan)).not.toBeNull();
    clock.advance(1);
    expect(await sweepOrphanBlobs({ store, blobs, clock }, HOUR)).toEqual({ deleted: [orphan], waiting: 0 });

    expect(await blobs.list('')).toEqual([fileBlobKey(acme.tenantId, file.id), 'elsewhere/not-a-file-blob'].sort());
    expect(await store.all('SELECT key FROM orphan_blobs')).toEqual([]);
    expect(await (await acme.owner.get(`/api/v1/files/${file.id}`)).arrayBuffer()).toEqual(new Uint8Array([1, 2, 3]).buffer);
    const service = await readEvents(store, { chain: 'service' });
    expect(service.filter((e) => e.action === 'blob.orphan_delete').map((e) => e.target)).toEqual([orphan]);
    expect((await verifyChain(store, 'service')).ok).toBe(true);
  });

  it('never deletes the blob of an upload whose row is committed after the first sweep saw it', async () => {
    const { store, blobs, clock, acme, project } = await withUpload();
    const id = crypto.randomUUID();
    const key = fileBlobKey(acme.tenantId, id);
    await blobs.put(key, new Uint8Array([4]));
    expect((await sweepOrphanBlobs({ store, blobs, clock }, HOUR)).waiting).toBe(1);
    // The upload's commit lands after the sweep listed the blob.
    await store.run('INSERT INTO files (id, tenant_id, project_id, meta, size, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      id,
      acme.tenantId,
      project.id,
      'x',
      1,
      clock.now().toISOString(),
    ]);
    clock.advance(2 * HOUR);
    expect(await sweepOrphanBlobs({ store, blobs, clock }, HOUR)).toEqual({ deleted: [], waiting: 0 });
    expect(await blobs.get(key)).toEqual(new Uint8Array([4]));
    expect(await store.all('SELECT key FROM orphan_blobs')).toEqual([]);
  });

  it('finishes a tenant erasure that died between the rows and the blobs, in the daily retention run', async () => {
    const clock = manualClock();
    const inner = memoryBlobStore();
    let failDeletes = true;
    const blobs: BlobStore = {
      ...inner,
      delete: async (key) => {
        if (failDeletes) throw new Error('disk gone');
        await inner.delete(key);
      },
    };
    const { app, deps, store } = await createTestApp({ clock, blobs });
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    for (const tenant of [acme, globex]) {
      const project = await (await tenant.owner.post('/api/v1/projects', { name: 'P' })).json();
      expect((await tenant.owner.request('POST', `/api/v1/projects/${project.id}/files?name=f`, { bytes: new Uint8Array([1]) })).status).toBe(201);
    }
    await cancelTenant(deps, globex.tenantId);
    clock.advance(91 * DAY);
    const settings = { auditRetentionDays: 400, tenantErasureDays: 90, orphanBlobGraceMs: HOUR };
    await expect(runRetention({ store, blobs, clock }, settings)).rejects.toThrow('disk gone');
    expect(await store.first('SELECT id FROM tenants WHERE id = ?', [globex.tenantId])).toBeUndefined();
    const left = await inner.list(`t/${globex.tenantId}/`);
    expect(left).toHaveLength(1);

    // The next day's run: the same run's sweep noted the blob, this one deletes it.
    failDeletes = false;
    clock.advance(DAY);
    const report = await runRetention({ store, blobs, clock }, settings);
    expect(report).toMatchObject({ tenantsPurged: [], orphanBlobs: { deleted: left, waiting: 0 } });
    expect(await inner.list(`t/${globex.tenantId}/`)).toEqual([]);
    expect(await inner.list(`t/${acme.tenantId}/`)).toHaveLength(1);
  });
});
