// sigma tenant create|cancel, sigma user create: the operator's account commands.
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../../auth/roles.ts';
import { AccountError, cancelTenant, createTenant, createUser } from '../../tenants/tenants.ts';
import type { PasswordHasher } from '../../ports.ts';
import { requireOption, UsageError } from '../io.ts';
import { openAdminContext, passwordFromStdin, type AdminIo } from './context.ts';

const TENANT_USAGE = `Usage:
  sigma tenant create --name NAME --admin-email EMAIL --password-stdin [--data-dir DIR]
  sigma tenant cancel --id TENANT_ID [--data-dir DIR]`;

const USER_USAGE = 'Usage: sigma user create --tenant TENANT_ID --email EMAIL --role owner|admin|member|viewer --password-stdin [--data-dir DIR]';

async function withAccountErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A weak password or a taken email is the caller's mistake: exit code 2 with the reason.
    if (error instanceof AccountError) throw new UsageError(error.message);
    throw error;
  }
}

export async function tenantCommand(args: string[], io: AdminIo, hasher?: PasswordHasher): Promise<void> {
  const [sub, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'password-stdin': { type: 'boolean' },
      id: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  });
  if (sub === 'create') {
    const name = requireOption(values.name, 'name').trim();
    const adminEmail = requireOption(values['admin-email'], 'admin-email');
    if (!values['password-stdin']) throw new UsageError('--password-stdin is required: give the password on standard input, never as an argument');
    if (!name || name.length > 200) throw new UsageError('--name must have 1 to 200 characters');
    const password = await passwordFromStdin(io);
    const context = await openAdminContext(io, values['data-dir'], hasher);
    try {
      const created = await withAccountErrors(() => createTenant(context, { name, adminEmail, password }));
      io.print(JSON.stringify(created));
    } finally {
      context.close();
    }
    return;
  }
  if (sub === 'cancel') {
    const id = requireOption(values.id, 'id');
    const context = await openAdminContext(io, values['data-dir'], hasher);
    try {
      await withAccountErrors(() => cancelTenant(context, id));
      io.print(JSON.stringify({ tenantId: id, status: 'cancelled' }));
    } finally {
      context.close();
    }
    return;
  }
  throw new UsageError(TENANT_USAGE);
}

export async function userCommand(args: string[], io: AdminIo, hasher?: PasswordHasher): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError(USER_USAGE);
  const { values } = parseArgs({
    args: rest,
    options: {
      tenant: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      'data-dir': { type: 'string' },
    },
  });
  const tenantId = requireOption(values.tenant, 'tenant');
  const email = requireOption(values.email, 'email');
  const role = requireOption(values.role, 'role');
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
  if (!values['password-stdin']) throw new UsageError('--password-stdin is required: give the password on standard input, never as an argument');
  const password = await passwordFromStdin(io);
  const context = await openAdminContext(io, values['data-dir'], hasher);
  try {
    const created = await withAccountErrors(() => createUser(context, { tenantId, email, password, role: role as Role }));
    io.print(JSON.stringify({ tenantId, ...created }));
  } finally {
    context.close();
  }
}
