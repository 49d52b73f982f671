import { describe, expect, it } from 'vitest';
import { readEvents, verifyChain } from '../audit/log.ts';
import { useRecoveryCodeStatement } from '../auth/second-factor.ts';
import { hashSecret } from '../auth/session.ts';
import { decodeTotpSecret, totp } from '../auth/totp.ts';
import { Client, PASSWORD, seedTenant, signIn, type SeededTenant } from '../test/harness.ts';
import { createTestApp, manualClock } from '../test/memory-ports.ts';

const STEP = 30_000;

async function setUp() {
  const clock = manualClock();
  const env = await createTestApp({ clock });
  const acme = await seedTenant(env.app, env.deps, 'Acme');
  return { ...env, clock, acme };
}

/** Enrols the client's user; returns the secret and the recovery codes. */
async function enrol(client: Client, clock: { now(): Date; advance(ms: number): void }) {
  const started = await client.post('/api/v1/me/totp');
  expect(started.status).toBe(201);
  const { secret, otpauthUrl } = await started.json();
  const key = decodeTotpSecret(new URL(otpauthUrl).searchParams.get('secret')!);
  expect(decodeTotpSecret(secret.replace(/ /g, ''))).toEqual(key);
  const confirmed = await client.post('/api/v1/me/totp/confirm', { code: totp(key, clock.now().getTime()) });
  expect(confirmed.status).toBe(200);
  const { recoveryCodes } = await confirmed.json();
  // The next code comes from the next step: the one used to confirm cannot be replayed.
  clock.advance(STEP);
  return { key, recoveryCodes: recoveryCodes as string[] };
}

function login(app: Parameters<typeof signIn>[0], body: Record<string, string>) {
  return new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: PASSWORD, ...body });
}

async function actions(store: Parameters<typeof verifyChain>[0], tenant: SeededTenant) {
  return (await readEvents(store, { chain: tenant.tenantId })).map((e) => `${e.action}:${e.outcome}`);
}

describe('TOTP enrolment', () => {
  it('gives a secret and otpauth URL, confirms with a code, answers ten recovery codes stored only as hashes', async () => {
    const { app, store, clock, acme } = await setUp();
    const phone = await signIn(app, 'owner@acme.example');
    expect(await (await acme.owner.get('/api/v1/me/totp')).json()).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await acme.owner.post('/api/v1/me/totp/confirm', { code: '123456' })).status).toBe(400);

    const started = await (await acme.owner.post('/api/v1/me/totp')).json();
    expect(started.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Sigma:owner%40acme\.example\?secret=[A-Z2-7]{32}&issuer=Sigma&algorithm=SHA1&digits=6&period=30$/);
    const key = decodeTotpSecret(new URL(started.otpauthUrl).searchParams.get('secret')!);
    expect(key).toHaveLength(20);
    const wrong = await acme.owner.post('/api/v1/me/totp/confirm', { code: totp(key, clock.now().getTime() + 5 * STEP) });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe('totp_invalid');

    const confirmed = await acme.owner.post('/api/v1/me/totp/confirm', { code: totp(key, clock.now().getTime()) });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = await confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await (await acme.owner.get('/api/v1/me/totp')).json()).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    // A session signed in with the password alone ends.
    expect((await phone.get('/api/v1/me')).status).toBe(401);
    expect((await acme.owner.post('/api/v1/me/totp')).status).toBe(409);

    const stored = JSON.stringify(await store.all('SELECT * FROM users')) + JSON.stringify(await store.all('SELECT * FROM recovery_codes'));
    expect(stored).not.toContain(started.secret.replace(/ /g, ''));
    for (const code of recoveryCodes) expect(stored).not.toContain(code.replace(/-/g, ''));
    expect(stored).toContain(hashSecret(recoveryCodes[0].replace(/-/g, '')));
    expect(await actions(store, acme)).toEqual(expect.arrayContaining(['totp.enrol:success', 'totp.enable:failure', 'totp.enable:success']));
  });
});

describe('sign-in with a second factor', () => {
  it('asks for the code, refuses a wrong, stale or replayed one, accepts one step of drift', async () => {
    const { app, store, clock, acme } = await setUp();
    const { key } = await enrol(acme.owner, clock);
    const missing = await login(app, {});
    expect(missing.status).toBe(401);
    expect((await missing.json()).error).toEqual({ code: 'totp_required', message: 'Enter the code from your authenticator app' });
    expect(missing.headers.get('set-cookie')).toBeNull();

    clock.advance(STEP);
    const now = clock.now().getTime();
    expect((await (await login(app, { totp: totp(key, now + 2 * STEP) })).json()).error.code).toBe('totp_invalid');
    expect((await login(app, { totp: totp(key, now - 2 * STEP) })).status).toBe(401);
    const previousStep = await login(app, { totp: totp(key, now - STEP) });
    expect(previousStep.status).toBe(200);
    expect(previousStep.headers.get('set-cookie')).toMatch(/^sigma_session=/);
    // The same code again, and the code of the step before it: both used up.
    expect((await login(app, { totp: totp(key, now - STEP) })).status).toBe(401);
    expect((await login(app, { totp: totp(key, now - 2 * STEP) })).status).toBe(401);
    clock.advance(STEP);
    expect((await login(app, { totp: totp(key, clock.now().getTime()) })).status).toBe(200);
    // A right code with a wrong password still says nothing more than a wrong password.
    const wrongPassword = await login(app, { password: 'not the password', totp: totp(key, clock.now().getTime() + STEP) });
    expect(await wrongPassword.json()).toEqual({ error: { code: 'unauthorized', message: 'Wrong email or password' } });
    expect(await actions(store, acme)).toEqual(expect.arrayContaining(['auth.login:denied', 'auth.login:failure', 'auth.login:success']));
  });

  it('counts wrong codes against the account like wrong passwords', async () => {
    const { app, clock, acme } = await setUp();
    const { key } = await enrol(acme.owner, clock);
    const wrong = totp(key, clock.now().getTime() + 10 * STEP);
    for (let i = 0; i < 3; i++) expect((await login(app, { totp: wrong })).status).toBe(401);
    expect((await login(app, { totp: wrong })).status).toBe(401);
    const throttled = await login(app, { totp: totp(key, clock.now().getTime()) });
    expect(throttled.status).toBe(429);
  });

  it('takes each recovery code once, in any case and grouping', async () => {
    const { app, store, clock, acme } = await setUp();
    const { recoveryCodes } = await enrol(acme.owner, clock);
    const typed = recoveryCodes[3].toUpperCase().replace(/-/g, ' ');
    const first = await login(app, { recoveryCode: typed });
    expect(first.status).toBe(200);
    expect((await login(app, { recoveryCode: recoveryCodes[3] })).status).toBe(401);
    expect((await login(app, { recoveryCode: 'aaaaa-bbbbb-ccccc-ddddd' })).status).toBe(401);
    expect((await login(app, { recoveryCode: 'short' })).status).toBe(401);
    expect((await (await acme.owner.get('/api/v1/me/totp')).json()).recoveryCodesLeft).toBe(9);
    expect(await actions(store, acme)).toContain('auth.recovery_code:success');

    // Two sign-ins racing with one code: exactly one gets in.
    const raced = await Promise.all([login(app, { recoveryCode: recoveryCodes[5] }), login(app, { recoveryCode: recoveryCodes[5] })]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
    // And the database itself refuses a second use, whatever the code in front of it checked.
    const { userId, tenantId } = { userId: acme.ownerId, tenantId: acme.tenantId };
    const hash = hashSecret(recoveryCodes[7].replace(/-/g, ''));
    await store.batch([useRecoveryCodeStatement({ userId, tenantId }, hash, clock.now().toISOString())]);
    await expect(store.batch([useRecoveryCodeStatement({ userId, tenantId }, hash, clock.now().toISOString())])).rejects.toThrow(/one-time code used already/);
    await expect(store.batch([{ sql: 'UPDATE users SET totp_last_step = totp_last_step WHERE id = ?', params: [userId] }])).rejects.toThrow(
      /one-time code used already/,
    );
  });

  it('replaces recovery codes with a current code, and turns the factor off with the password', async () => {
    const { app, store, clock, acme } = await setUp();
    const { key, recoveryCodes } = await enrol(acme.owner, clock);
    const renewed = await acme.owner.post('/api/v1/me/totp/recovery-codes', { code: totp(key, clock.now().getTime()) });
    expect(renewed.status).toBe(200);
    const fresh = (await renewed.json()).recoveryCodes;
    expect((await login(app, { recoveryCode: recoveryCodes[0] })).status).toBe(401);
    clock.advance(STEP);
    expect((await acme.owner.post('/api/v1/me/totp/disable', { password: 'wrong password!!' })).status).toBe(403);
    expect((await acme.owner.post('/api/v1/me/totp/disable', { password: PASSWORD })).status).toBe(204);
    expect((await login(app, {})).status).toBe(200);
    expect((await login(app, { recoveryCode: fresh[0] })).status).toBe(200); // ignored: no second factor now
    expect(await store.all('SELECT * FROM recovery_codes')).toEqual([]);
    expect(await actions(store, acme)).toEqual(expect.arrayContaining(['totp.recovery_codes:success', 'totp.disable:failure', 'totp.disable:success']));
  });
});

describe('a tenant that requires a second factor', () => {
  it('lets users without one only enrol, refuses turning it off, and audits the setting', async () => {
    const { app, store, clock, acme } = await setUp();
    const { client: member } = await acme.addUser('member', 'mia@acme.example');
    expect((await member.patch('/api/v1/admin/settings', { requireTotp: true })).status).toBe(403);
    const early = await acme.owner.patch('/api/v1/admin/settings', { requireTotp: true });
    expect(await early.json()).toEqual({ error: { code: 'bad_request', message: 'Set up your own second factor first' } });
    await enrol(acme.owner, clock);
    const changed = await acme.owner.patch('/api/v1/admin/settings', { requireTotp: true });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toEqual({ requireTotp: true, ipAllowlist: null });
    expect(await (await acme.owner.get('/api/v1/admin/settings')).json()).toEqual({ requireTotp: true, ipAllowlist: null });

    const refused = await member.get('/api/v1/projects');
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe('totp_enrolment_required');
    expect((await member.get('/api/v1/me')).status).toBe(200);
    expect(await (await member.get('/api/v1/me/totp')).json()).toMatchObject({ enabled: false, required: true });
    // A fresh sign-in works with the password alone (also from a browser holding that session), into the same enrolment-only state.
    const again = new Client(app, member.cookie);
    expect((await again.post('/api/v1/auth/login', { email: 'mia@acme.example', password: PASSWORD })).status).toBe(200);
    expect(again.cookie).not.toBe(member.cookie);
    expect((await again.get('/api/v1/projects')).status).toBe(403);

    await enrol(member, clock);
    expect((await member.get('/api/v1/projects')).status).toBe(200);
    expect((await member.post('/api/v1/me/totp/disable', { password: PASSWORD })).status).toBe(403);
    expect(await actions(store, acme)).toContain('tenant.settings_update:success');
    expect((await verifyChain(store, acme.tenantId)).ok).toBe(true);
  });

  it('lets an admin reset a lost factor; the user signs in with the password and enrols again', async () => {
    const { app, store, clock, acme } = await setUp();
    const { userId, client: member } = await acme.addUser('member', 'mia@acme.example');
    await enrol(member, clock);
    const { client: admin } = await acme.addUser('admin');
    expect((await admin.delete(`/api/v1/admin/users/${acme.ownerId}/totp`)).status).toBe(403);
    expect((await member.delete(`/api/v1/admin/users/${userId}/totp`)).status).toBe(403);
    expect((await admin.delete(`/api/v1/admin/users/${userId}/totp`)).status).toBe(204);
    expect((await member.get('/api/v1/me')).status).toBe(401);
    const back = await signIn(app, 'mia@acme.example');
    expect(await (await back.get('/api/v1/me/totp')).json()).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await actions(store, acme)).toContain('totp.reset:success');
  });
});
