// The embedded default store: one SQLite file in the data folder, in WAL mode so
// readers never wait for the writer and a crash never leaves a half-written page.
import Database from 'better-sqlite3';
import type { SqlValue, Statement, Store } from '../ports.ts';

export interface SqliteStore extends Store {
  readonly db: Database.Database;
  close(): void;
}

export function openSqliteStore(path: string): SqliteStore {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: a transaction that returned is on disk, even across a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');

  const prepared = new Map<string, Database.Statement>();
  function statement(sql: string): Database.Statement {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  }
  const bind = (params: readonly SqlValue[] = []) => params as unknown[];

  const runBatch = db.transaction((statements: readonly Statement[]) => {
    for (const s of statements) statement(s.sql).run(...bind(s.params));
  });

  return {
    db,
    async all<T>(sql: string, params?: readonly SqlValue[]) {
      return statement(sql).all(...bind(params)) as T[];
    },
    async first<T>(sql: string, params?: readonly SqlValue[]) {
      return statement(sql).get(...bind(params)) as T | undefined;
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      return { changes: statement(sql).run(...bind(params)).changes };
    },
    async batch(statements: readonly Statement[]) {
      runBatch(statements);
    },
    close() {
      db.close();
    },
  };
}
