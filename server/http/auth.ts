// What a route needs to know about who is asking, and the audit event it writes for them.
import type { Context } from 'hono';
import type { AppEnv } from '../app.ts';
import { hasRole, type Role } from '../auth/roles.ts';
import type { SessionAuth } from '../auth/session.ts';
import type { AuditEvent, AuditOutcome } from '../audit/log.ts';
import { apiError } from './errors.ts';
import { clientOf } from './request.ts';

/** The signed-in user, with at least the given role; 401 without a session, 403 below the role. */
export function requireAuth(c: Context<AppEnv>, atLeast: Role = 'viewer'): SessionAuth {
  const auth = c.var.auth;
  if (!auth) throw apiError(401, 'Sign in first');
  if (!hasRole(auth.role, atLeast)) throw apiError(403, 'Your role does not allow this');
  return auth;
}

export function userEvent(
  c: Context<AppEnv>,
  auth: Pick<SessionAuth, 'tenantId' | 'userId'>,
  action: string,
  target: string | null,
  outcome: AuditOutcome = 'success',
): AuditEvent {
  const client = clientOf(c);
  return { tenantId: auth.tenantId, actor: auth.userId, action, target, outcome, address: client.address, userAgent: client.userAgent };
}
