import { describe, expect, it } from 'vitest';
import { Client, PASSWORD, seedTenant, signIn } from '../test/harness.ts';
import type { PasswordHasher } from '../ports.ts';
import { createTestApp, manualClock, testPasswordHasher } from '../test/memory-ports.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('invitations', () => {
  it('gives a one-time link that sets the password and signs the new user in with the invited role', async () => {
    const { app, deps, store } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const invited = await acme.owner.post('/api/v1/admin/invitations', { email: 'New.Person@Acme.example', role: 'member' });
    expect(invited.status).toBe(201);
    const { url, expiresAt } = await invited.json();
    expect(url).toMatch(/^http:\/\/localhost\/accept#[a-z2-7]{32}\.[a-z2-7]{32}$/);
    expect(expiresAt).toBe('2026-01-09T03:04:05.000Z');
    const token = url.split('#')[1];
    expect(JSON.stringify(await store.all('SELECT * FROM invitations'))).not.toContain(token.split('.')[1]);

    const newcomer = new Client(app);
    expect((await newcomer.post('/api/v1/auth/accept', { token, password: 'short' })).status).toBe(400);
    const accepted = await newcomer.post('/api/v1/auth/accept', { token, password: PASSWORD });
    expect(accepted.status).toBe(201);
    expect(await accepted.json()).toMatchObject({ user: { email: 'new.person@acme.example' }, role: 'member', tenant: { id: acme.tenantId } });
    expect((await newcomer.get('/api/v1/me')).status).toBe(200);
    await signIn(app, 'new.person@acme.example');

    // One time only.
    const again = await new Client(app).post('/api/v1/auth/accept', { token, password: PASSWORD });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: { code: 'bad_request', message: 'The invitation is not valid or has expired' } });
  });

  it('answers a second, concurrent acceptance of the same link with 409', async () => {
    // Each hash waits until both acceptances are hashing: both have passed every check by then.
    let waiting: (() => void)[] = [];
    const hasher: PasswordHasher = {
      async hash(password) {
        if (waiting.length < 1) await new Promise<void>((resolve) => waiting.push(resolve));
        else for (const release of waiting.splice(0)) release();
        return testPasswordHasher.hash(password);
      },
      verify: (stored, password) => testPasswordHasher.verify(stored, password),
    };
    const { app, deps, store } = await createTestApp({ passwordHasher: hasher });
    waiting = [];
    const acme = await seedTenant(app, { ...deps, passwordHasher: testPasswordHasher }, 'Acme');
    const { url } = await (await acme.owner.post('/api/v1/admin/invitations', { email: 'twice@acme.example', role: 'member' })).json();
    const token = url.split('#')[1];
    const answers = await Promise.all([1, 2].map(() => new Client(app).post('/api/v1/auth/accept', { token, password: PASSWORD })));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    const conflict = answers.find((r) => r.status === 409)!;
    expect(await conflict.json()).toEqual({ error: { code: 'conflict', message: 'An account with this email exists already' } });
    expect(await store.all("SELECT email FROM users WHERE email = 'twice@acme.example'")).toHaveLength(1);
  });

  it('expires after 7 days and refuses a forged token', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock });
    const acme = await seedTenant(app, deps, 'Acme');
    const { url } = await (await acme.owner.post('/api/v1/admin/invitations', { email: 'late@acme.example', role: 'viewer' })).json();
    const token: string = url.split('#')[1];
    const forged = `${token.split('.')[0]}.${'b'.repeat(32)}`;
    expect((await new Client(app).post('/api/v1/auth/accept', { token: forged, password: PASSWORD })).status).toBe(400);
    clock.advance(7 * DAY);
    expect((await new Client(app).post('/api/v1/auth/accept', { token, password: PASSWORD })).status).toBe(400);
  });

  it('is for owners and admins; only an owner invites an owner; a taken email is refused', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const { client: admin } = await acme.addUser('admin');
    const { client: member } = await acme.addUser('member');
    expect((await member.post('/api/v1/admin/invitations', { email: 'x@acme.example', role: 'viewer' })).status).toBe(403);
    expect((await admin.post('/api/v1/admin/invitations', { email: 'x@acme.example', role: 'owner' })).status).toBe(403);
    expect((await admin.post('/api/v1/admin/invitations', { email: 'x@acme.example', role: 'admin' })).status).toBe(201);
    expect((await admin.post('/api/v1/admin/invitations', { email: 'owner@acme.example', role: 'viewer' })).status).toBe(409);
    expect((await admin.post('/api/v1/admin/invitations', { email: 'not an email', role: 'viewer' })).status).toBe(400);
  });
});

describe('users', () => {
  it('lists, reads and changes role and disabled; disabling ends the sessions and blocks sign-in', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const { userId, client: member } = await acme.addUser('member', 'mia@acme.example');
    const list = await (await acme.owner.get('/api/v1/admin/users')).json();
    expect(list.users.map((u: { email: string; role: string }) => [u.email, u.role])).toEqual([
      ['mia@acme.example', 'member'],
      ['owner@acme.example', 'owner'],
    ]);
    expect(await (await acme.owner.get(`/api/v1/admin/users/${userId}`)).json()).toEqual({
      id: userId,
      email: 'mia@acme.example',
      role: 'member',
      disabled: false,
      createdAt: '2026-01-02T03:04:05.000Z',
    });

    const promoted = await acme.owner.patch(`/api/v1/admin/users/${userId}`, { role: 'viewer' });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).role).toBe('viewer');
    // A role change ends the user's sessions, so the new role applies at once.
    expect((await member.get('/api/v1/me')).status).toBe(401);
    const viewer = await signIn(app, 'mia@acme.example');
    expect((await viewer.get('/api/v1/me').then((r) => r.json())).role).toBe('viewer');

    expect((await acme.owner.patch(`/api/v1/admin/users/${userId}`, { disabled: true })).status).toBe(200);
    expect((await viewer.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(app).post('/api/v1/auth/login', { email: 'mia@acme.example', password: PASSWORD })).status).toBe(401);
    expect((await acme.owner.patch(`/api/v1/admin/users/${userId}`, { disabled: false })).status).toBe(200);
    await signIn(app, 'mia@acme.example');
  });

  it('keeps the tenant governable: no self-change, only owners touch owners, empty patches refused', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const { userId: adminId, client: admin } = await acme.addUser('admin');
    expect((await acme.owner.patch(`/api/v1/admin/users/${acme.ownerId}`, { role: 'member' })).status).toBe(400);
    expect((await admin.patch(`/api/v1/admin/users/${acme.ownerId}`, { disabled: true })).status).toBe(403);
    expect((await admin.patch(`/api/v1/admin/users/${adminId}`, { role: 'owner' })).status).toBe(400);
    const { userId: memberId } = await acme.addUser('member');
    expect((await admin.patch(`/api/v1/admin/users/${memberId}`, { role: 'owner' })).status).toBe(403);
    expect((await admin.patch(`/api/v1/admin/users/${memberId}`, {})).status).toBe(400);
    expect((await admin.patch(`/api/v1/admin/users/${memberId}`, { role: 'superuser' })).status).toBe(400);
    expect((await admin.patch(`/api/v1/admin/users/${memberId}`, { role: 'admin' })).status).toBe(200);
  });
});
