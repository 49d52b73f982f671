// The server's daily work, in the process that serves: a backup into <data>/backups/ (older
// ones beyond 30 days removed), then the retention work (jobs/retention.ts: erasure of
// tenants cancelled 90 days ago, audit retention, the orphan blob sweep). The same as
// running `sigma backup` and `sigma purge` from cron, for installations that have no cron.
import { join } from 'node:path';
import { runRetention, type RetentionReport, type RetentionSettings } from '../jobs/retention.ts';
import type { BlobStore, Clock } from '../ports.ts';
import { BACKUP_KEEP_DAYS, backupFolderName, createBackup, pruneBackups } from './backup.ts';
import type { SqliteStore } from './sqlite-store.ts';

const DAY = 24 * 60 * 60 * 1000;

/** A time of day in UTC. */
export interface TimeOfDay {
  readonly hour: number;
  readonly minute: number;
}

/** setTimeout and clearTimeout, injected so tests move time by hand. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms).unref(),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** The first moment at `at` (UTC) strictly after `now`. */
export function nextRunAfter(now: Date, at: TimeOfDay): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), at.hour, at.minute);
  return new Date(today > now.getTime() ? today : today + DAY);
}

export interface DailySchedule {
  stop(): void;
  /** When the job runs next; null once stopped. */
  next(): Date | null;
}

/**
 * Runs `job` every day at `at`. The next run is computed from the clock after each run (and
 * after a timer that fired early), so a slow job or a drifting timer never shifts the
 * schedule, and a run is never made twice for the same day. A failing job is reported and
 * tried again the next day.
 */
export function scheduleDaily(options: {
  clock: Clock;
  at: TimeOfDay;
  job: () => Promise<void>;
  onError: (error: unknown) => void;
  timers?: Timers;
}): DailySchedule {
  const { clock, at, job, onError, timers = systemTimers } = options;
  let handle: unknown;
  let due: Date | null = nextRunAfter(clock.now(), at);
  const arm = () => {
    if (due === null) return;
    handle = timers.set(fire, Math.max(0, due.getTime() - clock.now().getTime()));
  };
  const fire = async () => {
    if (due === null) return;
    if (clock.now() < due) return arm();
    try {
      await job();
    } catch (error) {
      onError(error);
    }
    if (due === null) return;
    due = nextRunAfter(clock.now() < due ? due : clock.now(), at);
    arm();
  };
  arm();
  return {
    stop() {
      due = null;
      timers.clear(handle);
    },
    next: () => due,
  };
}

export interface DailyReport extends RetentionReport {
  readonly backup: string;
  readonly backupsRemoved: readonly string[];
}

/** One day's work; each part runs even if one before it failed, and the first failure is thrown at the end. */
export async function runDailyJobs(deps: {
  store: SqliteStore;
  blobs: BlobStore;
  clock: Clock;
  dataDir: string;
  settings: RetentionSettings;
}): Promise<DailyReport> {
  const failures: unknown[] = [];
  const attempt = async <T>(work: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      failures.push(error);
      return fallback;
    }
  };
  const root = join(deps.dataDir, 'backups');
  const backup = join(root, backupFolderName(deps.clock.now()));
  await attempt(() => createBackup(deps.store, deps.dataDir, backup), null);
  const backupsRemoved = await attempt(() => pruneBackups(root, deps.clock.now(), BACKUP_KEEP_DAYS), []);
  const retention = await attempt(() => runRetention(deps, deps.settings), { tenantsPurged: [], audit: [], orphanBlobs: { deleted: [], waiting: 0 } });
  if (failures.length > 0) throw failures[0];
  return { backup, backupsRemoved, ...retention };
}
