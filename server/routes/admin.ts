// Tenant administration (owner and admin): invitations, users, security settings, the audit log.
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import {
  AuditQuery,
  InvitationRequest,
  UserPatch,
  type AuditVerifyResponse,
  type InvitationResponse,
  type UserSummary,
  type UsersResponse,
} from '../../shared/schema/api-admin.ts';
import { TenantSettingsPatch, type TenantSettings } from '../../shared/schema/api-security.ts';
import type { AppEnv } from '../app.ts';
import { disableTotpStatements } from '../auth/second-factor.ts';
import { tenantPolicyOf, type SessionAuth } from '../auth/session.ts';
import { parseCidr, type CidrProblem } from '../http/address.ts';
import { addressAllowedBy } from '../middleware/tenant-policy/index.ts';
import type { Role } from '../auth/roles.ts';
import { generateToken, hashSecret, invalidateUserSessionsStatement } from '../auth/session.ts';
import { commitWithAudit, readEvents, verifyChain, type AuditRow } from '../audit/log.ts';
import { requireAuth, userEvent } from '../http/auth.ts';
import { apiError, notFound } from '../http/errors.ts';
import { clientOf, readJson } from '../http/request.ts';
import type { Statement } from '../ports.ts';
import { emailTaken } from '../tenants/tenants.ts';

interface UserRow {
  id: string;
  email: string;
  role: Role;
  disabled: number;
  created_at: string;
}

function summaryOf(row: UserRow): UserSummary {
  return { id: row.id, email: row.email, role: row.role, disabled: row.disabled === 1, createdAt: row.created_at };
}

const AUDIT_FIELDS = ['seq', 'timestamp', 'tenant', 'actor', 'action', 'target', 'outcome', 'address', 'userAgent', 'prevHash', 'hash'] as const;

function exportRow(row: AuditRow): Record<(typeof AUDIT_FIELDS)[number], string | number | null> {
  return {
    seq: row.seq,
    timestamp: row.ts,
    tenant: row.tenant_id,
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    address: row.address,
    userAgent: row.user_agent,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** RFC 4180 quoting, and a leading quote before =, +, -, @ so a spreadsheet never runs a user agent as a formula. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CIDR_PROBLEMS: Record<CidrProblem, string> = {
  not_an_address: 'is not an IPv4 or IPv6 address',
  bad_prefix: 'has a prefix length out of range',
  host_bits_set: 'has bits set after the prefix (write the network address, such as 203.0.113.0/24)',
};

/**
 * Mails the link too. A failure is logged and recorded (`invitation.mail`, outcome failure)
 * but not answered as an error: the invitation exists and the admin has the link to pass on.
 */
async function mailInvitation(
  c: Context<AppEnv>,
  auth: SessionAuth,
  invitation: { id: string; email: string; role: Role; url: string; expiresAt: string },
): Promise<void> {
  const { deps } = c.var;
  let outcome: 'success' | 'failure' = 'success';
  try {
    await deps.mailer!.send({
      to: invitation.email,
      subject: `Your invitation to ${auth.tenantName} on Sigma`,
      text: [
        `${auth.email} invites you to join ${auth.tenantName} on Sigma as ${invitation.role}.`,
        '',
        'Open this link to choose your password and sign in:',
        invitation.url,
        '',
        `The link works once and expires on ${invitation.expiresAt.slice(0, 16).replace('T', ' ')} UTC.`,
        'If you did not expect this invitation, ignore this message.',
      ].join('\n'),
    });
  } catch (error) {
    outcome = 'failure';
    console.error('Mailing an invitation failed:', error instanceof Error ? error.message : error);
  }
  await commitWithAudit(deps.store, deps.clock, [], [userEvent(c, auth, 'invitation.mail', invitation.id, outcome)]);
}

interface SettingsRow {
  require_totp: number;
  ip_allowlist: string | null;
}

export function adminRoutes() {
  return new Hono<AppEnv>()
    .post('/invitations', async (c) => {
      const auth = requireAuth(c, 'admin');
      const { deps, settings } = c.var;
      const body = await readJson(c, InvitationRequest);
      if (body.role === 'owner' && auth.role !== 'owner') throw apiError(403, 'Only an owner can invite an owner');
      if (await emailTaken(deps.store, body.email)) throw apiError(409, 'An account with this email exists already');
      const { id, secret, token } = generateToken();
      const now = deps.clock.now();
      const expiresAt = new Date(now.getTime() + settings.invitationTtlMs).toISOString();
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          {
            sql: `INSERT INTO invitations (id, tenant_id, email, role, secret_hash, created_by, created_at, expires_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            params: [id, auth.tenantId, body.email, body.role, hashSecret(secret), auth.userId, now.toISOString(), expiresAt],
          },
        ],
        [userEvent(c, auth, 'invitation.create', id)],
      );
      const origin = settings.publicOrigin ?? new URL(c.req.url).origin;
      // The token rides in the fragment: browsers never send it to a server or in a Referer.
      const response: InvitationResponse = { url: `${origin}/accept#${token}`, expiresAt };
      if (deps.mailer) await mailInvitation(c, auth, { id, email: body.email, role: body.role, url: response.url, expiresAt });
      return c.json(response, 201);
    })
    .get('/users', async (c) => {
      const auth = requireAuth(c, 'admin');
      const rows = await c.var.deps.store.all<UserRow>(
        'SELECT id, email, role, disabled, created_at FROM users WHERE tenant_id = ? ORDER BY email',
        [auth.tenantId],
      );
      const body: UsersResponse = { users: rows.map(summaryOf) };
      return c.json(body);
    })
    .get('/users/:id', async (c) => {
      const auth = requireAuth(c, 'admin');
      const row = await c.var.deps.store.first<UserRow>('SELECT id, email, role, disabled, created_at FROM users WHERE id = ? AND tenant_id = ?', [
        c.req.param('id'),
        auth.tenantId,
      ]);
      if (!row) throw notFound();
      return c.json(summaryOf(row));
    })
    .patch('/users/:id', async (c) => {
      const auth = requireAuth(c, 'admin');
      const { deps } = c.var;
      const patch = await readJson(c, UserPatch);
      const row = await deps.store.first<UserRow>('SELECT id, email, role, disabled, created_at FROM users WHERE id = ? AND tenant_id = ?', [
        c.req.param('id'),
        auth.tenantId,
      ]);
      if (!row) throw notFound();
      if (patch.role === undefined && patch.disabled === undefined) throw apiError(400, 'Nothing to change');
      if (row.id === auth.userId) throw apiError(400, 'You cannot change your own role or disable yourself');
      if ((row.role === 'owner' || patch.role === 'owner') && auth.role !== 'owner') throw apiError(403, 'Only an owner can change an owner');
      const role = patch.role ?? row.role;
      const disabled = patch.disabled ?? row.disabled === 1;
      const statements: Statement[] = [
        { sql: 'UPDATE users SET role = ?, disabled = ? WHERE id = ? AND tenant_id = ?', params: [role, disabled ? 1 : 0, row.id, auth.tenantId] },
      ];
      if (disabled || role !== row.role) statements.push(invalidateUserSessionsStatement(row.id, auth.tenantId));
      await commitWithAudit(deps.store, deps.clock, statements, [userEvent(c, auth, 'user.update', row.id)]);
      return c.json(summaryOf({ ...row, role, disabled: disabled ? 1 : 0 }));
    })
    .delete('/users/:id/totp', async (c) => {
      const auth = requireAuth(c, 'admin');
      const { deps } = c.var;
      const row = await deps.store.first<UserRow>('SELECT id, email, role, disabled, created_at FROM users WHERE id = ? AND tenant_id = ?', [
        c.req.param('id'),
        auth.tenantId,
      ]);
      if (!row) throw notFound();
      if (row.role === 'owner' && auth.role !== 'owner') throw apiError(403, 'Only an owner can change an owner');
      // For a lost device without recovery codes: the user signs in with the password and enrols again.
      await commitWithAudit(
        deps.store,
        deps.clock,
        [...disableTotpStatements({ tenantId: auth.tenantId, userId: row.id }), invalidateUserSessionsStatement(row.id, auth.tenantId)],
        [userEvent(c, auth, 'totp.reset', row.id)],
      );
      return c.body(null, 204);
    })
    .get('/settings', async (c) => {
      const auth = requireAuth(c, 'admin');
      const row = await c.var.deps.store.first<SettingsRow>('SELECT require_totp, ip_allowlist FROM tenants WHERE id = ?', [auth.tenantId]);
      if (!row) throw notFound();
      const policy = tenantPolicyOf(row);
      const body: TenantSettings = { requireTotp: policy.requireTotp, ipAllowlist: policy.ipAllowlist?.slice() ?? null };
      return c.json(body);
    })
    .patch('/settings', async (c) => {
      const auth = requireAuth(c, 'admin');
      const { deps } = c.var;
      const patch = await readJson(c, TenantSettingsPatch);
      if (patch.requireTotp === undefined && patch.ipAllowlist === undefined) throw apiError(400, 'Nothing to change');
      const row = await deps.store.first<SettingsRow>('SELECT require_totp, ip_allowlist FROM tenants WHERE id = ?', [auth.tenantId]);
      if (!row) throw notFound();
      const current = tenantPolicyOf(row);
      if (patch.requireTotp && !auth.totpEnabled) throw apiError(400, 'Set up your own second factor first');
      if (patch.ipAllowlist) {
        patch.ipAllowlist.forEach((text, i) => {
          const parsed = parseCidr(text);
          if (typeof parsed === 'string') throw apiError(400, `ipAllowlist entry ${i + 1} ${CIDR_PROBLEMS[parsed]}`);
        });
      }
      const next = {
        requireTotp: patch.requireTotp ?? current.requireTotp,
        ipAllowlist: patch.ipAllowlist === undefined ? current.ipAllowlist : patch.ipAllowlist,
      };
      // An allowlist that leaves out the admin's own address would lock them out with the next request.
      if (patch.ipAllowlist && !addressAllowedBy(next, clientOf(c).address)) {
        throw apiError(400, 'The allowlist must include the address you are using now');
      }
      await commitWithAudit(
        deps.store,
        deps.clock,
        [
          {
            sql: 'UPDATE tenants SET require_totp = ?, ip_allowlist = ? WHERE id = ?',
            params: [next.requireTotp ? 1 : 0, next.ipAllowlist === null ? null : JSON.stringify(next.ipAllowlist), auth.tenantId],
          },
        ],
        [userEvent(c, auth, 'tenant.settings_update', auth.tenantId)],
      );
      const body: TenantSettings = { requireTotp: next.requireTotp, ipAllowlist: next.ipAllowlist?.slice() ?? null };
      return c.json(body);
    })
    .get('/audit', async (c) => {
      const auth = requireAuth(c, 'admin');
      const parsed = v.safeParse(AuditQuery, c.req.query());
      if (!parsed.success) throw apiError(400, 'from and to must be ISO 8601 timestamps; format jsonl or csv');
      const { from, to, format } = parsed.output;
      const rows = await readEvents(c.var.deps.store, {
        chain: auth.tenantId,
        from: from ? new Date(from).toISOString() : undefined,
        to: to ? new Date(to).toISOString() : undefined,
      });
      const records = rows.map(exportRow);
      if (format === 'csv') {
        const lines = [AUDIT_FIELDS.join(','), ...records.map((r) => AUDIT_FIELDS.map((f) => csvCell(r[f])).join(','))];
        return c.body(lines.join('\r\n') + '\r\n', 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      }
      return c.body(records.map((r) => JSON.stringify(r) + '\n').join(''), 200, { 'Content-Type': 'application/x-ndjson' });
    })
    .get('/audit/verify', async (c) => {
      const auth = requireAuth(c, 'admin');
      const body: AuditVerifyResponse = await verifyChain(c.var.deps.store, auth.tenantId);
      return c.json(body);
    });
}
