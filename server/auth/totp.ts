// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps
// implement them: HMAC-SHA-1, 6 digits, 30-second steps. Codes from one step before and
// after are accepted for clock drift (RFC 6238 §5.2), and the caller stores the step that
// was used so the same code cannot be replayed (§5.2: "MUST NOT accept the second attempt").
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding, encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { constantTimeEqual } from '@oslojs/crypto/subtle';

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 §4 asks for at least 128 bits and recommends 160: the length of SHA-1's output. */
export const TOTP_SECRET_BYTES = 20;
const WINDOW = 1;

/** RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, modulo 10^digits. */
export function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = hmac(sha1, key, message);
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpStep(timeMs: number): number {
  return Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS);
}

export function totp(key: Uint8Array, timeMs: number, digits = TOTP_DIGITS): string {
  return hotp(key, totpStep(timeMs), digits);
}

/**
 * The step whose code matches, within one step of now and after `lastUsedStep`, or null.
 * Every candidate is compared, in constant time, so timing does not tell which one matched.
 */
export function verifyTotp(key: Uint8Array, code: string, timeMs: number, lastUsedStep: number | null = null): number | null {
  const typed = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(typed)) return null;
  const now = totpStep(timeMs);
  let matched: number | null = null;
  for (let step = now - WINDOW; step <= now + WINDOW; step++) {
    const equal = constantTimeEqual(new TextEncoder().encode(hotp(key, step)), new TextEncoder().encode(typed));
    if (equal && (lastUsedStep === null || step > lastUsedStep) && matched === null) matched = step;
  }
  return matched;
}

export function generateTotpSecret(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES));
}

/** Base32 without padding, as authenticator apps expect in otpauth URLs and for typing in. */
export function encodeTotpSecret(secret: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(secret);
}

export function decodeTotpSecret(text: string): Uint8Array {
  return decodeBase32IgnorePadding(text.toUpperCase());
}

/** The Key Uri Format of Google Authenticator, understood by every common app. */
export function otpauthUrl(issuer: string, account: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({
    secret: encodeTotpSecret(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${query}`;
}

export const RECOVERY_CODE_COUNT = 10;

/** 100 random bits in four groups of five (a-z, 2-7), far beyond guessing even with the hashes in hand. */
export function generateRecoveryCode(): string {
  const text = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(13))).slice(0, 20);
  return text.match(/.{5}/g)!.join('-');
}

/** What people type back: any case, with or without dashes and spaces. */
export function normalizeRecoveryCode(code: string): string | null {
  const plain = code.toLowerCase().replace(/[\s-]/g, '');
  return /^[a-z2-7]{20}$/.test(plain) ? plain : null;
}
