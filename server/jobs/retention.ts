// The retention work of a day, the same on Node (daily jobs, `sigma purge`) and on Workers
// (the Cron Trigger): erase tenants cancelled long enough ago, delete audit events past
// retention, and sweep blobs left without their row.
import { purgeAuditEvents, type AuditPurge } from '../audit/retention.ts';
import type { BlobStore, Clock, Store } from '../ports.ts';
import type { ServerSettings } from '../settings.ts';
import { sweepOrphanBlobs, type OrphanSweep } from '../storage/orphan-blobs.ts';
import { purgeCancelledTenants } from '../tenants/purge.ts';

export type RetentionSettings = Pick<ServerSettings, 'auditRetentionDays' | 'tenantErasureDays' | 'orphanBlobGraceMs'>;

export interface RetentionReport {
  readonly tenantsPurged: readonly string[];
  readonly audit: readonly AuditPurge[];
  readonly orphanBlobs: OrphanSweep;
}

/** Each part runs even if one before it failed; the first failure is thrown at the end. */
export async function runRetention(deps: { store: Store; blobs: BlobStore; clock: Clock }, settings: RetentionSettings): Promise<RetentionReport> {
  const failures: unknown[] = [];
  const attempt = async <T>(work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      failures.push(error);
      return fallback;
    }
  };
  const report: RetentionReport = {
    tenantsPurged: await attempt(() => purgeCancelledTenants(deps, settings.tenantErasureDays), []),
    audit: await attempt(() => purgeAuditEvents(deps, settings.auditRetentionDays), []),
    // After the purge, so blobs of a tenant whose erasure was interrupted are found the same day.
    orphanBlobs: await attempt(() => sweepOrphanBlobs(deps, settings.orphanBlobGraceMs), { deleted: [], waiting: 0 }),
  };
  if (failures.length > 0) throw failures[0];
  return report;
}
