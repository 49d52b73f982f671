// Projects and their files. Names, folders, file names and file bytes are customer content:
// encrypted under the tenant's data key before they reach the store.
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import { encodeHexLowerCase } from '@oslojs/encoding';
import {
  FileName,
  ProjectCreate,
  ProjectPatch,
  type FileSummary,
  type FileUploadResponse,
  type Project,
  type ProjectsResponse,
} from '../../shared/schema/api-projects.ts';
import type { AppEnv } from '../app.ts';
import type { SessionAuth } from '../auth/session.ts';
import { commitWithAudit } from '../audit/log.ts';
import { decryptBytes, decryptText, encryptBytes, encryptText } from '../crypto/content.ts';
import { requireAuth, userEvent } from '../http/auth.ts';
import { apiError, notFound } from '../http/errors.ts';
import { readBytes, readJson } from '../http/request.ts';
import type { Statement } from '../ports.ts';

interface ProjectRow {
  id: string;
  name: string;
  folder: string;
  revision: number;
  created_at: string;
  updated_at: string;
}

interface FileRow {
  id: string;
  project_id: string;
  meta: string;
  size: number;
  created_at: string;
}

interface FileMeta {
  name: string;
  sha256: string;
}

/** Blob keys name the tenant, so one tenant's objects can be listed, backed up or erased together. */
export function fileBlobKey(tenantId: string, fileId: string): string {
  return `t/${tenantId}/files/${fileId}`;
}

const PROJECT_COLUMNS = 'id, name, folder, revision, created_at, updated_at';

async function projectOf(c: Context<AppEnv>, auth: SessionAuth, row: ProjectRow): Promise<Project> {
  const key = await c.var.tenantKeys.keyOf(auth.tenantId);
  const context = { tenantId: auth.tenantId, objectId: row.id };
  return {
    id: row.id,
    name: await decryptText(key, { ...context, kind: 'project-name' }, row.name),
    folder: await decryptText(key, { ...context, kind: 'project-folder' }, row.folder),
    revision: row.revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function findProject(c: Context<AppEnv>, auth: SessionAuth, id: string): Promise<ProjectRow> {
  const row = await c.var.deps.store.first<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ? AND tenant_id = ?`, [id, auth.tenantId]);
  if (!row) throw notFound();
  return row;
}

async function fileMetaOf(c: Context<AppEnv>, auth: SessionAuth, row: FileRow): Promise<FileMeta> {
  const key = await c.var.tenantKeys.keyOf(auth.tenantId);
  return JSON.parse(await decryptText(key, { tenantId: auth.tenantId, kind: 'file-meta', objectId: row.id }, row.meta)) as FileMeta;
}

export function projectRoutes() {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const auth = requireAuth(c);
      const rows = await c.var.deps.store.all<ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE tenant_id = ? ORDER BY created_at, id`, [
        auth.tenantId,
      ]);
      const body: ProjectsResponse = { projects: await Promise.all(rows.map((row) => projectOf(c, auth, row))) };
      return c.json(body);
    })
    .post('/', async (c) => {
      const auth = requireAuth(c, 'member');
      const { deps } = c.var;
      const input = await readJson(c, ProjectCreate);
      const id = crypto.randomUUID();
      const key = await c.var.tenantKeys.keyOf(auth.tenantId);
      const now = deps.clock.now().toISOString();
      const row: ProjectRow = {
        id,
        name: await encryptText(key, { tenantId: auth.tenantId, kind: 'project-name', objectId: id }, input.name),
        folder: await encryptText(key, { tenantId: auth.tenantId, kind: 'project-folder', objectId: id }, input.folder),
        revision: 1,
        created_at: now,
        updated_at: now,
      };
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          {
            sql: 'INSERT INTO projects (id, tenant_id, name, folder, revision, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
            params: [id, auth.tenantId, row.name, row.folder, row.revision, now, now],
          },
        ],
        [userEvent(c, auth, 'project.create', id)],
      );
      return c.json(await projectOf(c, auth, row), 201);
    })
    .get('/:id', async (c) => {
      const auth = requireAuth(c);
      return c.json(await projectOf(c, auth, await findProject(c, auth, c.req.param('id'))));
    })
    .patch('/:id', async (c) => {
      const auth = requireAuth(c, 'member');
      const { deps } = c.var;
      const row = await findProject(c, auth, c.req.param('id'));
      const patch = await readJson(c, ProjectPatch);
      if (patch.name === undefined && patch.folder === undefined) throw apiError(400, 'Nothing to change');
      const key = await c.var.tenantKeys.keyOf(auth.tenantId);
      const context = { tenantId: auth.tenantId, objectId: row.id };
      const next: ProjectRow = {
        ...row,
        name: patch.name === undefined ? row.name : await encryptText(key, { ...context, kind: 'project-name' }, patch.name),
        folder: patch.folder === undefined ? row.folder : await encryptText(key, { ...context, kind: 'project-folder' }, patch.folder),
        revision: row.revision + 1,
        updated_at: deps.clock.now().toISOString(),
      };
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          {
            sql: 'UPDATE projects SET name = ?, folder = ?, revision = ?, updated_at = ? WHERE id = ? AND tenant_id = ?',
            params: [next.name, next.folder, next.revision, next.updated_at, row.id, auth.tenantId],
          },
        ],
        [userEvent(c, auth, 'project.update', row.id)],
      );
      return c.json(await projectOf(c, auth, next));
    })
    .delete('/:id', async (c) => {
      const auth = requireAuth(c, 'member');
      const { deps } = c.var;
      const row = await findProject(c, auth, c.req.param('id'));
      const files = await deps.store.all<{ id: string }>('SELECT id FROM files WHERE project_id = ? AND tenant_id = ?', [row.id, auth.tenantId]);
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          { sql: 'DELETE FROM files WHERE project_id = ? AND tenant_id = ?', params: [row.id, auth.tenantId] },
          { sql: 'DELETE FROM projects WHERE id = ? AND tenant_id = ?', params: [row.id, auth.tenantId] },
        ],
        [userEvent(c, auth, 'project.delete', row.id)],
      );
      // After the commit: a crash here leaves only unreferenced ciphertext, never a row without its blob.
      for (const file of files) await deps.blobs.delete(fileBlobKey(auth.tenantId, file.id));
      return c.body(null, 204);
    })
    .get('/:id/files', async (c) => {
      const auth = requireAuth(c);
      const project = await findProject(c, auth, c.req.param('id'));
      const rows = await c.var.deps.store.all<FileRow>(
        'SELECT id, project_id, meta, size, created_at FROM files WHERE project_id = ? AND tenant_id = ? ORDER BY created_at, id',
        [project.id, auth.tenantId],
      );
      const files: FileSummary[] = [];
      for (const row of rows) {
        const meta = await fileMetaOf(c, auth, row);
        files.push({ id: row.id, name: meta.name, sha256: meta.sha256, size: row.size, createdAt: row.created_at });
      }
      return c.json({ files });
    })
    .post('/:id/files', async (c) => {
      const auth = requireAuth(c, 'member');
      const { deps, settings } = c.var;
      const project = await findProject(c, auth, c.req.param('id'));
      const name = v.safeParse(FileName, c.req.query('name'));
      if (!name.success) throw apiError(400, 'The name query parameter must be a file name of 1 to 255 characters');
      const bytes = await readBytes(c, settings.maxUploadBytes);
      const sha256 = encodeHexLowerCase(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)));
      const id = crypto.randomUUID();
      const key = await c.var.tenantKeys.keyOf(auth.tenantId);
      const meta = await encryptText(key, { tenantId: auth.tenantId, kind: 'file-meta', objectId: id }, JSON.stringify({ name: name.output, sha256 }));
      const blobKey = fileBlobKey(auth.tenantId, id);
      // The blob first, durably; the row that makes it visible second.
      await deps.blobs.put(blobKey, await encryptBytes(key, { tenantId: auth.tenantId, kind: 'file', objectId: id }, bytes));
      const statements: Statement[] = [
        {
          sql: 'INSERT INTO files (id, tenant_id, project_id, meta, size, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          params: [id, auth.tenantId, project.id, meta, bytes.length, deps.clock.now().toISOString()],
        },
      ];
      try {
        await commitWithAudit(deps.store, deps.clock, statements, [userEvent(c, auth, 'file.create', id)]);
      } catch (error) {
        await deps.blobs.delete(blobKey);
        throw error;
      }
      const body: FileUploadResponse = { id, sha256, size: bytes.length };
      return c.json(body, 201);
    });
}

export function fileRoutes() {
  return new Hono<AppEnv>()
    .get('/:id', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const row = await deps.store.first<FileRow>('SELECT id, project_id, meta, size, created_at FROM files WHERE id = ? AND tenant_id = ?', [
        c.req.param('id'),
        auth.tenantId,
      ]);
      if (!row) throw notFound();
      const sealed = await deps.blobs.get(fileBlobKey(auth.tenantId, row.id));
      if (!sealed) throw new Error('A file row has no blob');
      const key = await c.var.tenantKeys.keyOf(auth.tenantId);
      const bytes = await decryptBytes(key, { tenantId: auth.tenantId, kind: 'file', objectId: row.id }, sealed);
      const meta = await fileMetaOf(c, auth, row);
      return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`,
        'X-Content-SHA256': meta.sha256,
      });
    })
    .delete('/:id', async (c) => {
      const auth = requireAuth(c, 'member');
      const { deps } = c.var;
      const row = await deps.store.first<{ id: string }>('SELECT id FROM files WHERE id = ? AND tenant_id = ?', [c.req.param('id'), auth.tenantId]);
      if (!row) throw notFound();
      await commitWithAudit(
        deps.store,
        deps.clock,
        [{ sql: 'DELETE FROM files WHERE id = ? AND tenant_id = ?', params: [row.id, auth.tenantId] }],
        [userEvent(c, auth, 'file.delete', row.id)],
      );
      await deps.blobs.delete(fileBlobKey(auth.tenantId, row.id));
      return c.body(null, 204);
    });
}
