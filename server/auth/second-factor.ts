// The TOTP second factor of a user as stored: the secret sealed under the tenant's data key,
// the last step used, and ten one-time recovery codes kept as SHA-256 hashes.
import { decryptText, encryptText, type TenantKeys } from '../crypto/content.ts';
import type { Statement } from '../ports.ts';
import { hashSecret } from './session.ts';
import { decodeTotpSecret, encodeTotpSecret, generateRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT } from './totp.ts';

export interface UserRef {
  readonly tenantId: string;
  readonly userId: string;
}

/** The message SQLite and D1 carry when a trigger refuses a code used already (see migration 3). */
export function isCodeReuse(error: unknown): boolean {
  return error instanceof Error && error.message.includes('one-time code used already');
}

export async function sealTotpSecret(tenantKeys: TenantKeys, user: UserRef, secret: Uint8Array): Promise<string> {
  const key = await tenantKeys.keyOf(user.tenantId);
  return encryptText(key, { tenantId: user.tenantId, kind: 'totp-secret', objectId: user.userId }, encodeTotpSecret(secret));
}

export async function openTotpSecret(tenantKeys: TenantKeys, user: UserRef, sealed: string): Promise<Uint8Array> {
  const key = await tenantKeys.keyOf(user.tenantId);
  return decodeTotpSecret(await decryptText(key, { tenantId: user.tenantId, kind: 'totp-secret', objectId: user.userId }, sealed));
}

/** A fresh set of recovery codes, replacing any earlier set. The codes are shown once. */
export function newRecoveryCodes(user: UserRef, nowIso: string): { codes: string[]; statements: Statement[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  return {
    codes,
    statements: [
      deleteRecoveryCodesStatement(user),
      ...codes.map((code) => ({
        sql: 'INSERT INTO recovery_codes (user_id, code_hash, tenant_id, created_at) VALUES (?, ?, ?, ?)',
        params: [user.userId, hashSecret(normalizeRecoveryCode(code)!), user.tenantId, nowIso],
      })),
    ],
  };
}

export function deleteRecoveryCodesStatement(user: UserRef): Statement {
  return { sql: 'DELETE FROM recovery_codes WHERE user_id = ? AND tenant_id = ?', params: [user.userId, user.tenantId] };
}

/** Marks the code used; the trigger makes this statement (and its whole batch) fail if it was used meanwhile. */
export function useRecoveryCodeStatement(user: UserRef, codeHash: string, nowIso: string): Statement {
  return { sql: 'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND tenant_id = ? AND code_hash = ?', params: [nowIso, user.userId, user.tenantId, codeHash] };
}

/** The hash of a typed recovery code, when it has the shape of one. */
export function recoveryCodeHash(typed: string): string | null {
  const code = normalizeRecoveryCode(typed);
  return code === null ? null : hashSecret(code);
}

/** Records the step used; the trigger refuses a step not after the last one. */
export function useTotpStepStatement(user: UserRef, step: number): Statement {
  return { sql: 'UPDATE users SET totp_last_step = ? WHERE id = ? AND tenant_id = ?', params: [step, user.userId, user.tenantId] };
}

export function disableTotpStatements(user: UserRef): Statement[] {
  return [
    { sql: 'UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL WHERE id = ? AND tenant_id = ?', params: [user.userId, user.tenantId] },
    deleteRecoveryCodesStatement(user),
  ];
}
