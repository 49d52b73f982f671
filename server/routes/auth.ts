// Sign-in, sign-out and accepting an invitation.
import { Hono, type Context } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import { AcceptInvitationRequest, type MeResponse } from '../../shared/schema/api-auth.ts';
import { SecondFactorLoginRequest } from '../../shared/schema/api-security.ts';
import type { AppEnv } from '../app.ts';
import { checkPasswordPolicy } from '../auth/password.ts';
import type { Role } from '../auth/roles.ts';
import { isCodeReuse, openTotpSecret, recoveryCodeHash, useRecoveryCodeStatement, useTotpStepStatement } from '../auth/second-factor.ts';
import { createSessionStatement, secretMatches, splitToken, tenantPolicyOf, type SessionAuth } from '../auth/session.ts';
import { verifyTotp } from '../auth/totp.ts';
import { clearAccountStatement, recordFailureStatements, throttleKeys, throttleWait } from '../auth/throttle.ts';
import { commitWithAudit, type AuditEvent } from '../audit/log.ts';
import { apiError, codedError } from '../http/errors.ts';
import { clientOf, readJson } from '../http/request.ts';
import { requireAuth, userEvent } from '../http/auth.ts';
import { sessionCookieName } from '../middleware/session/index.ts';
import { addressAllowedBy } from '../middleware/tenant-policy/index.ts';
import type { Statement } from '../ports.ts';
import { insertUserStatement, normalizeEmail } from '../tenants/tenants.ts';

const WRONG_CREDENTIALS = 'Wrong email or password';

interface LoginRow {
  id: string;
  tenant_id: string;
  tenant_name: string;
  email: string;
  password_hash: string;
  role: Role;
  disabled: number;
  status: string;
  totp_secret: string | null;
  totp_last_step: number | null;
  require_totp: number;
  ip_allowlist: string | null;
}

export function meOf(auth: Pick<SessionAuth, 'userId' | 'email' | 'role' | 'tenantId' | 'tenantName'>): MeResponse {
  return { user: { id: auth.userId, email: auth.email }, role: auth.role, tenant: { id: auth.tenantId, name: auth.tenantName } };
}

function setSessionCookie(c: Context<AppEnv>, token: string): void {
  const tls = Boolean(c.var.deps.tls);
  setCookie(c, sessionCookieName(tls), token, {
    httpOnly: true,
    secure: tls,
    sameSite: 'Lax',
    path: '/',
    maxAge: Math.floor(c.var.settings.session.absoluteLifetimeMs / 1000),
  });
}

export function authRoutes() {
  return new Hono<AppEnv>()
    .post('/login', async (c) => {
      const { deps, settings } = c.var;
      const body = await readJson(c, SecondFactorLoginRequest);
      const email = normalizeEmail(body.email);
      const client = clientOf(c);
      const user = await deps.store.first<LoginRow>(
        `SELECT u.id, u.tenant_id, t.name AS tenant_name, u.email, u.password_hash, u.role, u.disabled, t.status,
                u.totp_secret, u.totp_last_step, t.require_totp, t.ip_allowlist
           FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.email = ?`,
        [email],
      );
      const event = {
        tenantId: user?.tenant_id ?? null,
        actor: user?.id ?? 'anonymous',
        action: 'auth.login',
        target: user?.id ?? null,
        address: client.address,
        userAgent: client.userAgent,
      };
      const keys = throttleKeys(settings.throttle, email, client.address);
      const wait = await throttleWait(deps.store, deps.clock, keys);
      if (wait > 0) {
        await commitWithAudit(deps.store, deps.clock, [], [{ ...event, outcome: 'throttled' }]);
        throw apiError(429, 'Too many sign-in attempts; try again later', { 'Retry-After': String(Math.ceil(wait / 1000)) });
      }
      const fail = async (error: HTTPException): Promise<never> => {
        const failures = await recordFailureStatements(deps.store, deps.clock, settings.throttle, keys);
        await commitWithAudit(deps.store, deps.clock, failures, [{ ...event, outcome: 'failure' }]);
        throw error;
      };
      // An unknown account costs the same hash as a known one, so timing does not tell them apart.
      const passwordOk = await deps.passwordHasher.verify(user?.password_hash ?? (await c.var.dummyPasswordHash()), body.password);
      if (!user || !passwordOk || user.disabled || user.status !== 'active') return fail(apiError(401, WRONG_CREDENTIALS));

      // Told only to someone who knows the password: from this network, or without the second factor, not.
      if (!addressAllowedBy(tenantPolicyOf(user), client.address)) {
        await commitWithAudit(deps.store, deps.clock, [], [{ ...event, outcome: 'denied' }]);
        throw codedError(403, 'address_not_allowed', 'Your organisation does not allow access from this network');
      }
      const ref = { tenantId: user.tenant_id, userId: user.id };
      const now = deps.clock.now();
      const secondFactor: Statement[] = [];
      const events: AuditEvent[] = [{ ...event, outcome: 'success' }];
      if (user.totp_secret !== null) {
        if (body.totp === undefined && body.recoveryCode === undefined) {
          await commitWithAudit(deps.store, deps.clock, [], [{ ...event, outcome: 'denied' }]);
          throw codedError(401, 'totp_required', 'Enter the code from your authenticator app');
        }
        const wrongCode = () => codedError(401, 'totp_invalid', 'Wrong or used code');
        if (body.totp !== undefined) {
          const secret = await openTotpSecret(c.var.tenantKeys, ref, user.totp_secret);
          const step = verifyTotp(secret, body.totp, now.getTime(), user.totp_last_step);
          if (step === null) return fail(wrongCode());
          secondFactor.push(useTotpStepStatement(ref, step));
        } else {
          const hash = recoveryCodeHash(body.recoveryCode!);
          const unused =
            hash !== null &&
            (await deps.store.first('SELECT 1 AS unused FROM recovery_codes WHERE user_id = ? AND tenant_id = ? AND code_hash = ? AND used_at IS NULL', [
              user.id,
              user.tenant_id,
              hash,
            ]));
          if (!unused) return fail(wrongCode());
          secondFactor.push(useRecoveryCodeStatement(ref, hash, now.toISOString()));
          events.push({ ...event, action: 'auth.recovery_code', outcome: 'success' });
        }
      }
      const session = createSessionStatement(deps.clock, ref, client);
      try {
        await commitWithAudit(deps.store, deps.clock, [...secondFactor, session.statement, clearAccountStatement(keys)], events);
      } catch (error) {
        // Another sign-in used the same code between our check and this commit.
        if (isCodeReuse(error)) return fail(codedError(401, 'totp_invalid', 'Wrong or used code'));
        throw error;
      }
      setSessionCookie(c, session.token);
      return c.json(meOf({ userId: user.id, email: user.email, role: user.role, tenantId: user.tenant_id, tenantName: user.tenant_name }));
    })
    .post('/logout', async (c) => {
      const auth = requireAuth(c);
      const { deps } = c.var;
      await commitWithAudit(
        deps.store,
        deps.clock,
        [{ sql: 'DELETE FROM sessions WHERE id = ? AND tenant_id = ?', params: [auth.sessionId, auth.tenantId] }],
        [userEvent(c, auth, 'auth.logout', auth.sessionId)],
      );
      deleteCookie(c, sessionCookieName(Boolean(deps.tls)), { path: '/', secure: Boolean(deps.tls) });
      return c.body(null, 204);
    })
    .post('/accept', async (c) => {
      const { deps } = c.var;
      const body = await readJson(c, AcceptInvitationRequest);
      const invalid = () => apiError(400, 'The invitation is not valid or has expired');
      const parts = splitToken(body.token);
      if (!parts) throw invalid();
      const invitation = await deps.store.first<{
        id: string;
        tenant_id: string;
        tenant_name: string;
        email: string;
        role: Role;
        secret_hash: string;
        expires_at: string;
        accepted_at: string | null;
        status: string;
      }>(
        `SELECT i.id, i.tenant_id, t.name AS tenant_name, i.email, i.role, i.secret_hash, i.expires_at, i.accepted_at, t.status
           FROM invitations i JOIN tenants t ON t.id = i.tenant_id WHERE i.id = ?`,
        [parts.id],
      );
      if (
        !invitation ||
        !secretMatches(parts.secret, invitation.secret_hash) ||
        invitation.accepted_at !== null ||
        Date.parse(invitation.expires_at) <= deps.clock.now().getTime() ||
        invitation.status !== 'active'
      ) {
        throw invalid();
      }
      const problem = checkPasswordPolicy(body.password);
      if (problem) throw apiError(400, problem === 'too_short' ? 'The password must have at least 12 characters' : 'The password is too long');
      if (await deps.store.first('SELECT 1 AS taken FROM users WHERE email = ?', [invitation.email])) {
        throw apiError(409, 'An account with this email exists already');
      }
      const userId = crypto.randomUUID();
      const now = deps.clock.now().toISOString();
      const client = clientOf(c);
      const session = createSessionStatement(deps.clock, { tenantId: invitation.tenant_id, userId }, client);
      const passwordHash = await deps.passwordHasher.hash(body.password);
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          insertUserStatement({
            id: userId,
            tenantId: invitation.tenant_id,
            email: invitation.email,
            passwordHash,
            role: invitation.role,
            createdAt: now,
          }),
          // The condition makes a second, concurrent acceptance change nothing here; its user insert fails on the email.
          { sql: 'UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL', params: [now, invitation.id] },
          session.statement,
        ],
        [userEvent(c, { tenantId: invitation.tenant_id, userId }, 'invitation.accept', invitation.id)],
      ).catch((error: unknown) => {
        // A concurrent acceptance of the same invitation (or another one for this email) won the race.
        if (error instanceof Error && /UNIQUE constraint failed: users\.email/.test(error.message)) {
          throw apiError(409, 'An account with this email exists already');
        }
        throw error;
      });
      setSessionCookie(c, session.token);
      return c.json(
        meOf({ userId, email: invitation.email, role: invitation.role, tenantId: invitation.tenant_id, tenantName: invitation.tenant_name }),
        201,
      );
    });
}
