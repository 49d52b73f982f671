// Envelope encryption: each tenant's data key is wrapped by one master key with
// AES-256-GCM (Web Crypto only, so the same code runs on Node and workerd).
import { decodeBase64, encodeBase64 } from '@oslojs/encoding';
import type { KeyRing, WrappedKey } from '../ports.ts';

const FORMAT = 'v1';
// Binds a wrapped blob to its purpose, so a ciphertext made for something else never unwraps as a key.
const WRAP_CONTEXT = new TextEncoder().encode('sigma/data-key/v1');

export class MasterKeyError extends Error {
  override name = 'MasterKeyError';
}

export function decodeMasterKey(base64: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(base64.trim());
  } catch {
    throw new MasterKeyError('The master key is not valid base64');
  }
  if (bytes.length !== 32) {
    throw new MasterKeyError(`The master key must be 32 bytes (base64 of 32 random bytes), not ${bytes.length}`);
  }
  return bytes;
}

export interface KeyRingOptions {
  /** Older master keys: data keys wrapped by them still unwrap (during and after a rotation). */
  readonly previous?: readonly Uint8Array[];
  /**
   * Called once when a data key unwraps with none of the known master keys, to pick up a
   * rotation another process made meanwhile; returns every master key, the current first.
   */
  readonly reload?: () => readonly Uint8Array[];
}

async function importMaster(bytes: Uint8Array): Promise<CryptoKey> {
  if (bytes.length !== 32) throw new MasterKeyError('The master key must be 32 bytes');
  // wrapKey with AES-GCM is encryption of the raw key bytes, so decrypt/encrypt re-wrap without exposing a CryptoKey.
  return crypto.subtle.importKey('raw', bytes as BufferSource, 'AES-GCM', false, ['wrapKey', 'unwrapKey', 'encrypt', 'decrypt']);
}

function parseWrapped(wrapped: WrappedKey): { iv: Uint8Array; body: Uint8Array } {
  const [format, iv, body] = wrapped.split('.');
  if (format !== FORMAT || !iv || !body) throw new MasterKeyError('Unknown wrapped-key format');
  return { iv: decodeBase64(iv), body: decodeBase64(body) };
}

export async function createKeyRing(masterKeyBytes: Uint8Array, options: KeyRingOptions = {}): Promise<KeyRing> {
  const current = await importMaster(masterKeyBytes);
  let all = [current, ...(await Promise.all((options.previous ?? []).map(importMaster)))];

  async function rawDataKey(wrapped: WrappedKey): Promise<Uint8Array> {
    const { iv, body } = parseWrapped(wrapped);
    const attempt = async (keys: readonly CryptoKey[]) => {
      for (const master of keys) {
        try {
          return new Uint8Array(
            await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: WRAP_CONTEXT }, master, body as BufferSource),
          );
        } catch {
          // The GCM tag says whether this is the right master key; try the next one.
        }
      }
      return null;
    };
    let raw = await attempt(all);
    if (!raw && options.reload) {
      all = [current, ...(await Promise.all(options.reload().map(importMaster)))];
      raw = await attempt(all);
    }
    if (!raw) throw new MasterKeyError('A data key does not unwrap with this master key');
    return raw;
  }

  async function wrapRaw(raw: Uint8Array): Promise<WrappedKey> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: WRAP_CONTEXT }, current, raw as BufferSource);
    return `${FORMAT}.${encodeBase64(iv)}.${encodeBase64(new Uint8Array(sealed))}`;
  }

  return {
    async createDataKey() {
      const dataKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const wrapped = await crypto.subtle.wrapKey('raw', dataKey, current, {
        name: 'AES-GCM',
        iv,
        additionalData: WRAP_CONTEXT,
      });
      return `${FORMAT}.${encodeBase64(iv)}.${encodeBase64(new Uint8Array(wrapped))}`;
    },

    async unwrapDataKey(wrapped: WrappedKey) {
      const raw = await rawDataKey(wrapped);
      try {
        return await crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
      } finally {
        raw.fill(0);
      }
    },

    async rewrapDataKey(wrapped: WrappedKey) {
      const raw = await rawDataKey(wrapped);
      try {
        return await wrapRaw(raw);
      } finally {
        raw.fill(0);
      }
    },
  };
}
