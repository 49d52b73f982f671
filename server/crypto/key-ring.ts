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

export async function createKeyRing(masterKeyBytes: Uint8Array): Promise<KeyRing> {
  if (masterKeyBytes.length !== 32) throw new MasterKeyError('The master key must be 32 bytes');
  const master = await crypto.subtle.importKey('raw', masterKeyBytes as BufferSource, 'AES-GCM', false, [
    'wrapKey',
    'unwrapKey',
  ]);

  return {
    async createDataKey() {
      const dataKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const wrapped = await crypto.subtle.wrapKey('raw', dataKey, master, {
        name: 'AES-GCM',
        iv,
        additionalData: WRAP_CONTEXT,
      });
      return `${FORMAT}.${encodeBase64(iv)}.${encodeBase64(new Uint8Array(wrapped))}`;
    },

    async unwrapDataKey(wrapped: WrappedKey) {
      const [format, iv, body] = wrapped.split('.');
      if (format !== FORMAT || !iv || !body) throw new MasterKeyError('Unknown wrapped-key format');
      try {
        return await crypto.subtle.unwrapKey(
          'raw',
          decodeBase64(body) as BufferSource,
          master,
          { name: 'AES-GCM', iv: decodeBase64(iv) as BufferSource, additionalData: WRAP_CONTEXT },
          'AES-GCM',
          false,
          ['encrypt', 'decrypt'],
        );
      } catch {
        throw new MasterKeyError('A data key does not unwrap with this master key');
      }
    },
  };
}
