import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SigmaDatabase } from './database.ts';
import { createRepositories, NotFoundError, sha256Hex, type Repositories } from './repositories.ts';

let db: SigmaDatabase;
let repos: Repositories;
let time = 1_000;

beforeEach(() => {
  time = 1_000;
  db = new SigmaDatabase('test', { indexedDB: new IDBFactory(), IDBKeyRange });
  repos = createRepositories(db, { now: () => time++ });
});

afterEach(() => db.close());

describe('local store', () => {
  it('declares schema version 1 with the five core tables and file storage', async () => {
    await db.open();
    expect(db.verno).toBe(1);
    expect(db.tables.map((t) => t.name).sort()).toEqual(['datasets', 'files', 'folders', 'projects', 'results', 'tasks']);
  });

  it('creates, renames, moves, trashes, restores and searches projects', async () => {
    const folder = await repos.folders.create('  Resins ');
    expect(folder.name).toBe('Resins');
    const a = await repos.projects.create('Epoxy cure');
    const b = await repos.projects.create('Polyester blend');
    await repos.projects.moveToFolder(a.id, folder.id);
    await repos.projects.rename(b.id, 'Polyester tensile');

    expect((await repos.projects.list()).map((p) => p.name)).toEqual(['Polyester tensile', 'Epoxy cure']);
    expect((await repos.projects.list({ folderId: folder.id })).map((p) => p.id)).toEqual([a.id]);
    expect((await repos.projects.list({ search: 'TENSILE' })).map((p) => p.id)).toEqual([b.id]);

    await repos.projects.moveToTrash(a.id);
    expect((await repos.projects.list()).map((p) => p.id)).toEqual([b.id]);
    expect((await repos.projects.trash()).map((p) => p.id)).toEqual([a.id]);
    await repos.projects.restore(a.id);
    expect((await repos.projects.list()).map((p) => p.id).sort()).toEqual([a.id, b.id].sort());

    await expect(repos.projects.rename('missing', 'x')).rejects.toThrow(NotFoundError);
    await expect(repos.projects.create('   ')).rejects.toThrow(/empty/);
  });

  it('renames and deletes folders, moves projects between them and filters the list by folder', async () => {
    const resins = await repos.folders.create('Resins');
    const coatings = await repos.folders.create('Coatings');
    await repos.folders.rename(coatings.id, 'Paints');
    expect((await repos.folders.list()).map((f) => f.name)).toEqual(['Paints', 'Resins']);
    await expect(repos.folders.rename('missing', 'x')).rejects.toThrow(NotFoundError);

    const a = await repos.projects.create('Epoxy', resins.id);
    const b = await repos.projects.create('Acrylic');
    await repos.projects.moveToFolder(b.id, coatings.id);
    expect((await repos.projects.list({ folderId: coatings.id })).map((p) => p.name)).toEqual(['Acrylic']);
    await repos.projects.moveToFolder(b.id, resins.id);
    expect((await repos.projects.list({ folderId: resins.id })).map((p) => p.name)).toEqual(['Acrylic', 'Epoxy']);
    expect(await repos.projects.list({ folderId: coatings.id })).toEqual([]);
    // Search and folder filter together; null is "not in any folder".
    expect((await repos.projects.list({ folderId: resins.id, search: 'epo' })).map((p) => p.id)).toEqual([a.id]);
    await repos.projects.moveToFolder(a.id, null);
    expect((await repos.projects.list({ folderId: null })).map((p) => p.id)).toEqual([a.id]);
    await expect(repos.projects.moveToFolder(a.id, 'missing')).rejects.toThrow(NotFoundError);

    // Deleting a folder keeps its projects, trashed ones included, outside any folder.
    await repos.projects.moveToTrash(b.id);
    await repos.folders.remove(resins.id);
    expect((await repos.folders.list()).map((f) => f.name)).toEqual(['Paints']);
    expect((await repos.projects.trash()).map((p) => [p.id, p.folderId])).toEqual([[b.id, null]]);
    await expect(repos.folders.remove(resins.id)).rejects.toThrow(NotFoundError);
  });

  it('changes how a dataset is read, in place, and drops empty options', async () => {
    const project = await repos.projects.create('P');
    const bytes = new TextEncoder().encode('x,y\n1,2\n');
    const dataset = await repos.datasets.add({ projectId: project.id, name: 'runs', fileName: 'runs.csv', bytes, rowCount: 1, columnCount: 2 });
    const updated = await repos.datasets.setReadOptions(dataset.id, { kinds: { x: 'categorical' }, ignore: ['y'] });
    expect(updated.readOptions).toEqual({ kinds: { x: 'categorical' }, ignore: ['y'] });
    expect((await repos.datasets.get(dataset.id)).readOptions).toEqual({ kinds: { x: 'categorical' }, ignore: ['y'] });
    await repos.datasets.setReadOptions(dataset.id, {});
    expect('readOptions' in (await repos.datasets.get(dataset.id))).toBe(false);
    expect((await repos.datasets.get(dataset.id)).fileSha256).toBe(dataset.fileSha256);
    await expect(repos.datasets.setReadOptions('missing', {})).rejects.toThrow(NotFoundError);
  });

  it('stores a file once by its SHA-256 and versions datasets that extend one another', async () => {
    const project = await repos.projects.create('P');
    const bytes = new TextEncoder().encode('x,y\n1,2\n');
    const v1 = await repos.datasets.add({ projectId: project.id, name: 'runs', fileName: 'runs.csv', bytes, rowCount: 1, columnCount: 2 });
    const v2 = await repos.datasets.add({
      projectId: project.id,
      name: 'runs',
      fileName: 'runs.csv',
      bytes,
      rowCount: 1,
      columnCount: 2,
      parentId: v1.id,
    });
    expect([v1.version, v2.version, v2.parentId]).toEqual([1, 2, v1.id]);
    // SHA-256("x,y\n1,2\n"), computed with sha256sum.
    expect(v1.fileSha256).toBe('81bf9fa83c6f7f151bd491a98cd7d933de3965289e3ebd77c6c425f7eaa16392');
    expect(await sha256Hex(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(await db.files.count()).toBe(1);
    expect(new TextDecoder().decode(await repos.datasets.fileBytes(v2.id))).toBe('x,y\n1,2\n');
    expect((await repos.datasets.listByProject(project.id)).map((d) => d.version)).toEqual([1, 2]);
  });

  it('keeps task status and immutable results', async () => {
    const project = await repos.projects.create('P');
    const task = await repos.tasks.create({ projectId: project.id, datasetId: 'd', name: 'Train', spec: { outputs: ['y'] } });
    expect(task.status).toBe('queued');
    await repos.tasks.setStatus(task.id, 'running');
    expect((await repos.tasks.interrupted()).map((t) => t.id)).toEqual([task.id]);
    await repos.tasks.setStatus(task.id, 'failed', 'out of memory');
    const [stored] = await repos.tasks.listByProject(project.id);
    expect([stored.status, stored.error]).toEqual(['failed', 'out of memory']);

    await repos.results.add(task.id, 'training', { r2: 0.9 });
    await repos.results.add(task.id, 'prediction', { y: 1 });
    expect((await repos.results.listByTask(task.id, 'training')).map((r) => r.payload)).toEqual([{ r2: 0.9 }]);
    expect(await repos.results.listByTask(task.id)).toHaveLength(2);
    await expect(repos.results.add('missing', 'training', {})).rejects.toThrow(NotFoundError);
  });
});
