// Sign-in throttling per account and per client address: after a few free failures each
// further one doubles the wait, up to a ceiling; a quiet period forgets the failures.
// Accounts are keyed by a hash of the typed email, so a mistyped password in the email
// field is never stored.
import type { Clock, Statement, Store } from '../ports.ts';
import { formatIp, parseIp } from '../http/address.ts';
import { hashSecret } from './session.ts';

export interface ThrottleSettings {
  readonly accountFreeFailures: number;
  /** Higher than per account: many people may share one address behind a NAT. */
  readonly addressFreeFailures: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Failures older than this are forgotten. */
  readonly forgetAfterMs: number;
}

export const DEFAULT_THROTTLE_SETTINGS: ThrottleSettings = {
  accountFreeFailures: 3,
  addressFreeFailures: 20,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  forgetAfterMs: 60 * 60 * 1000,
};

export interface ThrottleKey {
  readonly key: string;
  readonly freeFailures: number;
}

export function throttleKeys(settings: ThrottleSettings, email: string, address: string | null): ThrottleKey[] {
  const keys = [{ key: `account:${hashSecret(email)}`, freeFailures: settings.accountFreeFailures }];
  if (address) keys.push({ key: `address:${addressBucket(address)}`, freeFailures: settings.addressFreeFailures });
  return keys;
}

/** One IPv6 client usually holds a whole /64 (RFC 4291 §2.5.4), so failures count per /64, not per address. */
export function addressBucket(address: string): string {
  const parsed = parseIp(address);
  if (!parsed || parsed.v4) return address;
  const bytes = parsed.bytes.slice();
  bytes.fill(0, 8);
  return `${formatIp({ bytes, v4: false })}/64`;
}

export function delayAfter(settings: ThrottleSettings, failures: number, freeFailures: number): number {
  if (failures <= freeFailures) return 0;
  return Math.min(settings.baseDelayMs * 2 ** (failures - freeFailures - 1), settings.maxDelayMs);
}

interface ThrottleRow {
  key: string;
  failures: number;
  last_failure_at: string;
  locked_until: string;
}

async function rowsOf(store: Store, keys: readonly ThrottleKey[]): Promise<Map<string, ThrottleRow>> {
  const rows = await store.all<ThrottleRow>(
    `SELECT key, failures, last_failure_at, locked_until FROM login_throttle WHERE key IN (${keys.map(() => '?').join(', ')})`,
    keys.map((k) => k.key),
  );
  return new Map(rows.map((r) => [r.key, r]));
}

/** Milliseconds until another attempt is allowed; 0 when it is allowed now. */
export async function throttleWait(store: Store, clock: Clock, keys: readonly ThrottleKey[]): Promise<number> {
  const now = clock.now().getTime();
  let wait = 0;
  for (const row of (await rowsOf(store, keys)).values()) wait = Math.max(wait, Date.parse(row.locked_until) - now);
  return wait;
}

export async function recordFailureStatements(
  store: Store,
  clock: Clock,
  settings: ThrottleSettings,
  keys: readonly ThrottleKey[],
): Promise<Statement[]> {
  const now = clock.now();
  const rows = await rowsOf(store, keys);
  return keys.map(({ key, freeFailures }) => {
    const row = rows.get(key);
    const stale = !row || now.getTime() - Date.parse(row.last_failure_at) > settings.forgetAfterMs;
    const failures = stale ? 1 : row.failures + 1;
    const lockedUntil = new Date(now.getTime() + delayAfter(settings, failures, freeFailures)).toISOString();
    return {
      sql: `INSERT INTO login_throttle (key, failures, last_failure_at, locked_until) VALUES (?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure_at = excluded.last_failure_at,
            locked_until = excluded.locked_until`,
      params: [key, failures, now.toISOString(), lockedUntil],
    };
  });
}

/** A successful sign-in clears its account's failures; the address keeps its own. */
export function clearAccountStatement(keys: readonly ThrottleKey[]): Statement {
  return { sql: 'DELETE FROM login_throttle WHERE key = ?', params: [keys[0].key] };
}
