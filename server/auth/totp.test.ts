import { describe, expect, it } from 'vitest';
import {
  decodeTotpSecret,
  encodeTotpSecret,
  generateRecoveryCode,
  hotp,
  normalizeRecoveryCode,
  otpauthUrl,
  totp,
  verifyTotp,
} from './totp.ts';

// The RFC's shared secret for SHA-1: the ASCII string "12345678901234567890" (20 bytes).
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');

describe('HOTP and TOTP', () => {
  it('matches the HOTP test values of RFC 4226 appendix D', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(RFC_SECRET, counter))).toEqual(expected);
  });

  // RFC 6238 appendix B, SHA-1 rows: time in seconds, 8-digit TOTP.
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  it('matches the SHA-1 test values of RFC 6238 appendix B, with 8 digits and truncated to 6', () => {
    for (const [seconds, code] of vectors) {
      expect(totp(RFC_SECRET, seconds * 1000, 8)).toBe(code);
      // Six digits are the same number modulo 10^6: the last six of the eight.
      expect(totp(RFC_SECRET, seconds * 1000)).toBe(code.slice(2));
    }
  });

  it('accepts one step of drift either way, not two, and never a step already used', () => {
    const t = 1111111111 * 1000;
    const step = Math.floor(1111111111 / 30);
    expect(verifyTotp(RFC_SECRET, '050471', t)).toBe(step);
    expect(verifyTotp(RFC_SECRET, '050471', t + 30_000)).toBe(step);
    expect(verifyTotp(RFC_SECRET, '050471', t - 30_000)).toBe(step);
    expect(verifyTotp(RFC_SECRET, '050471', t + 60_000)).toBeNull();
    expect(verifyTotp(RFC_SECRET, '050471', t - 60_000)).toBeNull();
    expect(verifyTotp(RFC_SECRET, '050 471', t)).toBe(step);
    expect(verifyTotp(RFC_SECRET, '050471', t, step)).toBeNull();
    expect(verifyTotp(RFC_SECRET, '050471', t, step - 1)).toBe(step);
    for (const bad of ['', '05047', '0504711', 'abcdef', '050472']) expect(verifyTotp(RFC_SECRET, bad, t)).toBeNull();
  });

  it('round-trips the secret through base32 and builds an otpauth URL', () => {
    expect(encodeTotpSecret(RFC_SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(decodeTotpSecret('gezdgnbvgy3tqojqgezdgnbvgy3tqojq')).toEqual(RFC_SECRET);
    expect(otpauthUrl('Sigma', 'ann@acme.example', RFC_SECRET)).toBe(
      'otpauth://totp/Sigma:ann%40acme.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sigma&algorithm=SHA1&digits=6&period=30',
    );
  });

  it('makes recovery codes of 100 bits, typed back in any case and grouping', () => {
    const code = generateRecoveryCode();
    expect(code).toMatch(/^[a-z2-7]{5}(-[a-z2-7]{5}){3}$/);
    expect(normalizeRecoveryCode(code.toUpperCase().replace(/-/g, ' '))).toBe(code.replace(/-/g, ''));
    expect(normalizeRecoveryCode('abc')).toBeNull();
    expect(new Set(Array.from({ length: 50 }, generateRecoveryCode)).size).toBe(50);
  });
});
