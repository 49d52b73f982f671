// The operator's HTTP routes, for deployments where no `sigma` command line can reach the
// database (Cloudflare Workers). Off unless an operator token is configured (the
// SIGMA_OPERATOR_TOKEN secret); then each request carries it as `Authorization: Bearer`.
// Like the command line, they create and cancel tenants and users, purge and verify the
// audit log, and never read tenant content.
import { Hono, type Context } from 'hono';
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import {
  OperatorTenantCreate,
  OperatorUserCreate,
  type OperatorAuditVerifyResponse,
  type OperatorPurgeResponse,
  type OperatorTenantCreated,
  type OperatorUserCreated,
} from '../../shared/schema/api-operator.ts';
import type { AppEnv } from '../app.ts';
import { commitWithAudit, listChains, verifyChain } from '../audit/log.ts';
import { apiError } from '../http/errors.ts';
import { clientOf, readJson } from '../http/request.ts';
import { runRetention } from '../jobs/retention.ts';
import { AccountError, cancelTenant, createTenant, createUser } from '../tenants/tenants.ts';

const encoder = new TextEncoder();

/** The SHA-256 of the operator token, as createApp takes it (the token itself is kept nowhere). */
export function operatorTokenHash(token: string): Uint8Array {
  return sha256(encoder.encode(token));
}

async function requireOperator(c: Context<AppEnv>): Promise<void> {
  const { deps } = c.var;
  // Without a token the routes do not exist, answered like any unknown route.
  if (!deps.operatorTokenHash) throw apiError(404, 'No such API route');
  const header = c.req.header('authorization') ?? '';
  const token = /^Bearer (\S{1,512})$/.exec(header)?.[1];
  if (token !== undefined && constantTimeEqual(operatorTokenHash(token), deps.operatorTokenHash)) return;
  const client = clientOf(c);
  await commitWithAudit(deps.store, deps.clock, [], [
    { tenantId: null, actor: 'anonymous', action: 'operator.auth', target: null, outcome: 'failure', address: client.address, userAgent: client.userAgent },
  ]);
  throw apiError(401, 'Operator token required');
}

function accountErrorStatus(error: AccountError): 400 | 404 | 409 {
  if (error.code === 'email_taken' || error.code === 'tenant_cancelled') return 409;
  if (error.code === 'no_tenant') return 404;
  return 400;
}

async function withAccountErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AccountError) throw apiError(accountErrorStatus(error), error.message);
    throw error;
  }
}

export function operatorRoutes() {
  return new Hono<AppEnv>()
    .post('/tenants', async (c) => {
      await requireOperator(c);
      const body = await readJson(c, OperatorTenantCreate);
      const created: OperatorTenantCreated = await withAccountErrors(() => createTenant(c.var.deps, { name: body.name, adminEmail: body.adminEmail, password: body.password }));
      return c.json(created, 201);
    })
    .post('/tenants/:id/cancel', async (c) => {
      await requireOperator(c);
      await withAccountErrors(() => cancelTenant(c.var.deps, c.req.param('id')));
      return c.body(null, 204);
    })
    .post('/users', async (c) => {
      await requireOperator(c);
      const body = await readJson(c, OperatorUserCreate);
      const created: OperatorUserCreated = await withAccountErrors(() => createUser(c.var.deps, body));
      return c.json(created, 201);
    })
    .post('/purge', async (c) => {
      await requireOperator(c);
      const { deps, settings } = c.var;
      // The same work as the daily Cron Trigger, orphan blob sweep included.
      const report = await runRetention(deps, settings);
      const body: OperatorPurgeResponse = { purged: [...report.tenantsPurged], audit: [...report.audit] };
      return c.json(body);
    })
    .get('/audit/verify', async (c) => {
      await requireOperator(c);
      const { store } = c.var.deps;
      const chains: OperatorAuditVerifyResponse['chains'] = [];
      for (const chain of await listChains(store)) chains.push({ chain, ...(await verifyChain(store, chain)) });
      const body: OperatorAuditVerifyResponse = { chains };
      return c.json(body);
    });
}
