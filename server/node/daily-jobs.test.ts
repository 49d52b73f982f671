import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEvents, verifyChain } from '../audit/log.ts';
import { cancelTenant } from '../tenants/tenants.ts';
import { seedTenant, signIn } from '../test/harness.ts';
import { createTestApp, manualClock } from '../test/memory-ports.ts';
import { nextRunAfter, runDailyJobs, scheduleDaily, type Timers } from './daily-jobs.ts';
import { createFsBlobStore } from './fs-blob-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Timers the test fires by hand: it moves the clock by the delay, then calls the callback. */
function fakeTimers() {
  const pending: { callback: () => void; ms: number; id: number }[] = [];
  let ids = 0;
  const timers: Timers = {
    set(callback, ms) {
      pending.push({ callback, ms, id: ++ids });
      return ids;
    },
    clear(handle) {
      const i = pending.findIndex((p) => p.id === handle);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending };
}

describe('the daily schedule', () => {
  it('computes the next run at a UTC time, strictly after now', () => {
    const at = { hour: 0, minute: 0 };
    expect(nextRunAfter(new Date('2026-03-01T12:00:00Z'), at).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(nextRunAfter(new Date('2026-03-01T00:00:00Z'), at).toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(nextRunAfter(new Date('2026-02-28T23:59:59Z'), at).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(nextRunAfter(new Date('2026-03-01T02:00:00Z'), { hour: 3, minute: 30 }).toISOString()).toBe('2026-03-01T03:30:00.000Z');
    expect(nextRunAfter(new Date('2026-12-31T23:00:00Z'), at).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('runs once a day at that time, holds to it when a job is slow or a timer fires early, and stops', async () => {
    const clock = manualClock('2026-03-01T22:15:00.000Z');
    const { timers, pending } = fakeTimers();
    const runs: string[] = [];
    let slow = false;
    const schedule = scheduleDaily({
      clock,
      at: { hour: 0, minute: 0 },
      timers,
      onError: () => {},
      job: async () => {
        runs.push(clock.now().toISOString());
        if (slow) clock.advance(40 * 60 * 1000);
      },
    });
    const fire = async (early = 0) => {
      const timer = pending.shift()!;
      clock.advance(timer.ms - early);
      await timer.callback();
    };
    expect(pending.map((p) => p.ms)).toEqual([105 * 60 * 1000]);
    await fire();
    expect(runs).toEqual(['2026-03-02T00:00:00.000Z']);
    expect(schedule.next()!.toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(pending.map((p) => p.ms)).toEqual([DAY]);
    // A timer that fires a second early runs nothing and waits the rest.
    await fire(1000);
    expect(runs).toHaveLength(1);
    expect(pending.map((p) => p.ms)).toEqual([1000]);
    slow = true;
    await fire();
    expect(runs).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z']);
    // 40 minutes of work: the next run is still at midnight, not at 00:40.
    expect(pending.map((p) => p.ms)).toEqual([DAY - 40 * 60 * 1000]);
    schedule.stop();
    expect(pending).toEqual([]);
    expect(schedule.next()).toBeNull();
  });

  it('reports a failing job and tries again the next day', async () => {
    const clock = manualClock('2026-03-01T23:00:00.000Z');
    const { timers, pending } = fakeTimers();
    const errors: unknown[] = [];
    scheduleDaily({ clock, at: { hour: 0, minute: 0 }, timers, onError: (e) => errors.push(e), job: async () => Promise.reject(new Error('disk full')) });
    const timer = pending.shift()!;
    clock.advance(timer.ms);
    await timer.callback();
    expect(errors).toEqual([new Error('disk full')]);
    expect(pending.map((p) => p.ms)).toEqual([DAY]);
  });
});

describe('the daily jobs', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up, erases tenants cancelled 90 days ago and deletes audit events past retention', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sigma-daily-'));
    dirs.push(dataDir);
    const clock = manualClock('2026-01-01T00:00:00.000Z');
    const store = openSqliteStore(join(dataDir, 'sigma.db'));
    const blobs = createFsBlobStore(join(dataDir, 'blobs'));
    const { app, deps } = await createTestApp({ store, blobs, clock });
    const acme = await seedTenant(app, deps, 'Acme');
    const globex = await seedTenant(app, deps, 'Globex');
    await cancelTenant(deps, globex.tenantId);
    clock.advance(100 * DAY);
    const owner = await signIn(app, 'owner@acme.example');
    expect((await owner.post('/api/v1/projects', { name: 'recent' })).status).toBe(201);

    // A blob a crash left without its row: noted today, deleted by a later run.
    await blobs.put(`t/${acme.tenantId}/files/${crypto.randomUUID()}`, new Uint8Array([1]));
    const report = await runDailyJobs({ store, blobs, clock, dataDir, settings: { auditRetentionDays: 50, tenantErasureDays: 90, orphanBlobGraceMs: 3_600_000 } });
    expect(report.backup).toBe(join(dataDir, 'backups', '2026-04-11T00-00-00.000Z'));
    expect(existsSync(join(report.backup, 'manifest.json'))).toBe(true);
    expect(readdirSync(join(dataDir, 'backups'))).toEqual(['2026-04-11T00-00-00.000Z']);
    expect(report.tenantsPurged).toEqual([globex.tenantId]);
    expect(report.orphanBlobs).toEqual({ deleted: [], waiting: 1 });
    expect(report.audit.map((a) => a.chain).sort()).toEqual([acme.tenantId, globex.tenantId, 'service'].sort());
    // What is left of Acme's chain: the project made today, verifiable from the checkpoint.
    expect((await readEvents(store, { chain: acme.tenantId })).map((e) => e.action)).toEqual(['auth.login', 'project.create']);
    expect(await verifyChain(store, acme.tenantId)).toMatchObject({ ok: true, events: 2 });
    expect((await verifyChain(store, 'service')).ok).toBe(true);
    store.close();
  });
});
