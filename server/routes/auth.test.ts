import { describe, expect, it } from 'vitest';
import { createTenant } from '../tenants/tenants.ts';
import { Client, ORIGIN, PASSWORD, seedTenant, signIn } from '../test/harness.ts';
import { createTestApp, manualClock, TEST_ADDRESS_HEADER } from '../test/memory-ports.ts';

const HOUR = 60 * 60 * 1000;

describe('sign-in and sessions', () => {
  it('signs in with a HttpOnly SameSite=Lax cookie holding id.secret, and stores only the secret hash', async () => {
    const { app, store, deps } = await createTestApp();
    await seedTenant(app, deps, 'Acme');
    const client = new Client(app);
    const response = await client.post('/api/v1/auth/login', { email: ' Owner@Acme.example ', password: PASSWORD });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ user: { email: 'owner@acme.example' }, role: 'owner', tenant: { name: 'Acme' } });
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sigma_session=[a-z2-7]{32}\.[a-z2-7]{32};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Max-Age=2592000');
    expect(cookie).not.toContain('Secure');
    const [id, secret] = cookie.split(';')[0].split('=')[1].split('.');
    const row = await store.first<{ secret_hash: string }>('SELECT secret_hash FROM sessions WHERE id = ?', [id]);
    expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await store.all('SELECT * FROM sessions'))).not.toContain(secret);

    const me = await client.get('/api/v1/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(body);
  });

  it('sets a Secure __Host- cookie over TLS', async () => {
    const { app, deps } = await createTestApp({ tls: true });
    const acme = await seedTenant(app, deps, 'Acme');
    const cookie = acme.owner.cookie!;
    expect(cookie).toMatch(/^__Host-sigma_session=/);
    const response = await new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: PASSWORD });
    expect(response.headers.get('set-cookie')).toMatch(/^__Host-sigma_session=.*; Path=\/; .*Secure/);
    expect((await acme.owner.get('/api/v1/me')).status).toBe(200);
  });

  it('answers unknown account and wrong password with the same 401', async () => {
    const { app, deps } = await createTestApp();
    await seedTenant(app, deps, 'Acme');
    const unknown = await new Client(app).post('/api/v1/auth/login', { email: 'nobody@acme.example', password: PASSWORD });
    const wrong = await new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: 'wrong password 123' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(await unknown.json()).toEqual(await wrong.json());
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });

  it('rejects a forged, tampered or missing token with 401', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const [id] = acme.owner.cookie!.split('=')[1].split('.');
    for (const cookie of [null, `sigma_session=${id}.${'a'.repeat(32)}`, 'sigma_session=garbage', `sigma_session=${id}`]) {
      const response = await new Client(app, cookie).get('/api/v1/me');
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: 'Sign in first' } });
    }
  });

  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock, settings: { session: { idleTimeoutMs: 2 * HOUR, absoluteLifetimeMs: 5 * HOUR } } });
    const acme = await seedTenant(app, deps, 'Acme');
    clock.advance(2 * HOUR - 1000);
    expect((await acme.owner.get('/api/v1/me')).status).toBe(200);
    clock.advance(2 * HOUR - 1000);
    expect((await acme.owner.get('/api/v1/me')).status).toBe(200);
    clock.advance(2 * HOUR + 1000);
    expect((await acme.owner.get('/api/v1/me')).status).toBe(401);

    const again = await signIn(app, 'owner@acme.example');
    for (let i = 0; i < 4; i++) {
      clock.advance(HOUR);
      expect((await again.get('/api/v1/me')).status).toBe(200);
    }
    clock.advance(HOUR);
    expect((await again.get('/api/v1/me')).status).toBe(401);
  });

  it('logs out, lists and revokes sessions, and a password change ends every other session', async () => {
    const { app, deps } = await createTestApp();
    await seedTenant(app, deps, 'Acme');
    const laptop = await signIn(app, 'owner@acme.example');
    const phone = await signIn(app, 'owner@acme.example');
    const tablet = await signIn(app, 'owner@acme.example');

    const list = await (await laptop.get('/api/v1/me/sessions')).json();
    expect(list.sessions).toHaveLength(4);
    expect(list.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const phoneId = phone.cookie!.split('=')[1].split('.')[0];
    expect((await laptop.delete(`/api/v1/me/sessions/${phoneId}`)).status).toBe(204);
    expect((await phone.get('/api/v1/me')).status).toBe(401);

    const tabletCookie = tablet.cookie;
    expect((await tablet.post('/api/v1/auth/logout')).status).toBe(204);
    expect(tablet.cookie).toBeNull();
    expect((await new Client(app, tabletCookie).get('/api/v1/me')).status).toBe(401);

    const other = await signIn(app, 'owner@acme.example');
    const newPassword = 'a much better passphrase';
    expect((await laptop.post('/api/v1/me/password', { currentPassword: 'not it at all!', newPassword })).status).toBe(403);
    expect((await laptop.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword: 'short' })).status).toBe(400);
    expect((await laptop.post('/api/v1/me/password', { currentPassword: PASSWORD, newPassword })).status).toBe(204);
    expect((await other.get('/api/v1/me')).status).toBe(401);
    expect((await laptop.get('/api/v1/me')).status).toBe(200);
    expect((await new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: PASSWORD })).status).toBe(401);
    await signIn(app, 'owner@acme.example', newPassword);
  });
});

describe('sign-in throttling', () => {
  it('grows the delay per account and answers 429 with Retry-After', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock });
    await seedTenant(app, deps, 'Acme');
    const attempt = (password: string, address = '198.51.100.7') =>
      new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password }, { headers: { [TEST_ADDRESS_HEADER]: address } });

    // Three free failures, then 1 s, 2 s, 4 s …
    for (let i = 0; i < 3; i++) expect((await attempt('wrong password!!')).status).toBe(401);
    expect((await attempt('wrong password!!')).status).toBe(401);
    let refused = await attempt(PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe('1');
    expect((await refused.json()).error.code).toBe('too_many_requests');
    // Another address does not help: the account is throttled.
    expect((await attempt(PASSWORD, '203.0.113.9')).status).toBe(429);

    clock.advance(1000);
    expect((await attempt('wrong password!!')).status).toBe(401);
    refused = await attempt(PASSWORD);
    expect(refused.headers.get('Retry-After')).toBe('2');
    clock.advance(2000);
    expect((await attempt('wrong password!!')).status).toBe(401);
    expect((await attempt(PASSWORD)).headers.get('Retry-After')).toBe('4');
    clock.advance(4000);
    // The right password after the wait signs in and clears the account's failures.
    expect((await attempt(PASSWORD)).status).toBe(200);
    expect((await attempt('wrong password!!')).status).toBe(401);
  });

  it('throttles one address trying many accounts', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock, settings: { throttle: { addressFreeFailures: 5 } } });
    await seedTenant(app, deps, 'Acme');
    for (let i = 0; i < 6; i++) {
      const response = await new Client(app).post('/api/v1/auth/login', { email: `guess${i}@acme.example`, password: PASSWORD });
      expect(response.status).toBe(401);
    }
    const refused = await new Client(app).post('/api/v1/auth/login', { email: 'owner@acme.example', password: PASSWORD });
    expect(refused.status).toBe(429);
    const elsewhere = await new Client(app).post(
      '/api/v1/auth/login',
      { email: 'owner@acme.example', password: PASSWORD },
      { headers: { [TEST_ADDRESS_HEADER]: '203.0.113.50' } },
    );
    expect(elsewhere.status).toBe(200);
  });

  it('counts an IPv6 client per /64, since it can pick any address in it', async () => {
    const clock = manualClock();
    const { app, deps } = await createTestApp({ clock, settings: { throttle: { addressFreeFailures: 3 } } });
    await seedTenant(app, deps, 'Acme');
    const from = (address: string, email: string, password = 'wrong password!') =>
      new Client(app).post('/api/v1/auth/login', { email, password }, { headers: { [TEST_ADDRESS_HEADER]: address } });
    for (let i = 1; i <= 4; i++) expect((await from(`2001:db8:1:2::${i}`, `guess${i}@acme.example`)).status).toBe(401);
    expect((await from('2001:db8:1:2:ffff::9', 'owner@acme.example', PASSWORD)).status).toBe(429);
    expect((await from('2001:db8:1:3::1', 'owner@acme.example', PASSWORD)).status).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses unsafe requests from another site or without an origin, allows our own', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const cookie = acme.owner.cookie!;
    const body = JSON.stringify({ name: 'x' });
    const post = (headers: Record<string, string>) =>
      app.request('/api/v1/projects', { method: 'POST', headers: { Cookie: cookie, 'Content-Type': 'application/json', ...headers }, body });
    const refusedHeaders: Record<string, string>[] = [
      { Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
      { 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'null' },
      {},
    ];
    for (const headers of refusedHeaders) {
      const response = await post(headers);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: { code: 'forbidden', message: 'Cross-site request refused' } });
    }
    expect((await post({ 'Sec-Fetch-Site': 'same-origin', Origin: ORIGIN })).status).toBe(201);
    expect((await post({ Origin: ORIGIN })).status).toBe(201);
    // Reads are not state changes.
    expect((await app.request('/api/v1/projects', { headers: { Cookie: cookie } })).status).toBe(200);
  });

  it('compares against the configured public origin behind a proxy', async () => {
    const { app, deps } = await createTestApp({ settings: { publicOrigin: 'https://sigma.example.com' } });
    await createTenant(deps, { name: 'Acme', adminEmail: 'owner@acme.example', password: PASSWORD });
    const login = (origin: string) =>
      app.request('/api/v1/auth/login', {
        method: 'POST',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'owner@acme.example', password: PASSWORD }),
      });
    expect((await login(ORIGIN)).status).toBe(403);
    expect((await login('https://sigma.example.com')).status).toBe(200);
  });
});

describe('malformed bodies', () => {
  it('answers 415, 400 and 413 without echoing the input', async () => {
    const { app, deps } = await createTestApp({ settings: { maxJsonBytes: 1024 } });
    const acme = await seedTenant(app, deps, 'Acme');
    const marker = '<script>MARKER</script>';
    const cases: [Record<string, string>, string, number][] = [
      [{ 'Content-Type': 'text/plain' }, JSON.stringify({ name: marker }), 415],
      [{ 'Content-Type': 'application/json' }, `{"name": "${marker}"`, 400],
      [{ 'Content-Type': 'application/json' }, JSON.stringify({ name: 42, [marker]: 1 }), 400],
      [{ 'Content-Type': 'application/json' }, JSON.stringify({ name: marker.repeat(100) }), 413],
    ];
    for (const [headers, body, status] of cases) {
      const response = await app.request('/api/v1/projects', {
        method: 'POST',
        headers: { ...headers, Origin: ORIGIN, Cookie: acme.owner.cookie! },
        body,
      });
      expect(response.status).toBe(status);
      const text = await response.text();
      expect(text).not.toContain('MARKER');
      expect(JSON.parse(text).error.message).toBeTruthy();
    }
  });
});
