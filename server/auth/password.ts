// Password hashing behind the PasswordHasher port: argon2id with OWASP's parameters (19 MiB,
// 2 iterations, 1 lane) from @noble/hashes, pure JavaScript, so the same code runs on Node
// and on workerd (which refuses to compile wasm at run time). Stored hashes carry their
// algorithm and parameters; PBKDF2-HMAC-SHA256 hashes from earlier versions still verify.
import { argon2idAsync } from '@noble/hashes/argon2.js';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeBase64, encodeBase64 } from '@oslojs/encoding';
import type { PasswordHasher } from '../ports.ts';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** OWASP's figure for PBKDF2-HMAC-SHA256; workerd refuses more than 100 000 iterations. */
export const PBKDF2_NODE_ITERATIONS = 600_000;
export const PBKDF2_WORKERD_ITERATIONS = 100_000;

const encoder = new TextEncoder();

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password.normalize('NFKC')), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations }, key, 256);
  return new Uint8Array(bits);
}

export function createPbkdf2Hasher(iterations: number): PasswordHasher {
  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const hash = await pbkdf2(password, salt, iterations);
      return `pbkdf2-sha256$${iterations}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
    },
    async verify(stored, password) {
      const [algorithm, iterationText, salt, expected] = stored.split('$');
      const storedIterations = Number(iterationText);
      if (algorithm !== 'pbkdf2-sha256' || !Number.isInteger(storedIterations) || storedIterations < 1 || !salt || !expected) {
        return false;
      }
      const actual = await pbkdf2(password, decodeBase64(salt), storedIterations);
      return constantTimeEqual(actual, decodeBase64(expected));
    },
  };
}

export interface Argon2Parameters {
  /** Memory in KiB. */
  readonly m: number;
  readonly t: number;
  readonly p: number;
}

/** OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1. */
export const OWASP_ARGON2ID: Argon2Parameters = { m: 19_456, t: 2, p: 1 };

async function argon2(password: string, salt: Uint8Array, { m, t, p }: Argon2Parameters): Promise<Uint8Array> {
  return argon2idAsync(encoder.encode(password.normalize('NFKC')), salt, { m, t, p, dkLen: 32 });
}

/** argon2id for new hashes; verifies argon2id and the PBKDF2 hashes of earlier versions. */
export function createArgon2idHasher(parameters: Argon2Parameters = OWASP_ARGON2ID, legacyPbkdf2 = createPbkdf2Hasher(PBKDF2_NODE_ITERATIONS)): PasswordHasher {
  const { m, t, p } = parameters;
  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const hash = await argon2(password, salt, parameters);
      return `argon2id$v=19$m=${m},t=${t},p=${p}$${encodeBase64(salt)}$${encodeBase64(hash)}`;
    },
    async verify(stored, password) {
      if (stored.startsWith('pbkdf2-sha256$')) return legacyPbkdf2.verify(stored, password);
      const match = /^argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
      if (!match) return false;
      const [, storedM, storedT, storedP, salt, expected] = match;
      const actual = await argon2(password, decodeBase64(salt), { m: Number(storedM), t: Number(storedT), p: Number(storedP) });
      return constantTimeEqual(actual, decodeBase64(expected));
    },
  };
}

export type PasswordProblem = 'too_short' | 'too_long';

export function checkPasswordPolicy(password: string): PasswordProblem | null {
  // Length in code points, so a passphrase in any script counts what the user typed.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return 'too_short';
  if (length > MAX_PASSWORD_LENGTH) return 'too_long';
  return null;
}
