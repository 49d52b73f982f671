// The signed-in user: who they are, their sessions, their password, their second factor.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../app.ts';
import { ChangePasswordRequest, type SessionsResponse } from '../../shared/schema/api-auth.ts';
import {
  TotpCode,
  TotpDisableRequest,
  type RecoveryCodesResponse,
  type TotpEnrolResponse,
  type TotpStatusResponse,
} from '../../shared/schema/api-security.ts';
import { checkPasswordPolicy } from '../auth/password.ts';
import { disableTotpStatements, isCodeReuse, newRecoveryCodes, openTotpSecret, sealTotpSecret, useTotpStepStatement } from '../auth/second-factor.ts';
import { invalidateUserSessionsStatement, type SessionAuth } from '../auth/session.ts';
import { encodeTotpSecret, generateTotpSecret, otpauthUrl, verifyTotp } from '../auth/totp.ts';
import type { Statement } from '../ports.ts';
import { commitWithAudit, type AuditEvent } from '../audit/log.ts';
import { requireAuth, userEvent } from '../http/auth.ts';
import { apiError, codedError, notFound } from '../http/errors.ts';
import { readJson } from '../http/request.ts';
import { meOf } from './auth.ts';

/** Shown by authenticator apps beside the account name. */
const TOTP_ISSUER = 'Sigma';

interface TotpRow {
  totp_secret: string | null;
  totp_pending: string | null;
  totp_last_step: number | null;
}

async function totpRowOf(c: Context<AppEnv>, auth: SessionAuth): Promise<TotpRow> {
  const row = await c.var.deps.store.first<TotpRow>('SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = ? AND tenant_id = ?', [
    auth.userId,
    auth.tenantId,
  ]);
  if (!row) throw notFound();
  return row;
}

/** Commits, answering a concurrent use of the same code like a wrong code. */
async function commitUsingCode(c: Context<AppEnv>, statements: Statement[], event: AuditEvent): Promise<void> {
  const { deps } = c.var;
  try {
    await commitWithAudit(deps.store, deps.clock, statements, [event]);
  } catch (error) {
    if (!isCodeReuse(error)) throw error;
    await commitWithAudit(deps.store, deps.clock, [], [{ ...event, outcome: 'failure' }]);
    throw codedError(400, 'totp_invalid', 'Wrong or used code');
  }
}

export function meRoutes() {
  return new Hono<AppEnv>()
    .get('/', (c) => c.json(meOf(requireAuth(c))))
    .get('/sessions', async (c) => {
      const auth = requireAuth(c);
      const rows = await c.var.deps.store.all<{ id: string; created_at: string; last_used_at: string; address: string | null; user_agent: string | null }>(
        'SELECT id, created_at, last_used_at, address, user_agent FROM sessions WHERE user_id = ? AND tenant_id = ? ORDER BY created_at',
        [auth.userId, auth.tenantId],
      );
      const body: SessionsResponse = {
        sessions: rows.map((r) => ({
          id: r.id,
          createdAt: r.created_at,
          lastUsedAt: r.last_used_at,
          address: r.address,
          userAgent: r.user_agent,
          current: r.id === auth.sessionId,
        })),
      };
      return c.json(body);
    })
    .delete('/sessions/:id', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const id = c.req.param('id');
      const own = await deps.store.first('SELECT 1 AS own FROM sessions WHERE id = ? AND user_id = ? AND tenant_id = ?', [id, auth.userId, auth.tenantId]);
      if (!own) throw notFound();
      await commitWithAudit(
        deps.store,
        deps.clock,
        [{ sql: 'DELETE FROM sessions WHERE id = ? AND user_id = ? AND tenant_id = ?', params: [id, auth.userId, auth.tenantId] }],
        [userEvent(c, auth, 'session.revoke', id)],
      );
      return c.body(null, 204);
    })
    .post('/password', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const body = await readJson(c, ChangePasswordRequest);
      const user = await deps.store.first<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ? AND tenant_id = ?', [
        auth.userId,
        auth.tenantId,
      ]);
      if (!user || !(await deps.passwordHasher.verify(user.password_hash, body.currentPassword))) {
        await commitWithAudit(deps.store, deps.clock, [], [userEvent(c, auth, 'user.password_change', auth.userId, 'failure')]);
        throw apiError(403, 'The current password is wrong');
      }
      const problem = checkPasswordPolicy(body.newPassword);
      if (problem) throw apiError(400, problem === 'too_short' ? 'The password must have at least 12 characters' : 'The password is too long');
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          { sql: 'UPDATE users SET password_hash = ? WHERE id = ? AND tenant_id = ?', params: [await deps.passwordHasher.hash(body.newPassword), auth.userId, auth.tenantId] },
          // Changing the password ends every other session, one stolen token included.
          invalidateUserSessionsStatement(auth.userId, auth.tenantId, auth.sessionId),
        ],
        [userEvent(c, auth, 'user.password_change', auth.userId)],
      );
      return c.body(null, 204);
    })
    .get('/totp', async (c) => {
      const auth = requireAuth(c);
      const row = await totpRowOf(c, auth);
      const left = await c.var.deps.store.first<{ n: number }>(
        'SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND tenant_id = ? AND used_at IS NULL',
        [auth.userId, auth.tenantId],
      );
      const body: TotpStatusResponse = { enabled: row.totp_secret !== null, required: auth.policy.requireTotp, recoveryCodesLeft: left?.n ?? 0 };
      return c.json(body);
    })
    .post('/totp', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      if ((await totpRowOf(c, auth)).totp_secret !== null) throw apiError(409, 'A second factor is set up already; turn it off first');
      const secret = generateTotpSecret();
      await commitWithAudit(
        deps.store,
        deps.clock,
        [{ sql: 'UPDATE users SET totp_pending = ? WHERE id = ? AND tenant_id = ?', params: [await sealTotpSecret(c.var.tenantKeys, auth, secret), auth.userId, auth.tenantId] }],
        [userEvent(c, auth, 'totp.enrol', auth.userId)],
      );
      const body: TotpEnrolResponse = { secret: encodeSecretForTyping(secret), otpauthUrl: otpauthUrl(TOTP_ISSUER, auth.email, secret) };
      return c.json(body, 201);
    })
    .post('/totp/confirm', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const { code } = await readJson(c, TotpCode);
      const row = await totpRowOf(c, auth);
      if (row.totp_secret !== null) throw apiError(409, 'A second factor is set up already; turn it off first');
      if (row.totp_pending === null) throw apiError(400, 'Start the set-up first');
      const now = deps.clock.now();
      const step = verifyTotp(await openTotpSecret(c.var.tenantKeys, auth, row.totp_pending), code, now.getTime());
      if (step === null) {
        await commitWithAudit(deps.store, deps.clock, [], [userEvent(c, auth, 'totp.enable', auth.userId, 'failure')]);
        throw codedError(400, 'totp_invalid', 'Wrong or used code');
      }
      const recovery = newRecoveryCodes(auth, now.toISOString());
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          {
            sql: 'UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ? WHERE id = ? AND tenant_id = ? AND totp_pending = ?',
            params: [step, auth.userId, auth.tenantId, row.totp_pending],
          },
          ...recovery.statements,
          // Sessions signed in with the password alone end: one of them may be an intruder's.
          invalidateUserSessionsStatement(auth.userId, auth.tenantId, auth.sessionId),
        ],
        [userEvent(c, auth, 'totp.enable', auth.userId)],
      );
      const body: RecoveryCodesResponse = { recoveryCodes: recovery.codes };
      return c.json(body);
    })
    .post('/totp/recovery-codes', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const { code } = await readJson(c, TotpCode);
      const row = await totpRowOf(c, auth);
      if (row.totp_secret === null) throw apiError(409, 'Set up a second factor first');
      const now = deps.clock.now();
      const step = verifyTotp(await openTotpSecret(c.var.tenantKeys, auth, row.totp_secret), code, now.getTime(), row.totp_last_step);
      const event = userEvent(c, auth, 'totp.recovery_codes', auth.userId);
      if (step === null) {
        await commitWithAudit(deps.store, deps.clock, [], [{ ...event, outcome: 'failure' }]);
        throw codedError(400, 'totp_invalid', 'Wrong or used code');
      }
      const recovery = newRecoveryCodes(auth, now.toISOString());
      await commitUsingCode(c, [useTotpStepStatement(auth, step), ...recovery.statements], event);
      const body: RecoveryCodesResponse = { recoveryCodes: recovery.codes };
      return c.json(body);
    })
    .post('/totp/disable', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      const body = await readJson(c, TotpDisableRequest);
      const user = await deps.store.first<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = ? AND tenant_id = ?', [auth.userId, auth.tenantId]);
      if (!user || !(await deps.passwordHasher.verify(user.password_hash, body.password))) {
        await commitWithAudit(deps.store, deps.clock, [], [userEvent(c, auth, 'totp.disable', auth.userId, 'failure')]);
        throw apiError(403, 'The password is wrong');
      }
      if (auth.policy.requireTotp) throw apiError(403, 'Your organisation requires a second factor');
      await commitWithAudit(deps.store, deps.clock, disableTotpStatements(auth), [userEvent(c, auth, 'totp.disable', auth.userId)]);
      return c.body(null, 204);
    });
}

/** Groups of four, as people type a secret into an app that cannot scan the QR code. */
function encodeSecretForTyping(secret: Uint8Array): string {
  return encodeTotpSecret(secret).match(/.{1,4}/g)!.join(' ');
}
