// A subset of the HTTP suite against the Workers build in workerd (wrangler's local mode:
// D1 and R2 simulated), through the same harness client as the in-process tests. Accounts
// are made through the operator routes, as an operator of a Workers deployment would.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_startWorker } from 'wrangler';
import { decodeTotpSecret, totp } from '../auth/totp.ts';
import { Client, PASSWORD, signIn, type RequestTarget } from '../test/harness.ts';

process.env.WRANGLER_SEND_METRICS = 'false';
const OPERATOR_TOKEN = 'workerd-test-operator-token-0123456789abcdef';
const root = mkdtempSync(join(tmpdir(), 'sigma-workerd-'));
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let target: RequestTarget;

beforeAll(async () => {
  // The real entry and bindings, with a stand-in for the built app so no web build is needed.
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(
    join(root, 'wrangler.toml'),
    `name = "sigma-test"
main = ${JSON.stringify(resolve('server/worker/index.ts'))}
compatibility_date = "2026-04-01"
[assets]
directory = ${JSON.stringify(join(root, 'assets'))}
binding = "ASSETS"
not_found_handling = "single-page-application"
run_worker_first = true
[[d1_databases]]
binding = "DB"
database_name = "sigma"
database_id = "00000000-0000-0000-0000-000000000000"
[[r2_buckets]]
binding = "BLOBS"
bucket_name = "sigma-blobs"
`,
  );
  worker = await unstable_startWorker({
    config: join(root, 'wrangler.toml'),
    dev: { server: { port: 0 }, inspector: false, persist: false, logLevel: 'error' },
    bindings: {
      SIGMA_MASTER_KEY: { type: 'plain_text', value: Buffer.alloc(32, 1).toString('base64') },
      SIGMA_OPERATOR_TOKEN: { type: 'plain_text', value: OPERATOR_TOKEN },
    },
  });
  await worker.ready;
  const base = await worker.url;
  target = {
    async request(path, init) {
      // The harness names its origin http://localhost; the Worker's CSRF check wants the one it is served at.
      const headers = new Headers(init.headers);
      if (headers.has('origin')) headers.set('origin', base.origin);
      return (await worker.fetch(new URL(path, base).href, { ...init, headers } as never)) as unknown as Response;
    },
  };
}, 120_000);

afterAll(async () => {
  await worker?.dispose();
  rmSync(root, { recursive: true, force: true });
});

async function createTenant(name: string): Promise<{ tenantId: string; owner: Client }> {
  const email = `owner@${name.toLowerCase()}.example`;
  const response = await new Client(target).request('POST', '/api/v1/operator/tenants', {
    body: { name, adminEmail: email, password: PASSWORD },
    headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` },
  });
  expect(response.status).toBe(201);
  const { tenantId } = await response.json();
  return { tenantId, owner: await signIn(target, email) };
}

describe('the HTTP API on workerd (D1, R2)', () => {
  let acme: Awaited<ReturnType<typeof createTenant>>;
  let globex: Awaited<ReturnType<typeof createTenant>>;

  it('creates tenants through the operator routes and signs in with a Secure __Host- cookie', async () => {
    expect((await new Client(target).request('GET', '/api/v1/operator/audit/verify', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    acme = await createTenant('Acme');
    globex = await createTenant('Globex');
    expect(acme.owner.cookie).toMatch(/^__Host-sigma_session=[a-z2-7]{32}\.[a-z2-7]{32}$/);
    expect(await (await acme.owner.get('/api/v1/me')).json()).toMatchObject({ role: 'owner', tenant: { id: acme.tenantId, name: 'Acme' } });
  });

  it('stores projects and files encrypted and returns the bytes exactly, and hides them from another tenant', async () => {
    const project = await (await acme.owner.post('/api/v1/projects', { name: 'Alloys', folder: 'R&D' })).json();
    const bytes = new Uint8Array(randomBytes(300_000));
    const uploaded = await acme.owner.request('POST', `/api/v1/projects/${project.id}/files?name=runs.csv`, { bytes });
    expect(uploaded.status).toBe(201);
    const file = await uploaded.json();
    const read = await acme.owner.get(`/api/v1/files/${file.id}`);
    expect(Buffer.from(await read.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    expect(read.headers.get('x-content-sha256')).toBe(file.sha256);
    for (const path of [`/api/v1/projects/${project.id}`, `/api/v1/files/${file.id}`]) {
      const foreign = await globex.owner.get(path);
      const missing = await globex.owner.get(path.replace(/[0-9a-f-]{36}$/, crypto.randomUUID()));
      expect([path, foreign.status]).toEqual([path, 404]);
      expect(await foreign.json()).toEqual(await missing.json());
    }
  });

  it('keeps the audit chain whole under concurrent writes (D1 has no interactive transactions)', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => acme.owner.post('/api/v1/projects', { name: `p${i}` })));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(await (await acme.owner.get('/api/v1/admin/audit/verify')).json()).toMatchObject({ ok: true });
    const verified = await (await new Client(target).request('GET', '/api/v1/operator/audit/verify', { headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } })).json();
    expect(verified.chains.every((c: { ok: boolean }) => c.ok)).toBe(true);
  });

  it('enrols a second factor and takes each code once, also when two sign-ins race', async () => {
    const { otpauthUrl } = await (await globex.owner.post('/api/v1/me/totp')).json();
    const key = decodeTotpSecret(new URL(otpauthUrl).searchParams.get('secret')!);
    // The code of the step before now: still inside the window, and leaves the current step for sign-in.
    const confirmed = await globex.owner.post('/api/v1/me/totp/confirm', { code: totp(key, Date.now() - 30_000) });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = await confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    const login = (body: Record<string, string>) =>
      new Client(target).post('/api/v1/auth/login', { email: 'owner@globex.example', password: PASSWORD, ...body });
    expect((await (await login({})).json()).error.code).toBe('totp_required');
    const code = totp(key, Date.now() + 30_000);
    expect((await login({ totp: code })).status).toBe(200);
    expect((await login({ totp: code })).status).toBe(401);
    const raced = await Promise.all([login({ recoveryCode: recoveryCodes[0] }), login({ recoveryCode: recoveryCodes[0] })]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
  });
});
