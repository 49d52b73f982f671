import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, createArgon2idHasher, createPbkdf2Hasher, OWASP_ARGON2ID } from './password.ts';

// Small parameters keep the test fast; the production parameters are checked by value below.
const fast = { m: 64, t: 1, p: 1 };

describe('password hashing', () => {
  it('stores argon2id with its parameters and verifies only the right password', async () => {
    const hasher = createArgon2idHasher(fast);
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(stored).not.toContain('correct horse');
    await expect(hasher.verify(stored, 'correct horse battery staple')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'correct horse battery stapl')).resolves.toBe(false);
    // A fresh salt each time: the same password never hashes to the same text.
    expect(await hasher.hash('correct horse battery staple')).not.toBe(stored);
  });

  it('uses the OWASP parameters by default', () => {
    expect(OWASP_ARGON2ID).toEqual({ m: 19_456, t: 2, p: 1 });
  });

  it('verifies a digest made by the reference implementation', async () => {
    // argon2-cffi (the C reference code): hash_secret_raw(b'password', b'somesaltsomesalt',
    // time_cost=1, memory_cost=64, parallelism=1, hash_len=32, type=ID), base64.
    const stored = 'argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA==$55PWTvddWPUD1GMbKxSff4ASfF85k9ibHJt4HlHQtBM=';
    const hasher = createArgon2idHasher(fast);
    await expect(hasher.verify(stored, 'password')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'Password')).resolves.toBe(false);
  });

  it('still verifies PBKDF2 hashes made before argon2id', async () => {
    const legacy = createPbkdf2Hasher(1000);
    const stored = await legacy.hash('an older password 1');
    const hasher = createArgon2idHasher(fast, legacy);
    await expect(hasher.verify(stored, 'an older password 1')).resolves.toBe(true);
    await expect(hasher.verify(stored, 'an older password 2')).resolves.toBe(false);
    await expect(hasher.verify('argon2id$garbage', 'x')).resolves.toBe(false);
  });

  it('asks for at least 12 characters, counted as the user sees them', () => {
    expect(checkPasswordPolicy('short')).toBe('too_short');
    expect(checkPasswordPolicy('パスワードは十二文字以上です')).toBeNull();
    expect(checkPasswordPolicy('x'.repeat(257))).toBe('too_long');
  });
});
