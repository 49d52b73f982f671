// Customer content at rest: AES-256-GCM under the tenant's data key, with associated data
// naming the tenant, the kind of object and its id, so a ciphertext copied to another
// tenant, another object or another field fails to decrypt instead of showing up there.
import { decodeBase64, encodeBase64 } from '@oslojs/encoding';
import type { KeyRing, Store } from '../ports.ts';

export type ContentKind = 'file' | 'file-meta' | 'project-name' | 'project-folder' | 'totp-secret';

export interface ContentContext {
  readonly tenantId: string;
  readonly kind: ContentKind;
  readonly objectId: string;
}

const VERSION = 1;
const IV_BYTES = 12;
const TEXT_PREFIX = 'v1.';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export class ContentIntegrityError extends Error {
  override name = 'ContentIntegrityError';
}

function associatedData({ tenantId, kind, objectId }: ContentContext): Uint8Array {
  return encoder.encode(`sigma/content/v${VERSION}\u0000${tenantId}\u0000${kind}\u0000${objectId}`);
}

/** version byte, 12-byte random IV, then ciphertext with its 16-byte tag. */
export async function encryptBytes(key: CryptoKey, context: ContentContext, plaintext: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: associatedData(context) as BufferSource }, key, plaintext as BufferSource),
  );
  const out = new Uint8Array(1 + IV_BYTES + sealed.length);
  out[0] = VERSION;
  out.set(iv, 1);
  out.set(sealed, 1 + IV_BYTES);
  return out;
}

export async function decryptBytes(key: CryptoKey, context: ContentContext, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.length < 1 + IV_BYTES + 16 || sealed[0] !== VERSION) throw new ContentIntegrityError('Unknown ciphertext format');
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(1, 1 + IV_BYTES) as BufferSource, additionalData: associatedData(context) as BufferSource },
      key,
      sealed.subarray(1 + IV_BYTES) as BufferSource,
    );
    return new Uint8Array(plain);
  } catch {
    throw new ContentIntegrityError('A stored object does not decrypt in its place');
  }
}

/** Text fields are kept as base64 TEXT: D1 and SQLite then store and return them alike. */
export async function encryptText(key: CryptoKey, context: ContentContext, text: string): Promise<string> {
  return TEXT_PREFIX + encodeBase64(await encryptBytes(key, context, encoder.encode(text)));
}

export async function decryptText(key: CryptoKey, context: ContentContext, sealed: string): Promise<string> {
  if (!sealed.startsWith(TEXT_PREFIX)) throw new ContentIntegrityError('Unknown ciphertext format');
  return decoder.decode(await decryptBytes(key, context, decodeBase64(sealed.slice(TEXT_PREFIX.length))));
}

/** Unwraps each tenant's data key once per process. */
export class TenantKeys {
  readonly #cache = new Map<string, Promise<CryptoKey>>();

  constructor(
    private readonly store: Store,
    private readonly keyRing: KeyRing,
  ) {}

  keyOf(tenantId: string): Promise<CryptoKey> {
    let key = this.#cache.get(tenantId);
    if (!key) {
      key = this.#load(tenantId);
      this.#cache.set(tenantId, key);
      key.catch(() => this.#cache.delete(tenantId));
    }
    return key;
  }

  async #load(tenantId: string): Promise<CryptoKey> {
    const row = await this.store.first<{ data_key: string }>('SELECT data_key FROM tenants WHERE id = ?', [tenantId]);
    if (!row) throw new Error('No data key for this tenant');
    return this.keyRing.unwrapDataKey(row.data_key);
  }
}
