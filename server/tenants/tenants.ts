// Tenants and their users, as the operator's command line and the routes create them.
import { checkPasswordPolicy } from '../auth/password.ts';
import type { Role } from '../auth/roles.ts';
import { commitWithAudit, type AuditEvent } from '../audit/log.ts';
import type { Clock, KeyRing, PasswordHasher, Statement, Store } from '../ports.ts';

export interface AccountDeps {
  readonly store: Store;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly passwordHasher: PasswordHasher;
}

export class AccountError extends Error {
  override name = 'AccountError';
  constructor(
    readonly code: 'weak_password' | 'email_taken' | 'no_tenant' | 'tenant_cancelled',
    message: string,
  ) {
    super(message);
  }
}

const OPERATOR = 'operator';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function assertPasswordPolicy(password: string): void {
  const problem = checkPasswordPolicy(password);
  if (problem === 'too_short') throw new AccountError('weak_password', 'The password must have at least 12 characters');
  if (problem === 'too_long') throw new AccountError('weak_password', 'The password must have at most 256 characters');
}

export async function emailTaken(store: Store, email: string): Promise<boolean> {
  return (await store.first('SELECT 1 AS taken FROM users WHERE email = ?', [normalizeEmail(email)])) !== undefined;
}

export function insertUserStatement(user: {
  id: string;
  tenantId: string;
  email: string;
  passwordHash: string;
  role: Role;
  createdAt: string;
}): Statement {
  return {
    sql: 'INSERT INTO users (id, tenant_id, email, password_hash, role, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)',
    params: [user.id, user.tenantId, normalizeEmail(user.email), user.passwordHash, user.role, user.createdAt],
  };
}

function operatorEvent(tenantId: string | null, action: string, target: string): AuditEvent {
  return { tenantId, actor: OPERATOR, action, target, outcome: 'success', address: null, userAgent: 'sigma-cli' };
}

/** A tenant with a fresh data key and its first owner; one event in the service log, one in the tenant's. */
export async function createTenant(
  deps: AccountDeps,
  input: { name: string; adminEmail: string; password: string },
): Promise<{ tenantId: string; userId: string }> {
  assertPasswordPolicy(input.password);
  if (await emailTaken(deps.store, input.adminEmail)) throw new AccountError('email_taken', 'An account with this email exists already');
  const tenantId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const now = deps.clock.now().toISOString();
  const statements: Statement[] = [
    {
      sql: "INSERT INTO tenants (id, name, data_key, status, created_at) VALUES (?, ?, ?, 'active', ?)",
      params: [tenantId, input.name, await deps.keyRing.createDataKey(), now],
    },
    insertUserStatement({
      id: userId,
      tenantId,
      email: input.adminEmail,
      passwordHash: await deps.passwordHasher.hash(input.password),
      role: 'owner',
      createdAt: now,
    }),
  ];
  await commitWithAudit(deps.store, deps.clock, statements, [
    operatorEvent(null, 'tenant.create', tenantId),
    operatorEvent(tenantId, 'user.create', userId),
  ]);
  return { tenantId, userId };
}

/** Cancelled tenants cannot sign in; their sessions end now. Their data is erased later by purge. */
export async function cancelTenant(deps: AccountDeps, tenantId: string): Promise<void> {
  const tenant = await deps.store.first<{ status: string }>('SELECT status FROM tenants WHERE id = ?', [tenantId]);
  if (!tenant) throw new AccountError('no_tenant', 'No such tenant');
  if (tenant.status === 'cancelled') throw new AccountError('tenant_cancelled', 'The tenant is cancelled already');
  await commitWithAudit(
    deps.store,
    deps.clock,
    [
      { sql: "UPDATE tenants SET status = 'cancelled', cancelled_at = ? WHERE id = ?", params: [deps.clock.now().toISOString(), tenantId] },
      { sql: 'DELETE FROM sessions WHERE tenant_id = ?', params: [tenantId] },
    ],
    [operatorEvent(null, 'tenant.cancel', tenantId)],
  );
}

export async function createUser(
  deps: AccountDeps,
  input: { tenantId: string; email: string; password: string; role: Role },
): Promise<{ userId: string }> {
  assertPasswordPolicy(input.password);
  const tenant = await deps.store.first<{ status: string }>('SELECT status FROM tenants WHERE id = ?', [input.tenantId]);
  if (!tenant) throw new AccountError('no_tenant', 'No such tenant');
  if (tenant.status !== 'active') throw new AccountError('tenant_cancelled', 'The tenant is cancelled');
  if (await emailTaken(deps.store, input.email)) throw new AccountError('email_taken', 'An account with this email exists already');
  const userId = crypto.randomUUID();
  const statement = insertUserStatement({
    id: userId,
    tenantId: input.tenantId,
    email: input.email,
    passwordHash: await deps.passwordHasher.hash(input.password),
    role: input.role,
    createdAt: deps.clock.now().toISOString(),
  });
  await commitWithAudit(deps.store, deps.clock, [statement], [operatorEvent(input.tenantId, 'user.create', userId)]);
  return { userId };
}
