// The running Node server, over real HTTP: what `npm start` serves.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fakeSmtpServer, parseMail } from '../server/test/fake-smtp-server.ts';
import { Client, PASSWORD, signIn } from '../server/test/harness.ts';
import { httpSuite, remoteTarget } from '../server/test/http-suite.ts';
import { startServer, type TestServer } from './server.ts';

const baseUrl = inject('baseUrl');

describe('the Node server', () => {
  it('answers the health check', async () => {
    const response = await fetch(`${baseUrl}/api/v1/health`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the app shell with isolation headers and a CSP that allows its own boot script only', async () => {
    const response = await fetch(`${baseUrl}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]{44}'/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('falls back to the app shell for app routes but 404s a missing file', async () => {
    const route = await fetch(`${baseUrl}/projects/123`);
    expect(route.status).toBe(200);
    expect(await route.text()).toContain('<div id="app">');
    expect((await fetch(`${baseUrl}/missing.js`)).status).toBe(404);
  });

  it('serves wasm as application/wasm and hashed assets as immutable', async () => {
    const dir = join('build', '_app', 'immutable', 'workers', 'assets');
    const wasm = readdirSync(dir, { recursive: true }).map(String).find((f) => f.endsWith('.wasm'));
    expect(wasm).toBeDefined();
    const response = await fetch(`${baseUrl}/_app/immutable/workers/assets/${wasm}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/wasm');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-security-policy')).toContain("'wasm-unsafe-eval'");
  });

  it('serves the manifest and the service worker revalidated on every load', async () => {
    const manifest = await fetch(`${baseUrl}/manifest.webmanifest`);
    expect(manifest.headers.get('content-type')).toBe('application/manifest+json');
    const worker = await fetch(`${baseUrl}/service-worker.js`);
    expect(worker.status).toBe(200);
    expect(worker.headers.get('cache-control')).toBe('no-cache');
  });
});

describe('first start', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.stop());

  it('creates the data folder with the database and a private master key file', () => {
    expect(existsSync(join(server.dataDir, 'sigma.db'))).toBe(true);
    expect(statSync(join(server.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  });
});

describe('binding to a non-loopback address', () => {
  it('warns that there is no TLS', async () => {
    const server = await startServer({ HOST: '0.0.0.0' });
    try {
      expect(server.output).toMatch(/Warning: listening on 0\.0\.0\.0 without TLS/);
      expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    } finally {
      await server.stop();
    }
  });
});

describe('the HTTP suite against a running Node server', () => {
  const operatorToken = 'node-e2e-operator-token-0123456789abcdef';
  const uploadMb = 0.004;
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof fakeSmtpServer>>;
  let db: Database.Database;

  // Its own server: the operator routes on, a small upload limit, no daily jobs, invitations
  // mailed to a fake SMTP server. Tampering goes through the SQLite file beside the running
  // server (WAL lets a second connection write).
  beforeAll(async () => {
    smtp = await fakeSmtpServer();
    server = await startServer({
      SIGMA_OPERATOR_TOKEN: operatorToken,
      SIGMA_MAX_UPLOAD_MB: String(uploadMb),
      SIGMA_DAILY_JOBS_AT: 'off',
      SIGMA_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      SIGMA_SMTP_FROM: 'sigma@example.com',
    });
    db = new Database(join(server.dataDir, 'sigma.db'));
    db.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    db?.close();
    await server?.stop();
    await smtp?.close();
  });

  httpSuite('the HTTP API on Node (SQLite, blob folder)', async () => ({
    target: remoteTarget(new URL(server.url)),
    operatorToken,
    maxUploadBytes: Math.round(uploadMb * 1024 * 1024),
    sql: async (sql, params = []) => {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    },
  }));

  it('mails an invitation link when SIGMA_SMTP_URL is set, the same link the API answers', async () => {
    const target = remoteTarget(new URL(server.url));
    const created = await new Client(target).post(
      '/api/v1/operator/tenants',
      { name: 'Mailco', adminEmail: 'owner@mailco.example', password: PASSWORD },
      { headers: { Authorization: `Bearer ${operatorToken}` } },
    );
    expect(created.status).toBe(201);
    const owner = await signIn(target, 'owner@mailco.example');
    const response = await owner.post('/api/v1/admin/invitations', { email: 'new@mailco.example', role: 'member' });
    expect(response.status).toBe(201);
    const { url } = await response.json();
    expect(url).toMatch(new RegExp(`^${server.url}/accept#[a-z2-7]{32}\\.[a-z2-7]{32}$`));
    expect(smtp.messages).toHaveLength(1);
    const mail = parseMail(smtp.messages[0]);
    expect(mail.headers).toMatchObject({ From: 'sigma@example.com', To: 'new@mailco.example', Subject: 'Your invitation to Mailco on Sigma' });
    expect(mail.text.split('\r\n')).toContain(url);
  });
});
