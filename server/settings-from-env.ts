// Server settings from the environment: the Node process's, or the Worker's vars and secrets
// (wrangler.toml [vars], `wrangler secret put`), read the same way on both.
import { DEFAULT_AUDIT_RETENTION_DAYS } from './audit/retention.ts';
import { parseCidr, type Cidr } from './http/address.ts';
import { operatorTokenHash } from './routes/operator.ts';
import type { SettingsOverrides } from './settings.ts';
import type { TimeOfDay } from './node/daily-jobs.ts';

export class SettingsError extends Error {
  override name = 'SettingsError';
}

function positive(env: Record<string, string | undefined>, name: string, unit: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SettingsError(`${name} must be a positive number, not "${text}"`);
  // A value so small it rounds to nothing, or so large it overflows, would silently mean the default or forever.
  const scaled = Math.round(value * unit);
  if (scaled < 1 || scaled > Number.MAX_SAFE_INTEGER) throw new SettingsError(`${name} must be a positive number in range, not "${text}"`);
  return scaled;
}

const HOUR = 60 * 60 * 1000;

function wholeDays(env: Record<string, string | undefined>, name: string, min: number): number | undefined {
  const text = env[name]?.trim();
  if (!text) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < min) throw new SettingsError(`${name} must be a whole number of days, not "${text}"`);
  return days;
}

/**
 * SIGMA_SESSION_IDLE_HOURS (8), SIGMA_SESSION_MAX_DAYS (30), SIGMA_MAX_UPLOAD_MB (100),
 * SIGMA_PUBLIC_URL (the https:// address users open, when a TLS proxy is in front),
 * SIGMA_AUDIT_RETENTION_DAYS (400), SIGMA_TENANT_ERASURE_DAYS (90, 0 for the next purge),
 * SIGMA_ORPHAN_GRACE_HOURS (1).
 */
export function settingsFromEnv(env: Record<string, string | undefined>): SettingsOverrides {
  const idleTimeoutMs = positive(env, 'SIGMA_SESSION_IDLE_HOURS', HOUR);
  const absoluteLifetimeMs = positive(env, 'SIGMA_SESSION_MAX_DAYS', 24 * HOUR);
  const maxUploadBytes = positive(env, 'SIGMA_MAX_UPLOAD_MB', 1024 * 1024);
  const auditRetentionDays = wholeDays(env, 'SIGMA_AUDIT_RETENTION_DAYS', 1);
  const tenantErasureDays = wholeDays(env, 'SIGMA_TENANT_ERASURE_DAYS', 0);
  const orphanBlobGraceMs = positive(env, 'SIGMA_ORPHAN_GRACE_HOURS', HOUR);
  let publicOrigin: string | undefined;
  if (env.SIGMA_PUBLIC_URL) {
    try {
      publicOrigin = new URL(env.SIGMA_PUBLIC_URL).origin;
    } catch {
      throw new SettingsError('SIGMA_PUBLIC_URL must be a URL such as https://sigma.example.com');
    }
  }
  return {
    session: {
      ...(idleTimeoutMs ? { idleTimeoutMs } : {}),
      ...(absoluteLifetimeMs ? { absoluteLifetimeMs } : {}),
    },
    ...(maxUploadBytes ? { maxUploadBytes } : {}),
    ...(publicOrigin ? { publicOrigin } : {}),
    ...(auditRetentionDays !== undefined ? { auditRetentionDays } : {}),
    ...(tenantErasureDays !== undefined ? { tenantErasureDays } : {}),
    ...(orphanBlobGraceMs ? { orphanBlobGraceMs } : {}),
  };
}

/** Shorter tokens are refused: the operator routes create accounts, so the token must not be guessable. */
export const MIN_OPERATOR_TOKEN_LENGTH = 32;

/**
 * SIGMA_OPERATOR_TOKEN: turns on the /api/v1/operator routes (a Workers secret, or the Node
 * server's environment). Only its SHA-256 is kept.
 */
export function operatorTokenHashFromEnv(env: Record<string, string | undefined>): Uint8Array | undefined {
  const token = env.SIGMA_OPERATOR_TOKEN;
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_OPERATOR_TOKEN_LENGTH || /\s/.test(token)) {
    throw new SettingsError(`SIGMA_OPERATOR_TOKEN must be at least ${MIN_OPERATOR_TOKEN_LENGTH} characters without spaces (openssl rand -base64 32)`);
  }
  return operatorTokenHash(token);
}

/**
 * SIGMA_TRUSTED_PROXIES: comma-separated CIDR ranges of the proxies in front of the server,
 * whose X-Forwarded-For is believed. Empty: the socket peer is the client.
 */
export function trustedProxiesFromEnv(env: Record<string, string | undefined>): Cidr[] {
  const text = env.SIGMA_TRUSTED_PROXIES?.trim();
  if (!text) return [];
  return text.split(',').map((entry, i) => {
    const cidr = parseCidr(entry);
    if (typeof cidr === 'string') {
      throw new SettingsError(`SIGMA_TRUSTED_PROXIES entry ${i + 1} is not a CIDR range such as 127.0.0.1/32 or 10.0.0.0/8 (${cidr.replace(/_/g, ' ')})`);
    }
    return cidr;
  });
}

/** SIGMA_AUDIT_RETENTION_DAYS: audit events older than this many days are deleted by purge (400). */
export function auditRetentionDaysFromEnv(env: Record<string, string | undefined>): number {
  return wholeDays(env, 'SIGMA_AUDIT_RETENTION_DAYS', 1) ?? DEFAULT_AUDIT_RETENTION_DAYS;
}

/** SIGMA_DAILY_JOBS_AT: the UTC time of day (HH:MM) of the server's backup and purge, or "off" (00:00). */
export function dailyJobsAtFromEnv(env: Record<string, string | undefined>): TimeOfDay | null {
  const text = env.SIGMA_DAILY_JOBS_AT?.trim();
  if (!text) return { hour: 0, minute: 0 };
  if (text.toLowerCase() === 'off') return null;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  if (!match) throw new SettingsError(`SIGMA_DAILY_JOBS_AT must be a UTC time such as 03:30, or off, not "${text}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}
