import { describe, expect, it } from 'vitest';
import { readEvents } from '../audit/log.ts';
import { Client, PASSWORD, seedTenant } from '../test/harness.ts';
import { createTestApp, TEST_ADDRESS_HEADER } from '../test/memory-ports.ts';

// The harness's requests come from 192.0.2.1 unless they name another address.
const from = (address: string) => ({ headers: { [TEST_ADDRESS_HEADER]: address } });

describe('tenant IP allowlist', () => {
  it('checks every range, refuses one that would lock the admin out, and stores the list', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const patch = (ipAllowlist: unknown) => acme.owner.patch('/api/v1/admin/settings', { ipAllowlist });
    const problems: [unknown, string][] = [
      [['192.0.2.0/24', '10.0.0.1/8'], 'ipAllowlist entry 2 has bits set after the prefix (write the network address, such as 203.0.113.0/24)'],
      [['192.0.2.0/33'], 'ipAllowlist entry 1 has a prefix length out of range'],
      [['intranet'], 'ipAllowlist entry 1 is not an IPv4 or IPv6 address'],
      [[], 'Invalid field: ipAllowlist'],
      [['192.0.2.0/24', ''], 'Invalid field: ipAllowlist.1'],
      ['192.0.2.0/24', 'Invalid field: ipAllowlist'],
      [['198.51.100.0/24'], 'The allowlist must include the address you are using now'],
    ];
    for (const [list, message] of problems) {
      const response = await patch(list);
      expect([list, response.status, (await response.json()).error.message]).toEqual([list, 400, message]);
    }
    const saved = await patch([' 192.0.2.0/24 ', '2001:db8::/32']);
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ requireTotp: false, ipAllowlist: ['192.0.2.0/24', '2001:db8::/32'] });
    expect(await (await acme.owner.get('/api/v1/admin/settings')).json()).toEqual({ requireTotp: false, ipAllowlist: ['192.0.2.0/24', '2001:db8::/32'] });
    expect((await readEvents(deps.store, { chain: acme.tenantId })).map((e) => e.action)).toContain('tenant.settings_update');
  });

  it('refuses sign-in and API use from elsewhere, IPv4 and IPv6, and touches no other tenant', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    expect((await acme.owner.patch('/api/v1/admin/settings', { ipAllowlist: ['192.0.2.0/24', '2001:db8:1::/48'] })).status).toBe(200);

    for (const address of ['192.0.2.77', '2001:db8:1:2::3', '::ffff:192.0.2.5']) {
      expect([address, (await acme.owner.get('/api/v1/projects', from(address))).status]).toEqual([address, 200]);
    }
    for (const address of ['198.51.100.7', '2001:db8:2::1', '192.0.3.1']) {
      const response = await acme.owner.get('/api/v1/projects', from(address));
      expect([address, response.status]).toEqual([address, 403]);
      expect(await response.json()).toEqual({
        error: { code: 'address_not_allowed', message: 'Your organisation does not allow access from this network' },
      });
    }
    expect((await globex.owner.get('/api/v1/projects', from('198.51.100.7'))).status).toBe(200);

    const signIn = (address: string, password = PASSWORD) =>
      new Client(app).request('POST', '/api/v1/auth/login', { body: { email: 'owner@acme.example', password }, ...from(address) });
    // A wrong password from outside answers like any wrong password; the right one learns why.
    expect((await signIn('198.51.100.7', 'wrong password!')).status).toBe(401);
    const outside = await signIn('198.51.100.7');
    expect(outside.status).toBe(403);
    expect(outside.headers.get('set-cookie')).toBeNull();
    expect((await signIn('2001:db8:1::9')).status).toBe(200);
    // Signing out is allowed from anywhere.
    expect((await acme.owner.request('POST', '/api/v1/auth/logout', from('198.51.100.7'))).status).toBe(204);

    const events = await readEvents(deps.store, { chain: acme.tenantId });
    expect(events.filter((e) => e.action === 'auth.login').map((e) => `${e.outcome}@${e.address}`)).toEqual([
      'success@192.0.2.1',
      'failure@198.51.100.7',
      'denied@198.51.100.7',
      'success@2001:db8:1::9',
    ]);
  });

  it('lifts the limit with null', async () => {
    const { app, deps } = await createTestApp();
    const acme = await seedTenant(app, deps, 'Acme');
    await acme.owner.patch('/api/v1/admin/settings', { ipAllowlist: ['192.0.2.1'] });
    expect((await acme.owner.get('/api/v1/projects', from('203.0.113.1'))).status).toBe(403);
    expect(await (await acme.owner.patch('/api/v1/admin/settings', { ipAllowlist: null })).json()).toEqual({ requireTotp: false, ipAllowlist: null });
    expect((await acme.owner.get('/api/v1/projects', from('203.0.113.1'))).status).toBe(200);
  });
});
