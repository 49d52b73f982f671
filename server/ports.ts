// The server's ports: what createApp needs from the outside world. Each has a Node
// adapter (server/node/) and a Cloudflare Workers adapter (server/worker/).

/** A SQL value both SQLite (better-sqlite3) and D1 accept. */
export type SqlValue = string | number | null | Uint8Array;

export interface Statement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

/** Tables, in SQLite's dialect (the file database on Node, D1 on Workers). */
export interface Store {
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  first<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs the statements in one transaction: all of them take effect or none. */
  batch(statements: readonly Statement[]): Promise<void>;
}

/** Opaque objects (already encrypted by the caller), addressed by key. */
export interface BlobStore {
  /** Stores the bytes durably before resolving; a reader never sees a partial object. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
}

/** A data key wrapped (encrypted) by the master key, safe to store beside the data. */
export type WrappedKey = string;

export interface KeyRing {
  /** A fresh random AES-256-GCM data key, returned wrapped for storage. */
  createDataKey(): Promise<WrappedKey>;
  unwrapDataKey(wrapped: WrappedKey): Promise<CryptoKey>;
  /** The same data key, wrapped again under the current master key (key rotation). */
  rewrapDataKey(wrapped: WrappedKey): Promise<WrappedKey>;
}

/**
 * Password hashing. The stored string names its own algorithm and parameters, so a
 * stronger hasher can replace this one and still verify hashes made before.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
}

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  /** Plain text. */
  readonly text: string;
}

/** Outgoing mail (SMTP on Node when configured); resolves once the server has accepted the message. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
