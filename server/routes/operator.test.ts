import { describe, expect, it } from 'vitest';
import { readEvents } from '../audit/log.ts';
import { Client, PASSWORD, signIn } from '../test/harness.ts';
import { createTestApp } from '../test/memory-ports.ts';
import { operatorTokenHash } from './operator.ts';

const TOKEN = 'operator-token-of-at-least-some-length-0123456789';


async function call(app: Parameters<typeof signIn>[0], method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  return new Client(app).request(method, path, { body, headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
}

describe('operator routes', () => {
  it('do not exist without an operator token', async () => {
    const { app } = await createTestApp();
    for (const [method, path] of [
      ['POST', '/api/v1/operator/tenants'],
      ['POST', '/api/v1/operator/purge'],
      ['GET', '/api/v1/operator/audit/verify'],
    ]) {
      const response = await call(app, method, path, method === 'POST' ? {} : undefined);
      expect([path, response.status, await response.json()]).toEqual([path, 404, { error: { code: 'not_found', message: 'No such API route' } }]);
    }
  });

  it('refuse a missing or wrong token, and audit the attempt', async () => {
    const { app, store } = await createTestApp({ operatorTokenHash: operatorTokenHash(TOKEN) });
    expect((await call(app, 'GET', '/api/v1/operator/audit/verify', undefined, null)).status).toBe(401);
    expect((await call(app, 'GET', '/api/v1/operator/audit/verify', undefined, `${TOKEN}x`)).status).toBe(401);
    expect((await call(app, 'POST', '/api/v1/operator/tenants', { name: 'A', adminEmail: 'a@a.example', password: PASSWORD }, 'nope')).status).toBe(401);
    expect((await readEvents(store, { chain: 'service' })).map((e) => `${e.action}:${e.outcome}`)).toEqual(Array(3).fill('operator.auth:failure'));
  });

  it('create tenants and users, cancel, purge and verify, as the command line does', async () => {
    const { app } = await createTestApp({ operatorTokenHash: operatorTokenHash(TOKEN) });
    const created = await call(app, 'POST', '/api/v1/operator/tenants', { name: 'Acme', adminEmail: 'Owner@Acme.example', password: PASSWORD });
    expect(created.status).toBe(201);
    const { tenantId } = await created.json();
    await signIn(app, 'owner@acme.example');
    const weak = await call(app, 'POST', '/api/v1/operator/tenants', { name: 'Weak', adminEmail: 'w@w.example', password: 'short' });
    expect([weak.status, (await weak.json()).error.message]).toEqual([400, 'The password must have at least 12 characters']);
    expect((await call(app, 'POST', '/api/v1/operator/tenants', { name: 'Again', adminEmail: 'owner@acme.example', password: PASSWORD })).status).toBe(409);

    const user = await call(app, 'POST', '/api/v1/operator/users', { tenantId, email: 'mia@acme.example', role: 'member', password: PASSWORD });
    expect(user.status).toBe(201);
    await signIn(app, 'mia@acme.example');
    expect((await call(app, 'POST', '/api/v1/operator/users', { tenantId: 'nope', email: 'x@acme.example', role: 'member', password: PASSWORD })).status).toBe(404);

    expect((await call(app, 'POST', `/api/v1/operator/tenants/${tenantId}/cancel`)).status).toBe(204);
    expect((await call(app, 'POST', `/api/v1/operator/tenants/${tenantId}/cancel`)).status).toBe(409);
    expect((await new Client(app).post('/api/v1/auth/login', { email: 'mia@acme.example', password: PASSWORD })).status).toBe(401);

    expect(await (await call(app, 'POST', '/api/v1/operator/purge')).json()).toEqual({ purged: [], audit: [] });
    const verified = await (await call(app, 'GET', '/api/v1/operator/audit/verify')).json();
    expect(verified.chains.map((c: { chain: string; ok: boolean }) => [c.chain, c.ok]).sort()).toEqual([
      ['service', true],
      [tenantId, true],
    ].sort());
  });
});
