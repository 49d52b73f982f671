// The database schema, as an append-only list: a released migration is never edited,
// a change is a new entry. Both adapters (SQLite file, D1) run the same SQL.
import type { Statement } from '../ports.ts';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly statements: readonly string[];
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'instance',
    statements: [
      // One row naming this installation; backups record it so a restore can tell where a backup came from.
      `CREATE TABLE instance (
         id TEXT PRIMARY KEY NOT NULL,
         created_at TEXT NOT NULL
       )`,
    ],
  },
];

export const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** The statements that bring a database at `current` up to date, each migration in its own transaction. */
export function pendingMigrations(current: number, nowIso: string): Statement[][] {
  return migrations
    .filter((m) => m.version > current)
    .map((m) => [
      ...m.statements.map((sql) => ({ sql })),
      { sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', params: [m.version, m.name, nowIso] },
    ]);
}
