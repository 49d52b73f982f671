// A real server process killed with SIGKILL in the middle of many uploads, then restarted:
// every upload that was acknowledged (201) reads back byte for byte, and nothing half-written
// is visible: no file row without its blob, no temporary file, the database and the audit
// chains intact.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listChains, verifyChain } from '../audit/log.ts';
import { createKeyRing } from '../crypto/key-ring.ts';
import { fileBlobKey } from '../routes/projects.ts';
import { migrate } from '../store/migrate.ts';
import { createTenant } from '../tenants/tenants.ts';
import { PASSWORD } from '../test/harness.ts';
import { testPasswordHasher } from '../test/memory-ports.ts';
import { systemClock } from '../ports.ts';
import { createFsBlobStore } from './fs-blob-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

const MASTER_KEY = new Uint8Array(32).fill(3);
const root = mkdtempSync(join(tmpdir(), 'sigma-crash-'));
const dataDir = join(root, 'data');
const buildDir = join(root, 'build');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/test/serve-child.ts'], {
    env: { ...process.env, SIGMA_DATA_DIR: dataDir, SIGMA_BUILD_DIR: buildDir, SIGMA_MASTER_KEY: Buffer.from(MASTER_KEY).toString('base64') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/running at (\S+)/);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`The server exited with ${code}:\n${output}`)));
  });
  return { url, child };
}

class Session {
  cookie = '';
  constructor(readonly url: string) {}
  async request(method: string, path: string, body?: BodyInit, type = 'application/json'): Promise<Response> {
    const response = await fetch(this.url + path, {
      method,
      body,
      headers: { Origin: this.url, Cookie: this.cookie, ...(body === undefined ? {} : { 'Content-Type': type }) },
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return response;
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('a crash during uploads', () => {
  it('loses no acknowledged upload and shows nothing half-written after a restart', async () => {
    mkdirSync(buildDir, { recursive: true });
    writeFileSync(join(buildDir, 'index.html'), '<!doctype html><div id="app"></div>');
    mkdirSync(dataDir, { recursive: true });
    // The tenant is made before the server runs, as `sigma tenant create` would (the server verifies any stored hash).
    const seed = openSqliteStore(join(dataDir, 'sigma.db'));
    await migrate(seed, systemClock);
    await createTenant(
      { store: seed, keyRing: await createKeyRing(MASTER_KEY), clock: systemClock, passwordHasher: testPasswordHasher },
      { name: 'Acme', adminEmail: 'owner@acme.example', password: PASSWORD },
    );
    seed.close();

    const first = await startServer();
    const session = new Session(first.url);
    expect((await session.request('POST', '/api/v1/auth/login', JSON.stringify({ email: 'owner@acme.example', password: PASSWORD }))).status).toBe(200);
    const project = await (await session.request('POST', '/api/v1/projects', JSON.stringify({ name: 'crash' }))).json();

    // Uploads from 0 bytes to 512 KiB, 24 at a time, until the process dies under them.
    const acknowledged: { id: string; bytes: Uint8Array }[] = [];
    let failed = 0;
    let next = 0;
    let killed = false;
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    async function uploader(): Promise<void> {
      while (!killed) {
        const n = next++;
        const bytes = new Uint8Array(randomBytes(n % 7 === 0 ? 0 : Math.floor(Math.random() * 512 * 1024)));
        try {
          const response = await session.request('POST', `/api/v1/projects/${project.id}/files?name=f${n}`, bytes, 'application/octet-stream');
          if (response.status === 201) {
            const body = await response.json();
            expect(body.sha256).toBe(sha256(bytes));
            acknowledged.push({ id: body.id, bytes });
          } else failed++;
        } catch {
          failed++;
        }
        if (acknowledged.length >= 60 && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    }
    await Promise.all(Array.from({ length: 24 }, uploader));
    await exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    // Some uploads were cut off in flight: the crash really hit the middle of the work.
    expect(failed).toBeGreaterThan(0);

    const second = await startServer();
    const after = new Session(second.url);
    after.cookie = session.cookie;
    expect((await after.request('GET', '/api/v1/me')).status).toBe(200);
    for (const { id, bytes } of acknowledged) {
      const response = await after.request('GET', `/api/v1/files/${id}`);
      expect(response.status).toBe(200);
      const read = new Uint8Array(await response.arrayBuffer());
      expect(read.length).toBe(bytes.length);
      expect(Buffer.from(read).equals(Buffer.from(bytes))).toBe(true);
    }
    // Everything listed (acknowledged or committed just before the kill) reads back whole.
    const { files } = await (await after.request('GET', `/api/v1/projects/${project.id}/files`)).json();
    expect(files.length).toBeGreaterThanOrEqual(acknowledged.length);
    expect(new Set(files.map((f: { id: string }) => f.id))).toEqual(new Set([...files.map((f: { id: string }) => f.id), ...acknowledged.map((a) => a.id)]));
    for (const file of files) {
      const response = await after.request('GET', `/api/v1/files/${file.id}`);
      expect(response.status).toBe(200);
      const read = new Uint8Array(await response.arrayBuffer());
      expect([read.length, sha256(read)]).toEqual([file.size, file.sha256]);
    }
    const stopped = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await stopped;

    const store = openSqliteStore(join(dataDir, 'sigma.db'));
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(store.db.pragma('foreign_key_check')).toEqual([]);
    const blobs = createFsBlobStore(join(dataDir, 'blobs'));
    const rows = await store.all<{ id: string; tenant_id: string }>('SELECT id, tenant_id FROM files');
    expect(rows.length).toBe(files.length);
    for (const row of rows) expect(await blobs.get(fileBlobKey(row.tenant_id, row.id))).not.toBeNull();
    for (const chain of await listChains(store)) expect([chain, (await verifyChain(store, chain)).ok]).toEqual([chain, true]);
    store.close();
    // Temporary files of the interrupted puts were removed at the restart.
    const leftovers = readdirSync(join(dataDir, 'blobs'), { recursive: true }).filter((name) => String(name).endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  }, 30_000);
});
