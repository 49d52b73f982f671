// The Worker in workerd (wrangler's local mode: D1 and R2 simulated): the shared HTTP suite,
// then what only this platform needs checked: concurrent writers without interactive
// transactions, and the Cron Trigger's retention run with the periods from the Worker's vars.
// The entry is server/test/workerd-entry.ts: the production handlers around a clock the
// tests move, with test-only access to D1 and R2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_startWorker } from 'wrangler';
import { decodeTotpSecret, totp } from '../auth/totp.ts';
import type { SqlValue } from '../ports.ts';
import { Client, PASSWORD, signIn, type RequestTarget } from '../test/harness.ts';
import { httpSuite, remoteTarget } from '../test/http-suite.ts';

process.env.WRANGLER_SEND_METRICS = 'false';
const OPERATOR_TOKEN = 'workerd-test-operator-token-0123456789abcdef';
const UPLOAD_MB = 0.004;
const DAY = 24 * 60 * 60 * 1000;
const root = mkdtempSync(join(tmpdir(), 'sigma-workerd-'));
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let target: RequestTarget;

async function testCommand<T>(command: Record<string, unknown>): Promise<T> {
  const response = await fetch(new URL('/__test', await worker.url), { method: 'POST', body: JSON.stringify(command) });
  if (response.status !== 200) throw new Error(`test command ${command.kind}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Moves the Worker's clock and answers its time now. */
async function advanceClock(ms: number): Promise<number> {
  return Date.parse((await testCommand<{ now: string }>({ kind: 'advance', ms })).now);
}

/** What the Cron Trigger does, through wrangler's test route for it (testScheduled). */
async function runCronTrigger(): Promise<void> {
  const response = await fetch(new URL('/__scheduled?cron=0+0+*+*+*', await worker.url));
  expect([response.status, await response.text()]).toEqual([200, 'Ran scheduled event']);
}

const sql = (text: string, params: readonly SqlValue[] = []) => testCommand<Record<string, unknown>[]>({ kind: 'sql', sql: text, params });

const startWorker = async () => {
  // The real handlers and bindings, with a stand-in for the built app so no web build is needed.
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(
    join(root, 'wrangler.toml'),
    `name = "sigma-test"
main = ${JSON.stringify(resolve('server/test/workerd-entry.ts'))}
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
[vars]
SIGMA_MAX_UPLOAD_MB = "${UPLOAD_MB}"
SIGMA_TENANT_ERASURE_DAYS = "30"
SIGMA_AUDIT_RETENTION_DAYS = "60"
SIGMA_ORPHAN_GRACE_HOURS = "1"
SIGMA_SESSION_MAX_DAYS = "1"
`,
  );
  worker = await unstable_startWorker({
    config: join(root, 'wrangler.toml'),
    // No watching: a rebuild would restart the isolate (and its moved clock) mid-suite.
    dev: { server: { port: 0 }, inspector: false, persist: false, logLevel: 'error', watch: false, testScheduled: true },
    bindings: {
      SIGMA_MASTER_KEY: { type: 'plain_text', value: Buffer.alloc(32, 1).toString('base64') },
      SIGMA_OPERATOR_TOKEN: { type: 'plain_text', value: OPERATOR_TOKEN },
    },
  });
  await worker.ready;
  target = remoteTarget(await worker.url);
};

beforeAll(startWorker, 120_000);

afterAll(async () => {
  await worker?.dispose();
  rmSync(root, { recursive: true, force: true });
});

httpSuite('the HTTP API on workerd (D1, R2)', async () => ({
  target,
  operatorToken: OPERATOR_TOKEN,
  maxUploadBytes: Math.round(UPLOAD_MB * 1024 * 1024),
  session: { idleTimeoutMs: 8 * 60 * 60 * 1000, absoluteLifetimeMs: DAY },
  // wrangler's local proxy now and then stalls on a chunked upload the Worker refuses early;
  // the counting itself (http/request.ts readBytes) is the same code the other targets test.
  streamedBodies: false,
  advanceClock: async (ms) => void (await advanceClock(ms)),
  sql,
}));

const operator = (method: string, path: string, body?: unknown) =>
  new Client(target).request(method, path, { body, headers: { Authorization: `Bearer ${OPERATOR_TOKEN}` } });

async function createTenant(name: string): Promise<{ tenantId: string; owner: Client; email: string }> {
  const email = `owner@${name.toLowerCase()}.example`;
  const response = await operator('POST', '/api/v1/operator/tenants', { name, adminEmail: email, password: PASSWORD });
  expect(response.status).toBe(201);
  const { tenantId } = await response.json();
  return { tenantId, owner: await signIn(target, email), email };
}

describe('the Worker’s own concerns', () => {
  it('keeps the audit chain whole under concurrent writes (D1 has no interactive transactions)', async () => {
    const hooli = await createTenant('Hooli');
    expect(hooli.owner.cookie).toMatch(/^__Host-sigma_session=[a-z2-7]{32}\.[a-z2-7]{32}$/);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => hooli.owner.post('/api/v1/projects', { name: `p${i}` })));
    expect(answers.map((r) => r.status)).toEqual(Array(12).fill(201));
    expect(await (await hooli.owner.get('/api/v1/admin/audit/verify')).json()).toEqual({ ok: true, events: 14 });
    const verified = await (await operator('GET', '/api/v1/operator/audit/verify')).json();
    expect(verified.chains.every((c: { ok: boolean }) => c.ok)).toBe(true);
  });

  it('enrols a second factor and takes each code once, also when two sign-ins race', async () => {
    const pied = await createTenant('Pied');
    const { otpauthUrl } = await (await pied.owner.post('/api/v1/me/totp')).json();
    const key = decodeTotpSecret(new URL(otpauthUrl).searchParams.get('secret')!);
    // The Worker's time, asked each time rather than computed here from what the suite moved.
    const now = () => advanceClock(0);
    // The current step's code (a request slower than 30 s would be needed to leave the window);
    // sign-in below uses the next step's, which is still inside the window then.
    const confirmed = await pied.owner.post('/api/v1/me/totp/confirm', { code: totp(key, await now()) });
    expect(confirmed.status).toBe(200);
    const { recoveryCodes } = await confirmed.json();
    expect(recoveryCodes).toHaveLength(10);
    const login = (body: Record<string, string>) => new Client(target).post('/api/v1/auth/login', { email: pied.email, password: PASSWORD, ...body });
    expect((await (await login({})).json()).error.code).toBe('totp_required');
    const code = totp(key, (await now()) + 30_000);
    expect((await login({ totp: code })).status).toBe(200);
    expect((await login({ totp: code })).status).toBe(401);
    const raced = await Promise.all([login({ recoveryCode: recoveryCodes[0] }), login({ recoveryCode: recoveryCodes[0] })]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('runs tenant erasure, audit retention and the orphan blob sweep from the Cron Trigger, with the periods from its vars', async () => {
    const initech = await createTenant('Initech');
    const umbrella = await createTenant('Umbrella');
    const files: Record<string, string> = {};
    for (const tenant of [initech, umbrella]) {
      const project = await (await tenant.owner.post('/api/v1/projects', { name: 'P' })).json();
      files[tenant.tenantId] = (await (await tenant.owner.request('POST', `/api/v1/projects/${project.id}/files?name=f`, { bytes: new Uint8Array([1, 2]) })).json()).id;
    }
    expect((await operator('POST', `/api/v1/operator/tenants/${initech.tenantId}/cancel`)).status).toBe(204);
    // A blob whose row never got committed.
    const orphan = `t/${umbrella.tenantId}/files/${crypto.randomUUID()}`;
    await testCommand({ kind: 'put-blob', key: orphan, bytes: [7] });

    // 61 days on: past SIGMA_TENANT_ERASURE_DAYS (30, not the default 90) and SIGMA_AUDIT_RETENTION_DAYS (60, not 400).
    await advanceClock(61 * DAY);
    await runCronTrigger();
    expect(await sql('SELECT id FROM tenants WHERE id = ?', [initech.tenantId])).toEqual([]);
    expect(await testCommand({ kind: 'list-blobs', prefix: `t/${initech.tenantId}/` })).toEqual([]);
    const chains = (await (await operator('GET', '/api/v1/operator/audit/verify')).json()).chains as { chain: string; ok: boolean; checkpointSeq?: number }[];
    expect(chains.find((c) => c.chain === umbrella.tenantId)).toMatchObject({ ok: true, checkpointSeq: 4 });
    expect(chains.every((c) => c.ok)).toBe(true);
    expect(await sql('SELECT key FROM orphan_blobs')).toEqual([{ key: orphan }]);

    await advanceClock(2 * 60 * 60 * 1000);
    await runCronTrigger();
    expect(await testCommand({ kind: 'list-blobs', prefix: `t/${umbrella.tenantId}/` })).toEqual([`t/${umbrella.tenantId}/files/${files[umbrella.tenantId]}`]);
    const owner = await signIn(target, umbrella.email);
    expect(new Uint8Array(await (await owner.get(`/api/v1/files/${files[umbrella.tenantId]}`)).arrayBuffer())).toEqual(new Uint8Array([1, 2]));
  });
});
