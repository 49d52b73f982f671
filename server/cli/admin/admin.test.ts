import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../node/sqlite-store.ts';
import { Client, PASSWORD, signIn } from '../../test/harness.ts';
import { createTestApp, testPasswordHasher } from '../../test/memory-ports.ts';
import { UsageError } from '../io.ts';
import { tenantCommand, userCommand } from './accounts.ts';
import { auditCommand } from './audit.ts';
import type { AdminIo } from './context.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

// The master key of createTestApp, so the app can read what the commands wrote.
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');

function fakeIo(dataDir: string, stdin = '') {
  const lines: string[] = [];
  const io: AdminIo = {
    env: { SIGMA_DATA_DIR: dataDir, SIGMA_MASTER_KEY: MASTER_KEY },
    readStdin: async () => stdin,
    print: (line) => lines.push(line),
  };
  return { io, lines };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-admin-'));
  dirs.push(dir);
  return dir;
}

describe('tenant and user commands', () => {
  it('creates a tenant whose admin signs in, adds a user, cancels the tenant, and verifies the audit log', async () => {
    const dir = tempDir();
    const created = fakeIo(dir, `${PASSWORD}\n`);
    await tenantCommand(['create', '--name', 'Acme', '--admin-email', 'Boss@Acme.example', '--password-stdin'], created.io, testPasswordHasher);
    const { tenantId, userId } = JSON.parse(created.lines[0]);
    expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);

    const user = fakeIo(dir, PASSWORD);
    await userCommand(['create', '--tenant', tenantId, '--email', 'mia@acme.example', '--role', 'viewer', '--password-stdin'], user.io, testPasswordHasher);
    expect(JSON.parse(user.lines[0])).toMatchObject({ tenantId, userId: expect.any(String) });

    const store = openSqliteStore(join(dir, 'sigma.db'));
    const { app } = await createTestApp({ store });
    const boss = await signIn(app, 'boss@acme.example');
    expect(await (await boss.get('/api/v1/me')).json()).toMatchObject({ user: { id: userId }, role: 'owner', tenant: { id: tenantId, name: 'Acme' } });
    expect((await boss.post('/api/v1/projects', { name: 'Encrypted under the new data key' })).status).toBe(201);
    expect((await (await signIn(app, 'mia@acme.example')).get('/api/v1/me').then((r) => r.json())).role).toBe('viewer');

    await tenantCommand(['cancel', '--id', tenantId], fakeIo(dir).io);
    expect((await boss.get('/api/v1/me')).status).toBe(401);
    expect((await new Client(app).post('/api/v1/auth/login', { email: 'boss@acme.example', password: PASSWORD })).status).toBe(401);

    const verified = fakeIo(dir);
    await auditCommand(['verify'], verified.io);
    // Service: tenant.create, tenant.cancel. Tenant: two user.create, two sign-ins, project.create, the refused sign-in.
    expect(verified.lines.map((l) => JSON.parse(l)).sort((a, b) => a.events - b.events)).toEqual([
      { chain: 'service', ok: true, events: 2 },
      { chain: tenantId, ok: true, events: 6 },
    ]);
    await store.run('DELETE FROM audit_events WHERE chain = ? AND seq = 2', [tenantId]);
    const broken = fakeIo(dir);
    await expect(auditCommand(['verify'], broken.io)).rejects.toThrow(`The audit log is broken: ${tenantId} at seq 2`);
    store.close();
  });

  it('refuses weak passwords, taken emails, unknown roles and a password given any way but stdin', async () => {
    const dir = tempDir();
    const create = (email: string, stdin: string, extra: string[] = ['--password-stdin']) =>
      tenantCommand(['create', '--name', 'Acme', '--admin-email', email, ...extra], fakeIo(dir, stdin).io, testPasswordHasher);
    await expect(create('a@acme.example', 'short\n')).rejects.toThrow(new UsageError('The password must have at least 12 characters'));
    await expect(create('a@acme.example', PASSWORD, [])).rejects.toThrow(/--password-stdin is required/);
    await expect(create('a@acme.example', '')).rejects.toThrow(/no password/);
    await create('a@acme.example', PASSWORD);
    await expect(create('A@acme.example', PASSWORD)).rejects.toThrow('An account with this email exists already');
    await expect(
      userCommand(['create', '--tenant', 'x', '--email', 'b@acme.example', '--role', 'root', '--password-stdin'], fakeIo(dir, PASSWORD).io),
    ).rejects.toThrow(/--role must be one of/);
    await expect(
      userCommand(['create', '--tenant', 'nope', '--email', 'b@acme.example', '--role', 'member', '--password-stdin'], fakeIo(dir, PASSWORD).io, testPasswordHasher),
    ).rejects.toThrow('No such tenant');
    await expect(tenantCommand(['frobnicate'], fakeIo(dir).io)).rejects.toThrow(/Usage:/);
  });

  it('runs from the sigma command with the password on stdin', () => {
    const dir = tempDir();
    const sigma = (args: string[], input = '') =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', ...args], {
        encoding: 'utf8',
        input,
        env: { ...process.env, SIGMA_DATA_DIR: dir, SIGMA_MASTER_KEY: MASTER_KEY },
      });
    const created = sigma(['tenant', 'create', '--name', 'Acme', '--admin-email', 'cli@acme.example', '--password-stdin'], `${PASSWORD}\n`);
    expect(created.status, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).tenantId).toMatch(/^[0-9a-f-]{36}$/);
    const verified = sigma(['audit', 'verify']);
    expect(verified.status, verified.stderr).toBe(0);
    expect(verified.stdout.trim().split('\n')).toHaveLength(2);
  });
});
