import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createFsBlobStore } from '../node/fs-blob-store.ts';
import { openSqliteStore } from '../node/sqlite-store.ts';
import { seedTenant } from '../test/harness.ts';
import { createTestApp } from '../test/memory-ports.ts';
import { fileBlobKey } from './projects.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', bytes as BufferSource)).toString('hex');
}

describe('projects', () => {
  it('creates, lists, reads, renames, moves and deletes', async () => {
    const { app, deps } = await createTestApp();
    const { owner } = await seedTenant(app, deps, 'Acme');
    const created = await owner.post('/api/v1/projects', { name: '  Resin blends  ', folder: 'R&D/2026' });
    expect(created.status).toBe(201);
    const project = await created.json();
    expect(project).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Resin blends',
      folder: 'R&D/2026',
      revision: 1,
      createdAt: '2026-01-02T03:04:05.000Z',
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    await owner.post('/api/v1/projects', { name: 'Coatings' });
    const list = await (await owner.get('/api/v1/projects')).json();
    expect(list.projects.map((p: { name: string; folder: string }) => [p.name, p.folder]).sort()).toEqual([
      ['Coatings', ''],
      ['Resin blends', 'R&D/2026'],
    ]);

    const renamed = await owner.patch(`/api/v1/projects/${project.id}`, { name: 'Resins', folder: 'Archive' });
    expect(await renamed.json()).toMatchObject({ name: 'Resins', folder: 'Archive', revision: 2 });
    expect(await (await owner.get(`/api/v1/projects/${project.id}`)).json()).toMatchObject({ name: 'Resins', revision: 2 });
    expect((await owner.patch(`/api/v1/projects/${project.id}`, {})).status).toBe(400);
    expect((await owner.post('/api/v1/projects', { name: '' })).status).toBe(400);
    expect((await owner.post('/api/v1/projects', { name: 'bad\u0000name' })).status).toBe(400);

    expect((await owner.delete(`/api/v1/projects/${project.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/projects/${project.id}`)).status).toBe(404);
    expect((await (await owner.get('/api/v1/projects')).json()).projects).toHaveLength(1);
  });
});

describe('files', () => {
  it('stores raw bytes and returns exactly those bytes with their SHA-256', async () => {
    const { app, deps, blobs } = await createTestApp();
    const { owner, tenantId } = await seedTenant(app, deps, 'Acme');
    const project = await (await owner.post('/api/v1/projects', { name: 'P' })).json();
    const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256);
    const uploaded = await owner.request('POST', `/api/v1/projects/${project.id}/files?name=${encodeURIComponent('runs 2026.csv')}`, { bytes });
    expect(uploaded.status).toBe(201);
    const file = await uploaded.json();
    expect(file).toEqual({ id: expect.any(String), sha256: await sha256Hex(bytes), size: bytes.length });

    const downloaded = await owner.get(`/api/v1/files/${file.id}`);
    expect(downloaded.status).toBe(200);
    expect(Buffer.compare(new Uint8Array(await downloaded.arrayBuffer()), bytes)).toBe(0);
    expect(downloaded.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''runs%202026.csv");

    const listed = await (await owner.get(`/api/v1/projects/${project.id}/files`)).json();
    expect(listed.files).toEqual([{ id: file.id, name: 'runs 2026.csv', sha256: file.sha256, size: bytes.length, createdAt: '2026-01-02T03:04:05.000Z' }]);

    // The stored object is ciphertext: version byte, IV, body, 16-byte tag.
    const stored = (await blobs.get(fileBlobKey(tenantId, file.id)))!;
    expect(stored.length).toBe(1 + 12 + bytes.length + 16);

    // Empty files are files too.
    const empty = await (await owner.request('POST', `/api/v1/projects/${project.id}/files?name=empty`, { bytes: new Uint8Array(0) })).json();
    expect(empty.size).toBe(0);
    expect((await (await owner.get(`/api/v1/files/${empty.id}`)).arrayBuffer()).byteLength).toBe(0);

    // Deleting the project removes its files and their blobs.
    expect((await owner.delete(`/api/v1/projects/${project.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/files/${file.id}`)).status).toBe(404);
    expect(await blobs.list(`t/${tenantId}/`)).toEqual([]);
  });

  it('refuses an upload over the limit with 413 and stores nothing', async () => {
    const { app, deps, blobs } = await createTestApp({ settings: { maxUploadBytes: 1000 } });
    const { owner } = await seedTenant(app, deps, 'Acme');
    const project = await (await owner.post('/api/v1/projects', { name: 'P' })).json();
    const ok = await owner.request('POST', `/api/v1/projects/${project.id}/files?name=a`, { bytes: new Uint8Array(1000) });
    expect(ok.status).toBe(201);
    const big = await owner.request('POST', `/api/v1/projects/${project.id}/files?name=b`, { bytes: new Uint8Array(1001) });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ error: { code: 'too_large', message: 'The request body is too large' } });
    // A Content-Length that claims too much is refused before reading.
    const claimed = await owner.request('POST', `/api/v1/projects/${project.id}/files?name=c`, {
      bytes: new Uint8Array(10),
      headers: { 'Content-Length': '5000000000' },
    });
    expect(claimed.status).toBe(413);
    expect(await blobs.list('')).toHaveLength(1);
    expect((await owner.request('POST', `/api/v1/projects/${project.id}/files`, { bytes: new Uint8Array(1) })).status).toBe(400);
    expect((await owner.request('POST', `/api/v1/projects/${project.id}/files?name=a%2Fb`, { bytes: new Uint8Array(1) })).status).toBe(400);
  });

  it('fails to decrypt a blob moved to another object or another tenant', async () => {
    const { app, deps, blobs } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    const upload = async (client: typeof acme.owner, text: string) => {
      const project = await (await client.post('/api/v1/projects', { name: 'P' })).json();
      const bytes = new TextEncoder().encode(text);
      return (await (await client.request('POST', `/api/v1/projects/${project.id}/files?name=f`, { bytes })).json()).id as string;
    };
    const a1 = await upload(acme.owner, 'acme one');
    const a2 = await upload(acme.owner, 'acme two');
    const g1 = await upload(globex.owner, 'globex one');
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});

    // Same tenant, another object: the associated data names the object id.
    await blobs.put(fileBlobKey(acme.tenantId, a2), (await blobs.get(fileBlobKey(acme.tenantId, a1)))!);
    const moved = await acme.owner.get(`/api/v1/files/${a2}`);
    expect(moved.status).toBe(500);
    expect(await moved.text()).not.toContain('acme one');

    // Another tenant's blob under our key: their data key and their tenant id do not fit.
    await blobs.put(fileBlobKey(acme.tenantId, a1), (await blobs.get(fileBlobKey(globex.tenantId, g1)))!);
    expect((await acme.owner.get(`/api/v1/files/${a1}`)).status).toBe(500);
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ name: 'ContentIntegrityError' }));
    error.mockRestore();
    expect(new TextDecoder().decode(await (await globex.owner.get(`/api/v1/files/${g1}`)).arrayBuffer())).toBe('globex one');
  });

  it('never writes customer content in plaintext to the data folder (SQLite file and blob folder)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sigma-plaintext-'));
    dirs.push(dir);
    const store = openSqliteStore(join(dir, 'sigma.db'));
    const { app, deps } = await createTestApp({ store, blobs: createFsBlobStore(join(dir, 'blobs')) });
    const { owner } = await seedTenant(app, deps, 'Acme');
    const marker = 'ZEBRA-MARKER-7c1f';
    const project = await (await owner.post('/api/v1/projects', { name: `${marker} project`, folder: `${marker} folder` })).json();
    await owner.patch(`/api/v1/projects/${project.id}`, { name: `${marker} renamed` });
    const bytes = new TextEncoder().encode(`sample,value\n${marker},1\n`.repeat(1000));
    const upload = await owner.request('POST', `/api/v1/projects/${project.id}/files?name=${marker}.csv`, { bytes });
    expect(upload.status).toBe(201);
    expect(new TextDecoder().decode(await (await owner.get(`/api/v1/projects/${project.id}`)).arrayBuffer())).toContain(marker);

    const scan = (expected: string[]) => {
      const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
      expect(files.map((e) => e.name)).toEqual(expect.arrayContaining(expected));
      expect(files.length).toBeGreaterThan(expected.length);
      for (const entry of files) {
        const content = readFileSync(join(entry.parentPath, entry.name));
        expect(content.includes(marker), entry.name).toBe(false);
        expect(content.includes(Buffer.from(marker, 'utf16le')), entry.name).toBe(false);
      }
    };
    scan(['sigma.db', 'sigma.db-wal']);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    scan(['sigma.db']);
  });
});
