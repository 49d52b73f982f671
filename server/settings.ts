// Server settings with their defaults; createApp takes any subset.
import { DEFAULT_AUDIT_RETENTION_DAYS } from './audit/retention.ts';
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from './auth/session.ts';
import { DEFAULT_THROTTLE_SETTINGS, type ThrottleSettings } from './auth/throttle.ts';
import { DEFAULT_ORPHAN_GRACE_MS } from './storage/orphan-blobs.ts';
import { PURGE_AFTER_DAYS } from './tenants/purge.ts';

export interface ServerSettings {
  readonly session: SessionSettings;
  readonly throttle: ThrottleSettings;
  /** Largest file upload; larger answers 413. */
  readonly maxUploadBytes: number;
  /** Largest JSON request body; larger answers 413. */
  readonly maxJsonBytes: number;
  /** How long an invitation link stays valid. */
  readonly invitationTtlMs: number;
  /**
   * The origin browsers see (https://sigma.example.com), when a proxy in front changes the
   * scheme or host: CSRF checks compare Origin against it, invitation links start with it.
   * Without it, the origin of the request URL is used.
   */
  readonly publicOrigin?: string;
  /** Audit events older than this many days are deleted by a purge. */
  readonly auditRetentionDays: number;
  /** A cancelled tenant's data is erased this many days after the cancellation. */
  readonly tenantErasureDays: number;
  /** A blob without its row is deleted once two sweeps at least this far apart have found it so. */
  readonly orphanBlobGraceMs: number;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  session: DEFAULT_SESSION_SETTINGS,
  throttle: DEFAULT_THROTTLE_SETTINGS,
  maxUploadBytes: 100 * 1024 * 1024,
  maxJsonBytes: 64 * 1024,
  invitationTtlMs: 7 * 24 * 60 * 60 * 1000,
  auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
  tenantErasureDays: PURGE_AFTER_DAYS,
  orphanBlobGraceMs: DEFAULT_ORPHAN_GRACE_MS,
};

export type SettingsOverrides = Partial<Omit<ServerSettings, 'session' | 'throttle'>> & {
  readonly session?: Partial<SessionSettings>;
  readonly throttle?: Partial<ThrottleSettings>;
};

export function resolveSettings(overrides: SettingsOverrides = {}): ServerSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...overrides,
    session: { ...DEFAULT_SETTINGS.session, ...overrides.session },
    throttle: { ...DEFAULT_SETTINGS.throttle, ...overrides.throttle },
  };
}
