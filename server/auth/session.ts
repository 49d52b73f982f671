// Sessions after lucia's current guidance (lucia-auth `code/auth_session.ts`): the token is
// `id.secret`, the database keeps only SHA-256 of the secret, and the secret is compared in
// constant time, so a leaked sessions table does not let anyone sign in.
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Clock, Statement, Store } from '../ports.ts';
import type { Role } from './roles.ts';

export interface SessionSettings {
  /** A session unused for this long ends. */
  readonly idleTimeoutMs: number;
  /** A session ends this long after sign-in, however active. */
  readonly absoluteLifetimeMs: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = {
  idleTimeoutMs: 8 * 60 * 60 * 1000,
  absoluteLifetimeMs: 30 * 24 * 60 * 60 * 1000,
};

/** last_used_at is written at most this often, not on every request. */
const TOUCH_INTERVAL_MS = 60 * 1000;

export interface SessionAuth {
  readonly sessionId: string;
  readonly tenantId: string;
  readonly tenantName: string;
  readonly userId: string;
  readonly email: string;
  readonly role: Role;
  /** The user has a confirmed TOTP second factor. */
  readonly totpEnabled: boolean;
  readonly policy: TenantPolicy;
}

/** The tenant's security settings, read with every session so a change applies at once. */
export interface TenantPolicy {
  readonly requireTotp: boolean;
  /** CIDR ranges from which sign-in and API use are allowed; null: from anywhere. */
  readonly ipAllowlist: readonly string[] | null;
}

export function tenantPolicyOf(row: { require_totp: number; ip_allowlist: string | null }): TenantPolicy {
  return { requireTotp: row.require_totp === 1, ipAllowlist: row.ip_allowlist === null ? null : (JSON.parse(row.ip_allowlist) as string[]) };
}

function randomString(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function hashSecret(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

/** A fresh `id.secret` token, 160 random bits in each half. */
export function generateToken(): { id: string; secret: string; token: string } {
  const id = randomString(20);
  const secret = randomString(20);
  return { id, secret, token: `${id}.${secret}` };
}

export function splitToken(token: string): { id: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 2 || !/^[a-z2-7]{32}$/.test(parts[0]) || !/^[a-z2-7]{32}$/.test(parts[1])) return null;
  return { id: parts[0], secret: parts[1] };
}

export function secretMatches(secret: string, storedHash: string): boolean {
  return constantTimeEqual(decodeHex(hashSecret(secret)), decodeHex(storedHash));
}

export interface NewSession {
  readonly token: string;
  readonly statement: Statement;
}

export function createSessionStatement(
  clock: Clock,
  user: { tenantId: string; userId: string },
  client: { address: string | null; userAgent: string | null },
): NewSession {
  const { id, secret, token } = generateToken();
  const now = clock.now().toISOString();
  return {
    token,
    statement: {
      sql: `INSERT INTO sessions (id, tenant_id, user_id, secret_hash, created_at, last_used_at, address, user_agent)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [id, user.tenantId, user.userId, hashSecret(secret), now, now, client.address, client.userAgent],
    },
  };
}

interface SessionRow {
  id: string;
  secret_hash: string;
  created_at: string;
  last_used_at: string;
  user_id: string;
  email: string;
  role: Role;
  disabled: number;
  tenant_id: string;
  tenant_name: string;
  status: string;
  totp_enabled: number;
  require_totp: number;
  ip_allowlist: string | null;
}

/** The signed-in user behind a token, or null for a wrong, expired or revoked one. */
export async function validateSessionToken(
  store: Store,
  clock: Clock,
  settings: SessionSettings,
  token: string,
): Promise<SessionAuth | null> {
  const parts = splitToken(token);
  if (!parts) return null;
  const row = await store.first<SessionRow>(
    `SELECT s.id, s.secret_hash, s.created_at, s.last_used_at, u.id AS user_id, u.email, u.role, u.disabled,
            u.totp_secret IS NOT NULL AS totp_enabled, t.id AS tenant_id, t.name AS tenant_name, t.status, t.require_totp, t.ip_allowlist
       FROM sessions s
       JOIN users u ON u.id = s.user_id AND u.tenant_id = s.tenant_id
       JOIN tenants t ON t.id = s.tenant_id
      WHERE s.id = ?`,
    [parts.id],
  );
  if (!row || !secretMatches(parts.secret, row.secret_hash)) return null;
  const now = clock.now().getTime();
  const expired =
    now - Date.parse(row.last_used_at) >= settings.idleTimeoutMs || now - Date.parse(row.created_at) >= settings.absoluteLifetimeMs;
  if (expired || row.disabled || row.status !== 'active') {
    // Housekeeping, not a user's action: an ended session is removed without an audit event.
    await store.run('DELETE FROM sessions WHERE id = ?', [row.id]);
    return null;
  }
  if (now - Date.parse(row.last_used_at) >= TOUCH_INTERVAL_MS) {
    await store.run('UPDATE sessions SET last_used_at = ? WHERE id = ?', [clock.now().toISOString(), row.id]);
  }
  return {
    sessionId: row.id,
    tenantId: row.tenant_id,
    tenantName: row.tenant_name,
    userId: row.user_id,
    email: row.email,
    role: row.role,
    totpEnabled: row.totp_enabled === 1,
    policy: tenantPolicyOf(row),
  };
}

export function invalidateSessionStatement(sessionId: string, tenantId: string): Statement {
  return { sql: 'DELETE FROM sessions WHERE id = ? AND tenant_id = ?', params: [sessionId, tenantId] };
}

export function invalidateUserSessionsStatement(userId: string, tenantId: string, exceptSessionId = ''): Statement {
  return { sql: 'DELETE FROM sessions WHERE user_id = ? AND tenant_id = ? AND id != ?', params: [userId, tenantId, exceptSessionId] };
}
