import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../node/sqlite-store.ts';
import { fixedClock } from '../test/memory-ports.ts';
import { instanceId, migrate, SchemaTooNewError } from './migrate.ts';
import { migrations } from './migrations.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-store-'));
  dirs.push(dir);
  return join(dir, 'sigma.db');
}

describe('migrations', () => {
  it('brings a new file database to the latest version in WAL mode, once', async () => {
    const path = tempDb();
    const store = openSqliteStore(path);
    const latest = migrations[migrations.length - 1].version;
    expect(await migrate(store, fixedClock)).toBe(latest);
    const id = await instanceId(store);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();

    // Reopening applies nothing new and keeps the same instance.
    const again = openSqliteStore(path);
    expect(await migrate(again, fixedClock)).toBe(latest);
    expect(await instanceId(again)).toBe(id);
    const applied = await again.all<{ version: number; applied_at: string }>('SELECT version, applied_at FROM schema_migrations');
    expect(applied).toEqual(migrations.map((m) => ({ version: m.version, applied_at: '2026-01-02T03:04:05.000Z' })));
    again.close();
  });

  it('refuses a database from a newer server', async () => {
    const store = openSqliteStore(tempDb());
    await migrate(store, fixedClock);
    await store.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, ?)', ['future', 'x']);
    await expect(migrate(store, fixedClock)).rejects.toThrow(SchemaTooNewError);
    store.close();
  });

  it('rolls a failed batch back completely', async () => {
    const store = openSqliteStore(':memory:');
    await store.run('CREATE TABLE t (v INTEGER NOT NULL)');
    await expect(
      store.batch([{ sql: 'INSERT INTO t (v) VALUES (1)' }, { sql: 'INSERT INTO t (v) VALUES (NULL)' }]),
    ).rejects.toThrow(/NOT NULL/);
    expect(await store.first<{ n: number }>('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 0 });
    store.close();
  });
});
