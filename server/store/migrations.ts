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
  {
    version: 2,
    name: 'tenants, accounts, sessions, projects, files, audit',
    statements: [
      // The tenant's data key, wrapped by the master key; the name is operator metadata, not customer content.
      `CREATE TABLE tenants (
         id TEXT PRIMARY KEY NOT NULL,
         name TEXT NOT NULL,
         data_key TEXT NOT NULL,
         status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
         created_at TEXT NOT NULL,
         cancelled_at TEXT
       )`,
      // Emails are unique across tenants: sign-in names no tenant. Stored lower-cased.
      `CREATE TABLE users (
         id TEXT PRIMARY KEY NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         email TEXT NOT NULL UNIQUE,
         password_hash TEXT NOT NULL,
         role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
         disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
         created_at TEXT NOT NULL
       )`,
      'CREATE INDEX users_tenant ON users (tenant_id)',
      // Only SHA-256 of the token's secret half is stored (hex).
      `CREATE TABLE sessions (
         id TEXT PRIMARY KEY NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         user_id TEXT NOT NULL REFERENCES users (id),
         secret_hash TEXT NOT NULL,
         created_at TEXT NOT NULL,
         last_used_at TEXT NOT NULL,
         address TEXT,
         user_agent TEXT
       )`,
      'CREATE INDEX sessions_user ON sessions (user_id)',
      `CREATE TABLE invitations (
         id TEXT PRIMARY KEY NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         email TEXT NOT NULL,
         role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
         secret_hash TEXT NOT NULL,
         created_by TEXT NOT NULL,
         created_at TEXT NOT NULL,
         expires_at TEXT NOT NULL,
         accepted_at TEXT
       )`,
      'CREATE INDEX invitations_tenant ON invitations (tenant_id)',
      // Failed sign-ins per account and per client address, for growing delays.
      `CREATE TABLE login_throttle (
         key TEXT PRIMARY KEY NOT NULL,
         failures INTEGER NOT NULL,
         last_failure_at TEXT NOT NULL,
         locked_until TEXT NOT NULL
       )`,
      // name and folder are ciphertext (base64) under the tenant's data key.
      `CREATE TABLE projects (
         id TEXT PRIMARY KEY NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         name TEXT NOT NULL,
         folder TEXT NOT NULL,
         revision INTEGER NOT NULL,
         created_at TEXT NOT NULL,
         updated_at TEXT NOT NULL
       )`,
      'CREATE INDEX projects_tenant ON projects (tenant_id)',
      // meta is ciphertext of {name, sha256}; the bytes are an encrypted blob keyed by tenant and id.
      `CREATE TABLE files (
         id TEXT PRIMARY KEY NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         project_id TEXT NOT NULL REFERENCES projects (id),
         meta TEXT NOT NULL,
         size INTEGER NOT NULL,
         created_at TEXT NOT NULL
       )`,
      'CREATE INDEX files_tenant ON files (tenant_id)',
      'CREATE INDEX files_project ON files (project_id)',
      // One hash chain per tenant, plus the 'service' chain; (chain, seq) being the key is what
      // makes concurrent appends conflict instead of forking the chain.
      `CREATE TABLE audit_events (
         chain TEXT NOT NULL,
         seq INTEGER NOT NULL,
         ts TEXT NOT NULL,
         tenant_id TEXT,
         actor TEXT NOT NULL,
         action TEXT NOT NULL,
         target TEXT,
         outcome TEXT NOT NULL,
         address TEXT,
         user_agent TEXT,
         prev_hash TEXT NOT NULL,
         hash TEXT NOT NULL,
         PRIMARY KEY (chain, seq)
       )`,
      'CREATE INDEX audit_events_ts ON audit_events (chain, ts)',
    ],
  },
  {
    version: 3,
    name: 'second factor, tenant security settings',
    statements: [
      // The confirmed TOTP secret and one awaiting confirmation, both ciphertext under the
      // tenant's data key; the last step used, so a code cannot be replayed (RFC 6238 §5.2).
      'ALTER TABLE users ADD COLUMN totp_secret TEXT',
      'ALTER TABLE users ADD COLUMN totp_pending TEXT',
      'ALTER TABLE users ADD COLUMN totp_last_step INTEGER',
      // D1 has no interactive transactions: a check in code and a commit later could both pass
      // for two concurrent sign-ins with the same code. The trigger makes the second batch fail.
      `CREATE TRIGGER users_totp_no_replay BEFORE UPDATE OF totp_last_step ON users
         WHEN OLD.totp_last_step IS NOT NULL AND NEW.totp_last_step IS NOT NULL AND NEW.totp_last_step <= OLD.totp_last_step
         BEGIN SELECT RAISE(ABORT, 'sigma: one-time code used already'); END`,
      // SHA-256 of each one-time recovery code (100 random bits, so no slow hash is needed).
      `CREATE TABLE recovery_codes (
         user_id TEXT NOT NULL REFERENCES users (id),
         code_hash TEXT NOT NULL,
         tenant_id TEXT NOT NULL REFERENCES tenants (id),
         created_at TEXT NOT NULL,
         used_at TEXT,
         PRIMARY KEY (user_id, code_hash)
       )`,
      'CREATE INDEX recovery_codes_tenant ON recovery_codes (tenant_id)',
      `CREATE TRIGGER recovery_codes_once BEFORE UPDATE OF used_at ON recovery_codes
         WHEN OLD.used_at IS NOT NULL
         BEGIN SELECT RAISE(ABORT, 'sigma: one-time code used already'); END`,
      "ALTER TABLE tenants ADD COLUMN require_totp INTEGER NOT NULL DEFAULT 0 CHECK (require_totp IN (0, 1))",
      // A JSON array of CIDR ranges; NULL: sign-in and API use from anywhere.
      'ALTER TABLE tenants ADD COLUMN ip_allowlist TEXT',
    ],
  },
  {
    version: 4,
    name: 'audit retention checkpoints',
    statements: [
      // The newest event removed by retention, per chain: verification continues from its hash.
      `CREATE TABLE audit_checkpoints (
         chain TEXT PRIMARY KEY NOT NULL,
         seq INTEGER NOT NULL,
         hash TEXT NOT NULL,
         ts TEXT NOT NULL
       )`,
    ],
  },
  {
    version: 5,
    name: 'orphan blob sweep',
    statements: [
      // Blobs a sweep found without their row, and when; a later sweep past the grace period deletes them.
      `CREATE TABLE orphan_blobs (
         key TEXT PRIMARY KEY NOT NULL,
         first_seen_at TEXT NOT NULL
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
