// Blobs without their row: an upload whose commit never happened (the process died between
// the blob's write and the row's commit, or the commit failed and so did the clean-up), or
// a tenant purge interrupted between erasing the rows and erasing the blobs. They are
// ciphertext nobody can reach, but they take space and outlive the data they belonged to.
//
// A sweep lists the blob store and compares it with the files table. A blob found without
// a row is first only noted (table orphan_blobs, with the time); a later sweep deletes it
// when it is still without a row and at least the grace period has passed. An upload in
// flight (its blob written, its row not committed yet) is therefore never deleted: its row
// appears milliseconds later and the note is dropped. The port needs no object timestamps.
import { commitWithAudit, type AuditEvent } from '../audit/log.ts';
import type { BlobStore, Clock, Statement, Store } from '../ports.ts';

export const DEFAULT_ORPHAN_GRACE_MS = 60 * 60 * 1000;

/** Keys the server writes for a file's bytes (routes/projects.ts fileBlobKey); other keys are left alone. */
const FILE_BLOB_KEY = /^t\/([^/]+)\/files\/([^/]+)$/;

export interface OrphanSweep {
  /** Deleted by this sweep. */
  readonly deleted: readonly string[];
  /** Found without a row, noted, and waiting for the grace period. */
  readonly waiting: number;
}

export async function sweepOrphanBlobs(deps: { store: Store; blobs: BlobStore; clock: Clock }, graceMs = DEFAULT_ORPHAN_GRACE_MS): Promise<OrphanSweep> {
  const { store, blobs, clock } = deps;
  const now = clock.now();
  const noted = new Map(
    (await store.all<{ key: string; first_seen_at: string }>('SELECT key, first_seen_at FROM orphan_blobs')).map((r) => [r.key, Date.parse(r.first_seen_at)]),
  );
  // The keys first, the rows second: a row committed in between only makes a blob look referenced.
  const keys = await blobs.list('t/');
  const rows = new Set((await store.all<{ tenant_id: string; id: string }>('SELECT tenant_id, id FROM files')).map((r) => `${r.tenant_id}/${r.id}`));
  const orphans = keys.filter((key) => {
    const match = FILE_BLOB_KEY.exec(key);
    return match !== null && !rows.has(`${match[1]}/${match[2]}`);
  });

  const statements: Statement[] = [];
  const events: AuditEvent[] = [];
  const deleted: string[] = [];
  let waiting = 0;
  for (const key of orphans) {
    const firstSeen = noted.get(key);
    noted.delete(key);
    if (firstSeen === undefined) {
      statements.push({ sql: 'INSERT INTO orphan_blobs (key, first_seen_at) VALUES (?, ?)', params: [key, now.toISOString()] });
      waiting++;
      continue;
    }
    if (now.getTime() - firstSeen < graceMs) {
      waiting++;
      continue;
    }
    const [, tenantId, fileId] = FILE_BLOB_KEY.exec(key)!;
    // Checked once more right before deleting: this blob's row can appear only while its upload is in flight.
    if (await store.first('SELECT 1 AS present FROM files WHERE id = ? AND tenant_id = ?', [fileId, tenantId])) {
      statements.push({ sql: 'DELETE FROM orphan_blobs WHERE key = ?', params: [key] });
      continue;
    }
    await blobs.delete(key);
    deleted.push(key);
    statements.push({ sql: 'DELETE FROM orphan_blobs WHERE key = ?', params: [key] });
    events.push({ tenantId: null, actor: 'operator', action: 'blob.orphan_delete', target: key, outcome: 'success', address: null, userAgent: 'sigma' });
  }
  // Notes of blobs that got their row or are gone.
  for (const key of noted.keys()) statements.push({ sql: 'DELETE FROM orphan_blobs WHERE key = ?', params: [key] });
  if (events.length > 0) await commitWithAudit(store, clock, statements, events);
  else if (statements.length > 0) await store.batch(statements);
  return { deleted, waiting };
}
