import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../node/sqlite-store.ts';
import { migrate } from '../store/migrate.ts';
import { manualClock } from '../test/memory-ports.ts';
import { commitWithAudit, listChains, readEvents, verifyChain, type AuditEvent } from './log.ts';
import { purgeAuditEvents } from './retention.ts';

const DAY = 24 * 60 * 60 * 1000;

function event(action: string, tenantId: string | null = 'tenant-a'): AuditEvent {
  return { tenantId, actor: 'user-1', action, target: 'x', outcome: 'success', address: '192.0.2.1', userAgent: 'test' };
}

async function setUp() {
  const clock = manualClock('2025-01-01T00:00:00.000Z');
  const store = openSqliteStore(':memory:');
  await migrate(store, clock);
  const add = async (n: number, tenantId: string | null = 'tenant-a') => {
    for (let i = 0; i < n; i++) await commitWithAudit(store, clock, [], [event(`a.${i}`, tenantId)]);
  };
  return { clock, store, add };
}

describe('audit retention', () => {
  it('deletes events older than the period and keeps the rest verifiable from a checkpoint', async () => {
    const { clock, store, add } = await setUp();
    await add(5);
    clock.advance(100 * DAY);
    await add(3);
    clock.advance(301 * DAY);
    expect(await purgeAuditEvents({ store, clock }, 400)).toEqual([{ chain: 'tenant-a', throughSeq: 5, deleted: 5 }]);
    expect((await readEvents(store, { chain: 'tenant-a' })).map((e) => e.seq)).toEqual([6, 7, 8]);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 3, checkpointSeq: 5 });
    // The purge is itself in the service chain.
    expect((await readEvents(store, { chain: 'service' })).map((e) => [e.action, e.target])).toEqual([['audit.purge', 'tenant-a@5']]);
    // Nothing more to do the same day; new events link on.
    expect(await purgeAuditEvents({ store, clock }, 400)).toEqual([]);
    await add(2);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 5, checkpointSeq: 5 });
  });

  it('continues an emptied chain from its checkpoint', async () => {
    const { clock, store, add } = await setUp();
    await add(4);
    await add(2, null);
    clock.advance(401 * DAY);
    const purged = await purgeAuditEvents({ store, clock });
    expect(purged.map((p) => [p.chain, p.throughSeq])).toEqual([
      ['service', 2],
      ['tenant-a', 4],
    ]);
    expect(await readEvents(store, { chain: 'tenant-a' })).toEqual([]);
    expect(await listChains(store)).toEqual(['service', 'tenant-a']);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 0, checkpointSeq: 4 });
    await add(1);
    const [next] = await readEvents(store, { chain: 'tenant-a' });
    expect(next.seq).toBe(5);
    expect(await verifyChain(store, 'tenant-a')).toEqual({ ok: true, events: 1, checkpointSeq: 4 });
    // The service chain kept its own purge events after its checkpoint.
    expect(await verifyChain(store, 'service')).toEqual({ ok: true, events: 2, checkpointSeq: 2 });
  });

  it('still detects an edited or removed event after the checkpoint, and an edited checkpoint', async () => {
    const { clock, store, add } = await setUp();
    await add(3);
    clock.advance(401 * DAY);
    await add(4);
    await purgeAuditEvents({ store, clock });
    await store.run("UPDATE audit_events SET actor = 'someone' WHERE chain = 'tenant-a' AND seq = 6");
    expect(await verifyChain(store, 'tenant-a')).toMatchObject({ ok: false, firstBrokenSeq: 6 });
    await store.run("UPDATE audit_events SET actor = 'user-1' WHERE chain = 'tenant-a' AND seq = 6");
    expect((await verifyChain(store, 'tenant-a')).ok).toBe(true);
    await store.run("DELETE FROM audit_events WHERE chain = 'tenant-a' AND seq = 4");
    expect(await verifyChain(store, 'tenant-a')).toMatchObject({ ok: false, firstBrokenSeq: 4 });

    const other = await setUp();
    await other.add(3);
    other.clock.advance(401 * DAY);
    await other.add(2);
    await purgeAuditEvents({ store: other.store, clock: other.clock });
    await other.store.run("UPDATE audit_checkpoints SET hash = ? WHERE chain = 'tenant-a'", ['f'.repeat(64)]);
    expect(await verifyChain(other.store, 'tenant-a')).toMatchObject({ ok: false, firstBrokenSeq: 4 });
  });
});
