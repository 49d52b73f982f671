// The Store port on Cloudflare D1 (SQLite at the edge): same SQL as the Node adapter.
import type { D1Database } from '@cloudflare/workers-types';
import type { SqlValue, Statement, Store } from '../ports.ts';

export function createD1Store(db: D1Database): Store {
  const bind = (sql: string, params: readonly SqlValue[] = []) => db.prepare(sql).bind(...params);
  return {
    async all<T>(sql: string, params?: readonly SqlValue[]) {
      return (await bind(sql, params).all<T>()).results;
    },
    async first<T>(sql: string, params?: readonly SqlValue[]) {
      return (await bind(sql, params).first<T>()) ?? undefined;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      return { changes: (await bind(sql, params).run()).meta.changes };
    },
    async batch(statements: readonly Statement[]) {
      // D1 runs a batch as one transaction: all statements or none.
      await db.batch(statements.map((s) => bind(s.sql, s.params)));
    },
  };
}
