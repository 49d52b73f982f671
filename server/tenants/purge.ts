// Erasing cancelled tenants after their grace period: rows first (with the wrapped data key,
// which crypto-shreds any ciphertext a crash might leave behind), then their blobs.
import { commitWithAudit } from '../audit/log.ts';
import type { BlobStore, Clock, Store } from '../ports.ts';

export const PURGE_AFTER_DAYS = 90;

export async function purgeCancelledTenants(
  deps: { store: Store; blobs: BlobStore; clock: Clock },
  afterDays = PURGE_AFTER_DAYS,
): Promise<string[]> {
  const cutoff = new Date(deps.clock.now().getTime() - afterDays * 24 * 60 * 60 * 1000).toISOString();
  const tenants = await deps.store.all<{ id: string }>(
    "SELECT id FROM tenants WHERE status = 'cancelled' AND cancelled_at < ? ORDER BY id",
    [cutoff],
  );
  for (const { id } of tenants) {
    await commitWithAudit(
      deps.store,
      deps.clock,
      ['sessions', 'invitations', 'files', 'projects', 'recovery_codes', 'users'].map((table) => ({ sql: `DELETE FROM ${table} WHERE tenant_id = ?`, params: [id] })).concat([
        { sql: "DELETE FROM tenants WHERE id = ? AND status = 'cancelled'", params: [id] },
      ]),
      [{ tenantId: null, actor: 'operator', action: 'tenant.purge', target: id, outcome: 'success', address: null, userAgent: 'sigma-cli' }],
    );
    for (const key of await deps.blobs.list(`t/${id}/`)) await deps.blobs.delete(key);
  }
  return tenants.map((t) => t.id);
}
