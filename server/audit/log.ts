// The audit log: one hash chain per tenant (and one for service events). Each event
// carries the SHA-256 of the previous one, so an edited, removed or reordered event
// breaks the chain. D1 has no interactive transactions, so appends are optimistic: the
// event takes seq = last + 1 and (chain, seq) is the primary key; if another writer took
// that seq first, the whole batch (state change included) fails and is rebuilt.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Clock, SqlValue, Statement, Store } from '../ports.ts';

export const SERVICE_CHAIN = 'service';
export const GENESIS_HASH = '0'.repeat(64);
const MAX_ATTEMPTS = 30;

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'throttled';

export interface AuditEvent {
  /** Null for service events (tenant creation, sign-in attempts for unknown accounts). */
  readonly tenantId: string | null;
  /** A user id, or 'operator' for the command line, or 'anonymous'. */
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: AuditOutcome;
  readonly address: string | null;
  readonly userAgent: string | null;
}

export interface AuditRow {
  readonly chain: string;
  readonly seq: number;
  readonly ts: string;
  readonly tenant_id: string | null;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly outcome: string;
  readonly address: string | null;
  readonly user_agent: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

const COLUMNS = 'chain, seq, ts, tenant_id, actor, action, target, outcome, address, user_agent, prev_hash, hash';

export function chainOf(tenantId: string | null): string {
  return tenantId ?? SERVICE_CHAIN;
}

/** The hash of an event: SHA-256 over a JSON array of every field but the hash itself. */
export function eventHash(row: Omit<AuditRow, 'hash'>): string {
  const fields = [row.chain, row.seq, row.ts, row.tenant_id, row.actor, row.action, row.target, row.outcome, row.address, row.user_agent, row.prev_hash];
  return encodeHexLowerCase(sha256(new TextEncoder().encode(JSON.stringify(fields))));
}

async function chainHead(store: Store, chain: string): Promise<{ seq: number; hash: string }> {
  const last = await store.first<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_events WHERE chain = ? ORDER BY seq DESC LIMIT 1',
    [chain],
  );
  // A chain whose every event retention removed continues from its checkpoint.
  return last ?? (await checkpointOf(store, chain)) ?? { seq: 0, hash: GENESIS_HASH };
}

/** The newest event that audit retention removed from the chain, if any (see retention.ts). */
export async function checkpointOf(store: Store, chain: string): Promise<{ seq: number; hash: string } | undefined> {
  return store.first<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_checkpoints WHERE chain = ?', [chain]);
}

function isChainConflict(error: unknown): boolean {
  return error instanceof Error && /UNIQUE constraint failed: audit_events\./.test(error.message);
}

// One writer at a time per store inside this process, so requests here never race each
// other; the retry below is for other processes and Worker isolates sharing the database.
const queues = new WeakMap<Store, Promise<unknown>>();

/**
 * Runs the statements and appends the events in one transaction, retrying when another
 * writer appended to the same chain between reading its head and committing.
 */
export function commitWithAudit(store: Store, clock: Clock, statements: readonly Statement[], events: readonly AuditEvent[]): Promise<void> {
  const next = (queues.get(store) ?? Promise.resolve()).then(() => commitNow(store, clock, statements, events));
  // The queue continues after a failed commit; the caller still sees the failure.
  queues.set(store, next.catch(() => undefined));
  return next;
}

async function commitNow(store: Store, clock: Clock, statements: readonly Statement[], events: readonly AuditEvent[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const heads = new Map<string, { seq: number; hash: string }>();
    const inserts: Statement[] = [];
    const ts = clock.now().toISOString();
    for (const event of events) {
      const chain = chainOf(event.tenantId);
      const head = heads.get(chain) ?? (await chainHead(store, chain));
      const row = {
        chain,
        seq: head.seq + 1,
        ts,
        tenant_id: event.tenantId,
        actor: event.actor,
        action: event.action,
        target: event.target,
        outcome: event.outcome,
        address: event.address,
        user_agent: event.userAgent,
        prev_hash: head.hash,
      };
      const hash = eventHash(row);
      heads.set(chain, { seq: row.seq, hash });
      const params: SqlValue[] = [...Object.values(row), hash];
      inserts.push({ sql: `INSERT INTO audit_events (${COLUMNS}) VALUES (${params.map(() => '?').join(', ')})`, params });
    }
    try {
      await store.batch([...statements, ...inserts]);
      return;
    } catch (error) {
      if (!isChainConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
      // Random backoff, so writers that keep colliding spread out instead of starving one another.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 2 ** attempt)));
    }
  }
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly events: number;
  readonly firstBrokenSeq?: number;
  /** Retention removed the events up to this seq; verification started from its hash. */
  readonly checkpointSeq?: number;
}

const PAGE = 1000;

/**
 * Walks a chain from its first event, or from the checkpoint retention left; the first seq
 * whose event does not fit is reported.
 */
export async function verifyChain(store: Store, chain: string): Promise<VerifyResult> {
  const checkpoint = await checkpointOf(store, chain);
  const from = checkpoint ? { checkpointSeq: checkpoint.seq } : {};
  let expectedSeq = (checkpoint?.seq ?? 0) + 1;
  let prevHash = checkpoint?.hash ?? GENESIS_HASH;
  let events = 0;
  for (;;) {
    const rows = await store.all<AuditRow>(
      `SELECT ${COLUMNS} FROM audit_events WHERE chain = ? AND seq >= ? ORDER BY seq LIMIT ${PAGE}`,
      [chain, expectedSeq],
    );
    for (const row of rows) {
      const broken = row.seq !== expectedSeq || row.prev_hash !== prevHash || eventHash(row) !== row.hash;
      if (broken) return { ok: false, events, firstBrokenSeq: expectedSeq, ...from };
      prevHash = row.hash;
      expectedSeq++;
      events++;
    }
    if (rows.length < PAGE) return { ok: true, events, ...from };
  }
}

export async function listChains(store: Store): Promise<string[]> {
  const rows = await store.all<{ chain: string }>('SELECT chain FROM audit_events UNION SELECT chain FROM audit_checkpoints ORDER BY chain');
  return rows.map((r) => r.chain);
}

export interface AuditQuery {
  readonly chain: string;
  readonly from?: string;
  readonly to?: string;
}

export async function readEvents(store: Store, query: AuditQuery): Promise<AuditRow[]> {
  const where = ['chain = ?'];
  const params: SqlValue[] = [query.chain];
  if (query.from) {
    where.push('ts >= ?');
    params.push(query.from);
  }
  if (query.to) {
    where.push('ts < ?');
    params.push(query.to);
  }
  return store.all<AuditRow>(`SELECT ${COLUMNS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq`, params);
}
