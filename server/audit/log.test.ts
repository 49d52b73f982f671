import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../node/sqlite-store.ts';
import type { Store } from '../ports.ts';
import { migrate } from '../store/migrate.ts';
import { fixedClock } from '../test/memory-ports.ts';
import { commitWithAudit, GENESIS_HASH, verifyChain, type AuditEvent } from './log.ts';

function event(action: string, tenantId: string | null = 'tenant-a'): AuditEvent {
  return { tenantId, actor: 'user-1', action, target: 'x', outcome: 'success', address: '192.0.2.1', userAgent: 'test' };
}

async function storeWithEvents(n: number) {
  const store = openSqliteStore(':memory:');
  await migrate(store, fixedClock);
  for (let i = 1; i <= n; i++) await commitWithAudit(store, fixedClock, [], [event(`action.${i}`)]);
  return store;
}

describe('audit chain', () => {
  it('links each event to the previous one, per tenant', async () => {
    const store = await storeWithEvents(3);
    await commitWithAudit(store, fixedClock, [], [event('service.thing', null)]);
    const rows = await store.all<{ chain: string; seq: number; prev_hash: string; hash: string }>(
      'SELECT chain, seq, prev_hash, hash FROM audit_events ORDER BY chain, seq',
    );
    expect(rows.map((r) => [r.chain, r.seq])).toEqual([
      ['service', 1],
      ['tenant-a', 1],
      ['tenant-a', 2],
      ['tenant-a', 3],
    ]);
    expect(rows[1].prev_hash).toBe(GENESIS_HASH);
    expect(rows[2].prev_hash).toBe(rows[1].hash);
    expect(rows[3].prev_hash).toBe(rows[2].hash);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 3 });
    expect(await verifyChain(store, 'service')).toEqual({ ok: true, events: 1 });
    expect(await verifyChain(store, 'nobody')).toEqual({ ok: true, events: 0 });
  });

  it('detects an edited event', async () => {
    const store = await storeWithEvents(5);
    await store.run("UPDATE audit_events SET outcome = 'failure' WHERE seq = 3");
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: false, events: 2, firstBrokenSeq: 3 });
  });

  it('detects an edit that recomputes the event hash (the next event no longer links)', async () => {
    const store = await storeWithEvents(5);
    const { eventHash } = await import('./log.ts');
    const row = (await store.first<Record<string, unknown>>("SELECT * FROM audit_events WHERE chain = 'tenant-a' AND seq = 2"))!;
    const edited = { ...row, actor: 'someone-else' } as Parameters<typeof eventHash>[0];
    await store.run("UPDATE audit_events SET actor = 'someone-else', hash = ? WHERE seq = 2", [eventHash(edited)]);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: false, events: 2, firstBrokenSeq: 3 });
  });

  it('detects a removed event', async () => {
    const store = await storeWithEvents(5);
    await store.run('DELETE FROM audit_events WHERE seq = 4');
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: false, events: 3, firstBrokenSeq: 4 });
    const first = await storeWithEvents(3);
    await first.run('DELETE FROM audit_events WHERE seq = 1');
    expect(await verifyChain(first, 'tenant-a')).toEqual({ ok: false, events: 0, firstBrokenSeq: 1 });
  });

  it('detects reordered events', async () => {
    const store = await storeWithEvents(5);
    await store.batch([
      { sql: 'UPDATE audit_events SET seq = -1 WHERE seq = 2' },
      { sql: 'UPDATE audit_events SET seq = 2 WHERE seq = 3' },
      { sql: 'UPDATE audit_events SET seq = 3 WHERE seq = -1' },
    ]);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: false, events: 1, firstBrokenSeq: 2 });
  });

  it('commits the state change and its event together, or neither', async () => {
    const store = await storeWithEvents(1);
    await store.run('CREATE TABLE t (v INTEGER NOT NULL)');
    await expect(commitWithAudit(store, fixedClock, [{ sql: 'INSERT INTO t (v) VALUES (NULL)' }], [event('bad')])).rejects.toThrow(/NOT NULL/);
    expect(await store.first('SELECT COUNT(*) AS n FROM audit_events')).toEqual({ n: 1 });
    await commitWithAudit(store, fixedClock, [{ sql: 'INSERT INTO t (v) VALUES (1)' }], [event('good')]);
    expect(await store.first('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 1 });
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 2 });
  });

  it('keeps one unbroken chain when writers that do not share a queue race (as Worker isolates on D1)', async () => {
    const store = await storeWithEvents(0);
    // Each wrapper is a separate writer; the database is the same.
    const writers: Store[] = Array.from({ length: 8 }, () => ({
      all: (sql, params) => store.all(sql, params),
      first: (sql, params) => store.first(sql, params),
      run: (sql, params) => store.run(sql, params),
      batch: (statements) => store.batch(statements),
    }));
    await store.run('CREATE TABLE t (v INTEGER NOT NULL)');
    await Promise.all(
      writers.flatMap((writer, w) =>
        Array.from({ length: 5 }, (_, i) => commitWithAudit(writer, fixedClock, [{ sql: 'INSERT INTO t (v) VALUES (?)', params: [w * 10 + i] }], [event(`w${w}.${i}`)])),
      ),
    );
    expect(await store.first('SELECT COUNT(*) AS n FROM t')).toEqual({ n: 40 });
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 40 });
  });
});
