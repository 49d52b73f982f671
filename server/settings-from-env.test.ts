import { describe, expect, it } from 'vitest';
import { operatorTokenHash } from './routes/operator.ts';
import { resolveSettings } from './settings.ts';
import {
  auditRetentionDaysFromEnv,
  dailyJobsAtFromEnv,
  operatorTokenHashFromEnv,
  SettingsError,
  settingsFromEnv,
  trustedProxiesFromEnv,
} from './settings-from-env.ts';

describe('settings from the environment', () => {
  it('reads session, upload and public URL settings', () => {
    expect(settingsFromEnv({ SIGMA_SESSION_IDLE_HOURS: '2', SIGMA_MAX_UPLOAD_MB: '1', SIGMA_PUBLIC_URL: 'https://sigma.example.com/app' })).toEqual({
      session: { idleTimeoutMs: 2 * 3600_000 },
      maxUploadBytes: 1024 * 1024,
      publicOrigin: 'https://sigma.example.com',
    });
    expect(() => settingsFromEnv({ SIGMA_SESSION_MAX_DAYS: '-1' })).toThrow(SettingsError);
    // Found by the property test: no longer silently the default (rounds to 0) or Infinity.
    expect(() => settingsFromEnv({ SIGMA_SESSION_IDLE_HOURS: '1e-300' })).toThrow('SIGMA_SESSION_IDLE_HOURS must be a positive number in range');
    expect(() => settingsFromEnv({ SIGMA_MAX_UPLOAD_MB: '5e301' })).toThrow('SIGMA_MAX_UPLOAD_MB must be a positive number in range');
  });

  it('reads trusted proxies as CIDR ranges and names a bad entry by position', () => {
    expect(trustedProxiesFromEnv({})).toEqual([]);
    expect(trustedProxiesFromEnv({ SIGMA_TRUSTED_PROXIES: ' 127.0.0.1/32, ::1 ,10.0.0.0/8' })).toHaveLength(3);
    expect(() => trustedProxiesFromEnv({ SIGMA_TRUSTED_PROXIES: '127.0.0.1,10.0.0.1/8' })).toThrow(
      'SIGMA_TRUSTED_PROXIES entry 2 is not a CIDR range such as 127.0.0.1/32 or 10.0.0.0/8 (host bits set)',
    );
    expect(() => trustedProxiesFromEnv({ SIGMA_TRUSTED_PROXIES: 'proxy.local' })).toThrow(/entry 1 .*not an address/);
  });

  it('reads audit retention (400 days) and the time of the daily jobs (00:00 UTC, or off)', () => {
    expect(auditRetentionDaysFromEnv({})).toBe(400);
    expect(auditRetentionDaysFromEnv({ SIGMA_AUDIT_RETENTION_DAYS: '730' })).toBe(730);
    for (const bad of ['0', '1.5', 'forever']) expect(() => auditRetentionDaysFromEnv({ SIGMA_AUDIT_RETENTION_DAYS: bad })).toThrow(SettingsError);
    expect(dailyJobsAtFromEnv({})).toEqual({ hour: 0, minute: 0 });
    expect(dailyJobsAtFromEnv({ SIGMA_DAILY_JOBS_AT: '03:30' })).toEqual({ hour: 3, minute: 30 });
    expect(dailyJobsAtFromEnv({ SIGMA_DAILY_JOBS_AT: 'OFF' })).toBeNull();
    for (const bad of ['3:30', '24:00', '12:60', 'noon']) expect(() => dailyJobsAtFromEnv({ SIGMA_DAILY_JOBS_AT: bad })).toThrow(SettingsError);
  });

  it('reads the retention periods, with their defaults: audit 400 days, erasure 90 days, orphan grace 1 hour', () => {
    expect(resolveSettings(settingsFromEnv({}))).toMatchObject({ auditRetentionDays: 400, tenantErasureDays: 90, orphanBlobGraceMs: 3_600_000 });
    expect(settingsFromEnv({ SIGMA_AUDIT_RETENTION_DAYS: '730', SIGMA_TENANT_ERASURE_DAYS: '0', SIGMA_ORPHAN_GRACE_HOURS: '0.5' })).toEqual({
      session: {},
      auditRetentionDays: 730,
      tenantErasureDays: 0,
      orphanBlobGraceMs: 1_800_000,
    });
    for (const [name, bad] of [
      ['SIGMA_TENANT_ERASURE_DAYS', '-1'],
      ['SIGMA_TENANT_ERASURE_DAYS', '2.5'],
      ['SIGMA_AUDIT_RETENTION_DAYS', '0'],
      ['SIGMA_ORPHAN_GRACE_HOURS', '0'],
    ]) {
      expect(() => settingsFromEnv({ [name]: bad })).toThrow(new RegExp(`^${name} must be`));
    }
  });

  it('keeps only the hash of an operator token, and refuses a short one', () => {
    const token = 'x'.repeat(31) + 'y';
    expect(operatorTokenHashFromEnv({})).toBeUndefined();
    expect(operatorTokenHashFromEnv({ SIGMA_OPERATOR_TOKEN: token })).toEqual(operatorTokenHash(token));
    expect(() => operatorTokenHashFromEnv({ SIGMA_OPERATOR_TOKEN: 'short-token' })).toThrow(/at least 32 characters/);
    expect(() => operatorTokenHashFromEnv({ SIGMA_OPERATOR_TOKEN: `${token} ${token}` })).toThrow(SettingsError);
  });
});
