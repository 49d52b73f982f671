// Audit retention: events older than the retention period are deleted, chain by chain, and
// the newest deleted event's seq and hash are kept as the chain's checkpoint. Verification
// then starts from that hash, so what remains is still checked link by link, and the next
// event of an emptied chain continues from it. The purge itself is an event in the service
// chain, naming the chain and the seq it kept up to.
import type { Clock, Store } from '../ports.ts';
import { commitWithAudit, listChains } from './log.ts';

export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
const DAY = 24 * 60 * 60 * 1000;

export interface AuditPurge {
  readonly chain: string;
  /** Events up to and including this seq were deleted. */
  readonly throughSeq: number;
  readonly deleted: number;
}

export async function purgeAuditEvents(deps: { store: Store; clock: Clock }, retentionDays = DEFAULT_AUDIT_RETENTION_DAYS): Promise<AuditPurge[]> {
  const cutoff = new Date(deps.clock.now().getTime() - retentionDays * DAY).toISOString();
  const purged: AuditPurge[] = [];
  for (const chain of await listChains(deps.store)) {
    // The newest event older than the cutoff; everything up to it goes, so the rest stays one unbroken run.
    const last = await deps.store.first<{ seq: number; hash: string; ts: string }>(
      'SELECT seq, hash, ts FROM audit_events WHERE chain = ? AND ts < ? ORDER BY seq DESC LIMIT 1',
      [chain, cutoff],
    );
    if (!last) continue;
    const count = await deps.store.first<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE chain = ? AND seq <= ?', [chain, last.seq]);
    await commitWithAudit(
      deps.store,
      deps.clock,
      [
        {
          sql: `INSERT INTO audit_checkpoints (chain, seq, hash, ts) VALUES (?, ?, ?, ?)
                ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, ts = excluded.ts`,
          params: [chain, last.seq, last.hash, last.ts],
        },
        { sql: 'DELETE FROM audit_events WHERE chain = ? AND seq <= ?', params: [chain, last.seq] },
      ],
      [{ tenantId: null, actor: 'operator', action: 'audit.purge', target: `${chain}@${last.seq}`, outcome: 'success', address: null, userAgent: 'sigma' }],
    );
    purged.push({ chain, throughSeq: last.seq, deleted: count?.n ?? 0 });
  }
  return purged;
}

