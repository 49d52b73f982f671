import type { Clock, Store } from '../ports.ts';
import { MIGRATIONS_TABLE, migrations, pendingMigrations } from './migrations.ts';

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

/** Applies what is missing and returns the schema version the database is at. */
export async function migrate(store: Store, clock: Clock): Promise<number> {
  await store.run(MIGRATIONS_TABLE);
  const row = await store.first<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
  const current = row?.version ?? 0;
  const latest = migrations[migrations.length - 1].version;
  if (current > latest) {
    throw new SchemaTooNewError(
      `The database is at schema version ${current}, newer than this server (${latest}); upgrade the server`,
    );
  }
  for (const statements of pendingMigrations(current, clock.now().toISOString())) {
    await store.batch(statements);
  }
  await store.run('INSERT INTO instance (id, created_at) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM instance)', [
    crypto.randomUUID(),
    clock.now().toISOString(),
  ]);
  return latest;
}

/** The id of this installation; the first migration's run creates it. */
export async function instanceId(store: Store): Promise<string> {
  const row = await store.first<{ id: string }>('SELECT id FROM instance');
  if (!row) throw new Error('The database has not been migrated');
  return row.id;
}
