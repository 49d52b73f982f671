// The signed-in user: who they are, their sessions, their password.
import { Hono } from 'hono';
import { ChangePasswordRequest, type SessionsResponse } from '../../shared/schema/api-auth.ts';
import type { AppEnv } from '../app.ts';
import { checkPasswordPolicy } from '../auth/password.ts';
import { invalidateUserSessionsStatement } from '../auth/session.ts';
import { commitWithAudit } from '../audit/log.ts';
import { requireAuth, userEvent } from '../http/auth.ts';
import { apiError, notFound } from '../http/errors.ts';
import { readJson } from '../http/request.ts';
import { meOf } from './auth.ts';

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
    });
}
