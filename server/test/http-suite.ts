// The HTTP-level suite, one definition run against every target: createApp in-process
// (server/http-suite.test.ts), the running Node server (e2e/http.e2e.ts) and the Worker in
// workerd (server/worker/workerd.test.ts). A target brings a way to send requests and an
// operator token (tenants and users are made through the operator routes, as an operator
// of either deployment can); where it can also move the server's clock or reach its
// database, the tests that need that run too.
import { encodeHexLowerCase } from '@oslojs/encoding';
import { sha256 } from '@oslojs/crypto/sha2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from '../auth/session.ts';
import type { Role } from '../auth/roles.ts';
import type { SqlValue } from '../ports.ts';
import { Client, ORIGIN, PASSWORD, signIn, type RequestOptions, type RequestTarget } from './harness.ts';

export interface SuiteTarget {
  readonly target: RequestTarget;
  readonly operatorToken: string;
  /** The upload limit the target was started with: small, so a 413 costs little. */
  readonly maxUploadBytes: number;
  /** The session lifetimes the target was started with; the defaults (8 hours idle, 30 days) if not given. */
  readonly session?: SessionSettings;
  /**
   * False where the way in cannot carry a chunked body the server refuses before reading it
   * all (wrangler's local proxy in front of workerd stalls on it now and then); the limit is
   * then checked with declared lengths only.
   */
  readonly streamedBodies?: boolean;
  /** Moves the server's clock forward; absent where the server runs on the real time. */
  readonly advanceClock?: (ms: number) => Promise<void>;
  /** Runs SQL on the server's database, as someone with access to its storage could. */
  readonly sql?: (sql: string, params?: readonly SqlValue[]) => Promise<Record<string, unknown>[]>;
}

/** Sends requests to a server at `base`, naming it (instead of the harness's http://localhost) as the Origin. */
export function remoteTarget(base: URL, send: (url: string, init: RequestInit) => Promise<Response> = fetch): RequestTarget {
  return {
    request(path, init) {
      const headers = new Headers(init.headers);
      if (headers.get('origin') === ORIGIN) headers.set('origin', base.origin);
      return send(new URL(path, base).href, { ...init, headers });
    },
  };
}

interface Ids {
  project: string;
  file: string;
  user: string;
  session: string;
}

/** Every route that takes an id, with a request that would read or change that object. */
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

const FORBIDDEN = { error: { code: 'forbidden', message: 'Your role does not allow this' } };
const MARKER = 'zqMARKERzq';

function sessionIdOf(client: Client): string {
  return client.cookie!.split('=')[1].split('.')[0];
}

function hex(bytes: Uint8Array): string {
  return encodeHexLowerCase(sha256(bytes));
}

/** Every byte value, then a pattern that is not periodic at any small length. */
function testBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = i < 256 ? i : x & 0xff;
  }
  return bytes;
}

async function auditEvents(client: Client): Promise<{ seq: number; action: string; outcome: string }[]> {
  const text = await (await client.get('/api/v1/admin/audit')).text();
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

export function httpSuite(name: string, setup: () => Promise<SuiteTarget>): void {
  describe(name, () => {
    let t: SuiteTarget;
    // Emails are unique across tenants: a suffix keeps runs against one server apart.
    const run = crypto.randomUUID().slice(0, 8);
    const emailOf = (who: string, tenant: string) => `${who}-${run}@${tenant}.example`;
    const operator = (method: string, path: string, body?: unknown) =>
      new Client(t.target).request(method, path, { body, headers: { Authorization: `Bearer ${t.operatorToken}` } });

    async function createTenant(tenant: string) {
      const response = await operator('POST', '/api/v1/operator/tenants', { name: tenant, adminEmail: emailOf('owner', tenant), password: PASSWORD });
      expect(response.status).toBe(201);
      const { tenantId, userId } = await response.json();
      return { tenantId: tenantId as string, ownerId: userId as string, owner: await signIn(t.target, emailOf('owner', tenant)) };
    }

    async function addUser(tenantId: string, tenant: string, role: Role) {
      const email = emailOf(role, tenant);
      const response = await operator('POST', '/api/v1/operator/users', { tenantId, email, role, password: PASSWORD });
      expect(response.status).toBe(201);
      return { userId: (await response.json()).userId as string, email, client: await signIn(t.target, email) };
    }

    let acme: Awaited<ReturnType<typeof createTenant>>;
    let globex: Awaited<ReturnType<typeof createTenant>>;
    let viewer: Client;
    let member: Awaited<ReturnType<typeof addUser>>;
    let globexMember: Awaited<ReturnType<typeof addUser>>;
    let acmeProject: { id: string };
    let acmeFile: { id: string };
    let ids: Ids;

    beforeAll(async () => {
      t = await setup();
      acme = await createTenant('Acme');
      globex = await createTenant('Globex');
      viewer = (await addUser(acme.tenantId, 'acme', 'viewer')).client;
      member = await addUser(acme.tenantId, 'acme', 'member');
      globexMember = await addUser(globex.tenantId, 'globex', 'member');
      const project = await (await globex.owner.post('/api/v1/projects', { name: `Globex plans ${MARKER}` })).json();
      const file = await (await globex.owner.request('POST', `/api/v1/projects/${project.id}/files?name=plans.csv`, { bytes: new TextEncoder().encode('secret') })).json();
      ids = { project: project.id, file: file.id, user: globexMember.userId, session: sessionIdOf(globexMember.client) };
      acmeProject = await (await acme.owner.post('/api/v1/projects', { name: 'Acme work' })).json();
      acmeFile = await (await acme.owner.request('POST', `/api/v1/projects/${acmeProject.id}/files?name=f.bin`, { bytes: new Uint8Array([5]) })).json();
    }, 120_000);

    describe('operator bootstrap', () => {
      it('refuses the operator routes without the token, and signs the new owner in', async () => {
        for (const headers of [{}, { Authorization: 'Bearer wrong-token' }, { Authorization: `Basic ${t.operatorToken}` }] as Record<string, string>[]) {
          const response = await new Client(t.target).request('POST', '/api/v1/operator/tenants', {
            body: { name: 'Intruder', adminEmail: `x-${run}@intruder.example`, password: PASSWORD },
            headers,
          });
          expect(response.status).toBe(401);
        }
        expect(await (await acme.owner.get('/api/v1/me')).json()).toMatchObject({
          user: { id: acme.ownerId, email: emailOf('owner', 'Acme').toLowerCase() },
          role: 'owner',
          tenant: { id: acme.tenantId, name: 'Acme' },
        });
      });
    });

    describe('tenant isolation', () => {
      it('answers every route with another tenant’s id exactly like a missing id, and changes nothing', async () => {
        const missing: Ids = { project: crypto.randomUUID(), file: crypto.randomUUID(), user: crypto.randomUUID(), session: 'a'.repeat(32) };
        const acmeAudit = await auditEvents(acme.owner);
        const globexAudit = await auditEvents(globex.owner);
        const rowsBefore = await t.sql?.('SELECT chain, seq, hash FROM audit_events ORDER BY chain, seq');
        for (const [method, path, options] of ID_ROUTES) {
          const foreign = await acme.owner.request(method, path(ids), options);
          const absent = await acme.owner.request(method, path(missing), options);
          expect([method, path(ids), foreign.status]).toEqual([method, path(ids), 404]);
          expect(absent.status).toBe(404);
          expect(await foreign.text()).toBe(await absent.text());
        }
        // Refused requests leave no trace in either tenant's log, nor anywhere else.
        expect(await auditEvents(globex.owner)).toEqual(globexAudit);
        expect(await auditEvents(acme.owner)).toEqual(acmeAudit);
        if (t.sql) expect(await t.sql('SELECT chain, seq, hash FROM audit_events ORDER BY chain, seq')).toEqual(rowsBefore);

        // Globex's objects are untouched.
        expect(await (await globex.owner.get(`/api/v1/projects/${ids.project}`)).json()).toMatchObject({ name: `Globex plans ${MARKER}`, revision: 1 });
        expect(await (await globex.owner.get(`/api/v1/files/${ids.file}`)).text()).toBe('secret');
        expect((await (await globex.owner.get(`/api/v1/projects/${ids.project}/files`)).json()).files).toHaveLength(1);
        expect((await globexMember.client.get('/api/v1/me')).status).toBe(200);
        expect((await (await globex.owner.get(`/api/v1/admin/users/${ids.user}`)).json()).disabled).toBe(false);
      });

      it('lists only the own tenant’s objects', async () => {
        const paths = ['/api/v1/projects', '/api/v1/admin/users', '/api/v1/admin/audit', '/api/v1/me/sessions', `/api/v1/projects/${acmeProject.id}/files`];
        for (const path of paths) {
          const text = await (await acme.owner.get(path)).text();
          for (const foreign of [globex.tenantId, ids.project, ids.file, ids.user, ids.session, 'globex', 'Globex', MARKER]) {
            expect([path, text.includes(foreign)]).toEqual([path, false]);
          }
        }
        expect((await (await acme.owner.get('/api/v1/projects')).json()).projects.map((p: { name: string }) => p.name)).toEqual(['Acme work']);
      });
    });

    describe('roles', () => {
      it('lets a viewer read but not write, a member write projects but not administer, and nobody in without a session', async () => {
        const reads: [string, string][] = [
          ['GET', '/api/v1/projects'],
          ['GET', `/api/v1/projects/${acmeProject.id}`],
          ['GET', `/api/v1/projects/${acmeProject.id}/files`],
          ['GET', `/api/v1/files/${acmeFile.id}`],
          ['GET', '/api/v1/me'],
        ];
        const projectWrites: [string, string, RequestOptions][] = [
          ['POST', '/api/v1/projects', { body: { name: 'new' } }],
          ['PATCH', `/api/v1/projects/${acmeProject.id}`, { body: { folder: 'by member' } }],
          ['POST', `/api/v1/projects/${acmeProject.id}/files?name=g`, { bytes: new Uint8Array([1]) }],
        ];
        const adminRoutes: [string, string, RequestOptions][] = [
          ['GET', '/api/v1/admin/users', {}],
          ['GET', `/api/v1/admin/users/${member.userId}`, {}],
          ['PATCH', `/api/v1/admin/users/${member.userId}`, { body: { role: 'viewer' } }],
          ['POST', '/api/v1/admin/invitations', { body: { email: `x-${run}@acme.example`, role: 'viewer' } }],
          ['GET', '/api/v1/admin/audit', {}],
          ['GET', '/api/v1/admin/audit/verify', {}],
          ['GET', '/api/v1/admin/settings', {}],
          ['PATCH', '/api/v1/admin/settings', { body: { ipAllowlist: null } }],
          ['DELETE', `/api/v1/admin/users/${member.userId}/totp`, {}],
        ];
        for (const [method, path] of reads) expect([path, (await viewer.request(method, path)).status]).toEqual([path, 200]);
        for (const [method, path, options] of [...projectWrites, ...adminRoutes, ['DELETE', `/api/v1/files/${acmeFile.id}`, {}] as const]) {
          const response = await viewer.request(method, path, options);
          expect([method, path, response.status]).toEqual([method, path, 403]);
          expect(await response.json()).toEqual(FORBIDDEN);
        }
        for (const [method, path, options] of adminRoutes) {
          const response = await member.client.request(method, path, options);
          expect([method, path, response.status]).toEqual([method, path, 403]);
          expect(await response.json()).toEqual(FORBIDDEN);
        }
        const memberStatuses = [];
        for (const [method, path, options] of projectWrites) memberStatuses.push((await member.client.request(method, path, options)).status);
        expect(memberStatuses).toEqual([201, 200, 201]);
        // The refused requests changed nothing: the viewer's rename did not happen, the member is still a member.
        expect(await (await acme.owner.get(`/api/v1/projects/${acmeProject.id}`)).json()).toMatchObject({ name: 'Acme work', folder: 'by member' });
        expect(await (await acme.owner.get(`/api/v1/admin/users/${member.userId}`)).json()).toMatchObject({ role: 'member', disabled: false });

        const anonymous = new Client(t.target);
        for (const [method, path, options] of [...reads.map(([m, p]) => [m, p, {}] as const), ...projectWrites, ...adminRoutes]) {
          expect([path, (await anonymous.request(method, path, options)).status]).toEqual([path, 401]);
        }
      });
    });

    describe('sessions', () => {
      it('lists a user’s sessions, revokes one, and ends the current one on sign-out', async () => {
        const first = await signIn(t.target, member.email);
        const second = await signIn(t.target, member.email);
        const listed = (await (await first.get('/api/v1/me/sessions')).json()).sessions as { id: string; current: boolean }[];
        expect(listed.filter((s) => s.current).map((s) => s.id)).toEqual([sessionIdOf(first)]);
        expect(listed.map((s) => s.id)).toEqual(expect.arrayContaining([sessionIdOf(first), sessionIdOf(second), sessionIdOf(member.client)]));

        expect((await first.delete(`/api/v1/me/sessions/${sessionIdOf(second)}`)).status).toBe(204);
        expect((await second.get('/api/v1/me')).status).toBe(401);
        expect((await first.get('/api/v1/me')).status).toBe(200);

        const revokedCookie = first.cookie;
        const logout = await first.post('/api/v1/auth/logout');
        expect(logout.status).toBe(204);
        expect(logout.headers.get('set-cookie')).toMatch(/sigma_session=;.*Max-Age=0/i);
        // The old token no longer works even if a client keeps sending it.
        expect((await new Client(t.target, revokedCookie).get('/api/v1/me')).status).toBe(401);
        expect((await member.client.get('/api/v1/me')).status).toBe(200);
      });

      it('ends a user’s sessions when an admin disables them', async () => {
        const { userId, client } = await addUser(globex.tenantId, 'globex', 'viewer');
        expect((await globex.owner.patch(`/api/v1/admin/users/${userId}`, { disabled: true })).status).toBe(200);
        expect((await client.get('/api/v1/me')).status).toBe(401);
        expect((await new Client(t.target).post('/api/v1/auth/login', { email: emailOf('viewer', 'globex'), password: PASSWORD })).status).toBe(401);
      });
    });

    describe('sign-in throttling', () => {
      it('answers the same for an unknown account and a wrong password, then 429 with Retry-After', async () => {
        const attempt = (email: string) => new Client(t.target).post('/api/v1/auth/login', { email, password: 'not the password at all' });
        const wrong = await attempt(emailOf('viewer', 'acme'));
        const unknown = await attempt(`nobody-${run}@acme.example`);
        expect([wrong.status, unknown.status]).toEqual([401, 401]);
        expect(await wrong.text()).toBe(await unknown.text());

        // Three free failures for the account, a fourth that sets a 1 s wait, then refusal.
        const target = `locked-${run}@acme.example`;
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await attempt(target)).status);
        expect(statuses).toEqual([401, 401, 401, 401]);
        // On a real clock a slow machine may let the 1 s pass before the next attempt: that one
        // is then a failure too and doubles the wait, so a refusal comes within two more.
        let throttled = await attempt(target);
        let extra = 0;
        while (throttled.status === 401 && extra < 2) {
          extra++;
          throttled = await attempt(target);
        }
        expect(throttled.status).toBe(429);
        expect(await throttled.json()).toEqual({ error: { code: 'too_many_requests', message: 'Too many sign-in attempts; try again later' } });
        const retryAfter = Number(throttled.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThanOrEqual(1);
        expect(retryAfter).toBeLessThanOrEqual(2 ** extra);
        // Other accounts from the same address are not locked out by it.
        expect((await signIn(t.target, emailOf('owner', 'Globex'))).cookie).toBeTruthy();
        if (t.advanceClock) {
          await t.advanceClock(retryAfter * 1000);
          expect((await attempt(target)).status).toBe(401);
        }
      });
    });

    describe('CSRF', () => {
      it('refuses an unsafe request that does not come from our origin, and changes nothing', async () => {
        const before = (await (await acme.owner.get('/api/v1/projects')).json()).projects.length;
        const send = (headers: Record<string, string>) =>
          t.target.request('/api/v1/projects', {
            method: 'POST',
            headers: { Cookie: acme.owner.cookie!, 'Content-Type': 'application/json', ...headers },
            body: JSON.stringify({ name: 'forged' }),
          });
        for (const headers of [
          { Origin: 'https://evil.example' },
          { 'Sec-Fetch-Site': 'cross-site' },
          { 'Sec-Fetch-Site': 'same-site' },
          { 'Sec-Fetch-Site': 'same-origin', Origin: 'https://evil.example' },
          {},
        ] as Record<string, string>[]) {
          const response = await send(headers);
          expect([headers, response.status]).toEqual([headers, 403]);
          expect(await response.json()).toEqual({ error: { code: 'forbidden', message: 'Cross-site request refused' } });
        }
        expect((await send({ 'Sec-Fetch-Site': 'same-origin' })).status).toBe(201);
        expect((await (await acme.owner.get('/api/v1/projects')).json()).projects.length).toBe(before + 1);
      });
    });

    describe('request bodies', () => {
      it('refuses oversize, malformed and mistyped JSON without echoing it', async () => {
        const post = (body: BodyInit, type = 'application/json') => acme.owner.request('POST', '/api/v1/projects', { headers: { 'Content-Type': type }, bytes: body as Uint8Array });
        const big = new TextEncoder().encode(JSON.stringify({ name: 'x'.repeat(64 * 1024) }));
        const cases: [string, Response, number, string][] = [
          ['oversize', await post(big), 413, 'The request body is too large'],
          ['not JSON', await post(new TextEncoder().encode(`{"name": ${MARKER}`)), 400, 'The request body is not valid JSON'],
          ['not UTF-8', await post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'The request body is not valid JSON'],
          ['wrong type', await post(new TextEncoder().encode(JSON.stringify({ name: 'x' })), 'text/plain'), 415, 'The request body must be application/json'],
          ['wrong shape', await post(new TextEncoder().encode(JSON.stringify({ name: { MARKER } }))), 400, 'Invalid field: name'],
          ['too long', await post(new TextEncoder().encode(JSON.stringify({ name: MARKER.repeat(100) }))), 400, 'Invalid field: name'],
        ];
        for (const [what, response, status, message] of cases) {
          const text = await response.text();
          expect([what, response.status, JSON.parse(text).error.message]).toEqual([what, status, message]);
          expect(text).not.toContain(MARKER);
        }
      });

      it('takes an upload up to the limit byte-exact and refuses one byte more, declared or streamed', async () => {
        const limit = t.maxUploadBytes;
        const upload = (bytes: Uint8Array) => acme.owner.request('POST', `/api/v1/projects/${acmeProject.id}/files?name=limit.bin`, { bytes });
        const exact = testBytes(limit);
        const accepted = await upload(exact);
        expect(accepted.status).toBe(201);
        const file = await accepted.json();
        expect(file).toEqual({ id: expect.any(String), sha256: hex(exact), size: limit });
        expect(new Uint8Array(await (await acme.owner.get(`/api/v1/files/${file.id}`)).arrayBuffer())).toEqual(exact);

        const over = await upload(testBytes(limit + 1));
        expect(over.status).toBe(413);
        expect(await over.json()).toEqual({ error: { code: 'too_large', message: 'The request body is too large' } });
        // Without Content-Length: the limit is counted while reading.
        if (t.streamedBodies !== false) await expectStreamedUploadRefused();
        const names = (await (await acme.owner.get(`/api/v1/projects/${acmeProject.id}/files`)).json()).files.map((f: { name: string }) => f.name);
        expect(names.filter((n: string) => n !== 'f.bin' && n !== 'g')).toEqual(['limit.bin']);
      });

      async function expectStreamedUploadRefused(): Promise<void> {
        const limit = t.maxUploadBytes;
        const streamed = await t.target.request(`/api/v1/projects/${acmeProject.id}/files?name=stream.bin`, {
          method: 'POST',
          headers: { Cookie: acme.owner.cookie!, Origin: ORIGIN, 'Content-Type': 'application/octet-stream' },
          body: new ReadableStream<Uint8Array>({
            start(controller) {
              const chunk = testBytes(Math.ceil(limit / 3));
              for (let i = 0; i < 4; i++) controller.enqueue(chunk);
              controller.close();
            },
          }),
          duplex: 'half',
        } as RequestInit);
        expect(streamed.status).toBe(413);
      }
    });

    describe('files', () => {
      it('returns exactly the bytes uploaded, with their SHA-256 and name', async () => {
        for (const [name, bytes] of [
          ['Messdaten März.csv', testBytes(1500)],
          ['empty.csv', new Uint8Array(0)],
        ] as const) {
          const uploaded = await member.client.request('POST', `/api/v1/projects/${acmeProject.id}/files?name=${encodeURIComponent(name)}`, { bytes });
          expect(uploaded.status).toBe(201);
          const file = await uploaded.json();
          expect(file).toEqual({ id: expect.any(String), sha256: hex(bytes), size: bytes.length });
          const read = await viewer.get(`/api/v1/files/${file.id}`);
          expect(read.status).toBe(200);
          expect(read.headers.get('content-type')).toBe('application/octet-stream');
          expect(read.headers.get('x-content-sha256')).toBe(hex(bytes));
          expect(read.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
          expect(new Uint8Array(await read.arrayBuffer())).toEqual(bytes);
        }
      });
    });

    describe('audit log', () => {
      it('verifies the tenant’s chain, and detects an edited and a removed event', async () => {
        const verify = async () => (await acme.owner.get('/api/v1/admin/audit/verify')).json();
        const whole = await verify();
        expect(whole).toEqual({ ok: true, events: (await auditEvents(acme.owner)).length });
        expect(whole.events).toBeGreaterThan(5);
        if (!t.sql) return;
        const [row] = await t.sql('SELECT * FROM audit_events WHERE chain = ? AND seq = 2', [acme.tenantId]);
        expect(row).toMatchObject({ action: 'auth.login', outcome: 'success' });

        await t.sql('UPDATE audit_events SET outcome = ? WHERE chain = ? AND seq = 2', ['failure', acme.tenantId]);
        expect(await verify()).toEqual({ ok: false, events: 1, firstBrokenSeq: 2 });
        await t.sql('UPDATE audit_events SET outcome = ? WHERE chain = ? AND seq = 2', ['success', acme.tenantId]);
        expect(await verify()).toEqual(whole);

        await t.sql('DELETE FROM audit_events WHERE chain = ? AND seq = 2', [acme.tenantId]);
        expect(await verify()).toEqual({ ok: false, events: 1, firstBrokenSeq: 2 });
        const columns = Object.keys(row);
        await t.sql(`INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`, Object.values(row) as SqlValue[]);
        expect(await verify()).toEqual(whole);
      });
    });

    // Last: it moves the clock past every session's end.
    describe('session expiry', () => {
      it('ends a session unused for the idle timeout, and any session at its absolute lifetime', async (context) => {
        if (!t.advanceClock) return context.skip();
        const { idleTimeoutMs, absoluteLifetimeMs } = t.session ?? DEFAULT_SESSION_SETTINGS;
        const owner = await signIn(t.target, emailOf('owner', 'Acme'));
        await t.advanceClock(idleTimeoutMs - 60_000);
        expect((await owner.get('/api/v1/me')).status).toBe(200);
        await t.advanceClock(idleTimeoutMs);
        expect((await owner.get('/api/v1/me')).status).toBe(401);
        expect((await viewer.get('/api/v1/me')).status).toBe(401);

        const active = await signIn(t.target, emailOf('owner', 'Acme'));
        let used = 0;
        const step = idleTimeoutMs - 60_000;
        while (used + step < absoluteLifetimeMs) {
          await t.advanceClock(step);
          used += step;
          expect((await active.get('/api/v1/me')).status).toBe(200);
        }
        await t.advanceClock(absoluteLifetimeMs - used);
        expect((await active.get('/api/v1/me')).status).toBe(401);
      });
    });
  });
}
