import { describe, expect, it } from 'vitest';
import { Client, PASSWORD, seedTenant } from '../test/harness.ts';
import { createTestApp, manualClock, TEST_ADDRESS_HEADER } from '../test/memory-ports.ts';

describe('audit log over the API', () => {
  it('records one event per state change and per sign-in attempt, with who, where and the outcome', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock });
    const acme = await seedTenant(app, deps, 'Acme');
    await new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: 'wrong password!!' }, { headers: { 'User-Agent': 'curl/8' } });
    await new Client(app).post('/api/v1/auth/login', { email: 'nobody@acme.example', password: PASSWORD });
    clock.advance(60_000);
    const project = await (await acme.owner.post('/api/v1/projects', { name: 'Secret name' })).json();
    await acme.owner.patch(`/api/v1/projects/${project.id}`, { folder: 'f' });
    const file = await (await acme.owner.request('POST', `/api/v1/projects/${project.id}/files?name=a.csv`, { bytes: new Uint8Array([1, 2]) })).json();
    await acme.owner.post('/api/v1/admin/invitations', { email: 'new@acme.example', role: 'viewer' });
    await acme.owner.delete(`/api/v1/projects/${project.id}`);
    // Reads and refused requests change nothing and add nothing.
    await acme.owner.get('/api/v1/projects');
    await acme.owner.post('/api/v1/projects', { name: '' });

    const response = await acme.owner.get('/api/v1/admin/audit');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const events = (await response.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => [e.seq, e.action, e.outcome])).toEqual([
      [1, 'user.create', 'success'],
      [2, 'auth.login', 'success'],
      [3, 'auth.login', 'failure'],
      [4, 'project.create', 'success'],
      [5, 'project.update', 'success'],
      [6, 'file.create', 'success'],
      [7, 'invitation.create', 'success'],
      [8, 'project.delete', 'success'],
    ]);
    expect(events[2]).toMatchObject({
      timestamp: '2026-01-02T03:04:05.000Z',
      tenant: acme.tenantId,
      actor: acme.ownerId,
      target: acme.ownerId,
      address: '192.0.2.1',
      userAgent: 'curl/8',
    });
    expect(events[3]).toMatchObject({ timestamp: '2026-01-02T03:05:05.000Z', actor: acme.ownerId, target: project.id });
    expect(events[5].target).toBe(file.id);
    // The log holds ids, never customer content.
    expect(JSON.stringify(events)).not.toContain('Secret name');
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);

    expect(await (await acme.owner.get('/api/v1/admin/audit/verify')).json()).toEqual({ ok: true, events: 8 });
  });

  it('filters by time, exports CSV safe for spreadsheets, and shows only the own tenant', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock });
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    clock.advance(3_600_000);
    await acme.owner.request('POST', '/api/v1/projects', { body: { name: 'A' }, headers: { 'User-Agent': '=HYPERLINK("http://evil")', [TEST_ADDRESS_HEADER]: '2001:db8::1' } });
    await globex.owner.post('/api/v1/projects', { name: 'G' });

    const later = await (await acme.owner.get('/api/v1/admin/audit?from=2026-01-02T04:00:00Z&format=jsonl')).text();
    expect(later.trim().split('\n').map((l) => JSON.parse(l).action)).toEqual(['project.create']);
    const earlier = await (await acme.owner.get('/api/v1/admin/audit?to=2026-01-02T04:00:00Z')).text();
    expect(earlier.trim().split('\n').map((l) => JSON.parse(l).action)).toEqual(['user.create', 'auth.login']);
    expect(earlier + later).not.toContain(globex.tenantId);

    const csv = await acme.owner.get('/api/v1/admin/audit?format=csv');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('seq,timestamp,tenant,actor,action,target,outcome,address,userAgent,prevHash,hash');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toContain(`,2001:db8::1,"'=HYPERLINK(""http://evil"")",`);

    expect((await acme.owner.get('/api/v1/admin/audit?from=yesterday')).status).toBe(400);
    expect((await acme.owner.get('/api/v1/admin/audit?format=xml')).status).toBe(400);
  });

  it('reports the first broken event after tampering', async () => {
    const { app, deps, store } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    for (const name of ['a', 'b', 'c']) await acme.owner.post('/api/v1/projects', { name });
    expect(await (await acme.owner.get('/api/v1/admin/audit/verify')).json()).toEqual({ ok: true, events: 5 });
    await store.run("UPDATE audit_events SET actor = 'someone' WHERE chain = ? AND seq = 4", [acme.tenantId]);
    expect(await (await acme.owner.get('/api/v1/admin/audit/verify')).json()).toEqual({ ok: false, events: 3, firstBrokenSeq: 4 });
  });
});
