// Tenant isolation and roles, route by route.
import { describe, expect, it } from 'vitest';
import { Client, type RequestOptions, seedTenant } from '../test/harness.ts';
import { createTestApp } from '../test/memory-ports.ts';

interface Ids {
  project: string;
  file: string;
  user: string;
  session: string;
}

/** Every route that takes an id, with a request that would change or read that object. */
const ID_ROUTES: [string, (ids: Ids) => string, RequestOptions?][] = [
  ['GET', (i) => `/api/v1/projects/${i.project}`],
  ['PATCH', (i) => `/api/v1/projects/${i.project}`, { body: { name: 'taken over' } }],
  ['DELETE', (i) => `/api/v1/projects/${i.project}`],
  ['GET', (i) => `/api/v1/projects/${i.project}/files`],
  ['POST', (i) => `/api/v1/projects/${i.project}/files?name=x`, { bytes: new Uint8Array([1]) }],
  ['GET', (i) => `/api/v1/files/${i.file}`],
  ['DELETE', (i) => `/api/v1/files/${i.file}`],
  ['GET', (i) => `/api/v1/admin/users/${i.user}`],
  ['PATCH', (i) => `/api/v1/admin/users/${i.user}`, { body: { disabled: true } }],
  ['DELETE', (i) => `/api/v1/admin/users/${i.user}/totp`],
  ['DELETE', (i) => `/api/v1/me/sessions/${i.session}`],
];

async function twoTenants() {
  const env = await createTestApp();
  const { app, deps } = env;
  const acme = await seedTenant(app, deps, 'Acme');
  const globex = await seedTenant(app, deps, 'Globex');
  const project = await (await globex.owner.post('/api/v1/projects', { name: 'Globex plans' })).json();
  const file = await (await globex.owner.request('POST', `/api/v1/projects/${project.id}/files?name=plans.csv`, { bytes: new TextEncoder().encode('secret') })).json();
  const { userId, client: globexMember } = await globex.addUser('member');
  const session = globexMember.cookie!.split('=')[1].split('.')[0];
  return { ...env, acme, globex, globexMember, ids: { project: project.id, file: file.id, user: userId, session } };
}

describe('cross-tenant matrix', () => {
  it('answers every route with another tenant’s id exactly like a missing id, and changes nothing', async () => {
    const { acme, globex, globexMember, ids, store } = await twoTenants();
    const missing: Ids = { project: crypto.randomUUID(), file: crypto.randomUUID(), user: crypto.randomUUID(), session: 'a'.repeat(32) };
    const auditBefore = await store.all('SELECT * FROM audit_events');
    for (const [method, path, options] of ID_ROUTES) {
      const foreign = await acme.owner.request(method, path(ids), options);
      const absent = await acme.owner.request(method, path(missing), options);
      expect([method, path(ids), foreign.status]).toEqual([method, path(ids), 404]);
      expect(absent.status).toBe(404);
      expect(await foreign.json()).toEqual(await absent.json());
    }
    expect(await store.all('SELECT * FROM audit_events')).toEqual(auditBefore);

    // Globex's objects are untouched.
    expect(await (await globex.owner.get(`/api/v1/projects/${ids.project}`)).json()).toMatchObject({ name: 'Globex plans', revision: 1 });
    expect(await (await globex.owner.get(`/api/v1/files/${ids.file}`)).text()).toBe('secret');
    expect((await globex.owner.get(`/api/v1/projects/${ids.project}/files`).then((r) => r.json())).files).toHaveLength(1);
    expect((await globexMember.get('/api/v1/me')).status).toBe(200);
    expect((await globex.owner.get(`/api/v1/admin/users/${ids.user}`).then((r) => r.json())).disabled).toBe(false);
  });

  it('lists only the own tenant’s objects', async () => {
    const { acme, globex } = await twoTenants();
    await acme.owner.post('/api/v1/projects', { name: 'Acme work' });
    const lists = await Promise.all(['/api/v1/projects', '/api/v1/admin/users', '/api/v1/admin/audit', '/api/v1/me/sessions'].map((p) => acme.owner.get(p).then((r) => r.text())));
    for (const text of lists) {
      expect(text).not.toContain(globex.tenantId);
      expect(text).not.toContain('globex');
      expect(text).not.toContain('Globex');
    }
    expect(JSON.parse(lists[0]).projects.map((p: { name: string }) => p.name)).toEqual(['Acme work']);
  });
});

describe('roles', () => {
  it('lets a viewer read but not write, a member write projects but not administer', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const project = await (await acme.owner.post('/api/v1/projects', { name: 'P' })).json();
    const file = await (await acme.owner.request('POST', `/api/v1/projects/${project.id}/files?name=f`, { bytes: new Uint8Array([5]) })).json();
    const { client: viewer } = await acme.addUser('viewer');
    const { client: member, userId: memberId } = await acme.addUser('member');

    const reads: [string, string][] = [
      ['GET', '/api/v1/projects'],
      ['GET', `/api/v1/projects/${project.id}`],
      ['GET', `/api/v1/projects/${project.id}/files`],
      ['GET', `/api/v1/files/${file.id}`],
      ['GET', '/api/v1/me'],
    ];
    const projectWrites: [string, string, RequestOptions][] = [
      ['POST', '/api/v1/projects', { body: { name: 'new' } }],
      ['PATCH', `/api/v1/projects/${project.id}`, { body: { name: 'renamed' } }],
      ['POST', `/api/v1/projects/${project.id}/files?name=g`, { bytes: new Uint8Array([1]) }],
    ];
    const adminRoutes: [string, string, RequestOptions][] = [
      ['GET', '/api/v1/admin/users', {}],
      ['GET', `/api/v1/admin/users/${memberId}`, {}],
      ['PATCH', `/api/v1/admin/users/${memberId}`, { body: { role: 'viewer' } }],
      ['POST', '/api/v1/admin/invitations', { body: { email: 'x@acme.example', role: 'viewer' } }],
      ['GET', '/api/v1/admin/audit', {}],
      ['GET', '/api/v1/admin/audit/verify', {}],
      ['GET', '/api/v1/admin/settings', {}],
      ['PATCH', '/api/v1/admin/settings', { body: { ipAllowlist: null } }],
      ['DELETE', `/api/v1/admin/users/${memberId}/totp`, {}],
    ];
    const destructive: [string, string][] = [
      ['DELETE', `/api/v1/files/${file.id}`],
      ['DELETE', `/api/v1/projects/${project.id}`],
    ];

    for (const [method, path] of reads) expect([path, (await viewer.request(method, path)).status]).toEqual([path, 200]);
    for (const [method, path, options] of [...projectWrites, ...adminRoutes, ...destructive.map(([m, p]) => [m, p, {}] as const)]) {
      const response = await viewer.request(method, path, options);
      expect([method, path, response.status]).toEqual([method, path, 403]);
      expect(await response.json()).toEqual({ error: { code: 'forbidden', message: 'Your role does not allow this' } });
    }
    for (const [method, path, options] of adminRoutes) expect([path, (await member.request(method, path, options)).status]).toEqual([path, 403]);
    const memberStatuses = [];
    for (const [method, path, options] of projectWrites) memberStatuses.push((await member.request(method, path, options)).status);
    expect(memberStatuses).toEqual([201, 200, 201]);
    for (const [method, path] of destructive) expect([path, (await member.request(method, path)).status]).toEqual([path, 204]);

    // Without a session every route but the health check answers 401.
    const anonymous = new Client(app);
    for (const [method, path, options] of [...reads.map(([m, p]) => [m, p, {}] as const), ...projectWrites, ...adminRoutes]) {
      expect([path, (await anonymous.request(method, path, options)).status]).toEqual([path, 401]);
    }
  });
});
