import { describe, expect, it } from 'vitest';
import { createKeyRing, decodeMasterKey, MasterKeyError } from './key-ring.ts';

const masterA = crypto.getRandomValues(new Uint8Array(32));
const masterB = crypto.getRandomValues(new Uint8Array(32));

describe('key ring', () => {
  it('wraps a data key that unwraps to the same key', async () => {
    const ring = await createKeyRing(masterA);
    const wrapped = await ring.createDataKey();
    const key = await ring.unwrapDataKey(wrapped);
    const iv = new Uint8Array(12);
    const secret = new TextEncoder().encode('marker-4f1c');
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, secret);
    // A second unwrap gives a key that opens what the first one sealed.
    const again = await ring.unwrapDataKey(wrapped);
    const opened = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, again, sealed));
    expect(new TextDecoder().decode(opened)).toBe('marker-4f1c');
    expect(wrapped).not.toContain('marker');
  });

  it('refuses to unwrap under another master key or after tampering', async () => {
    const wrapped = await (await createKeyRing(masterA)).createDataKey();
    await expect((await createKeyRing(masterB)).unwrapDataKey(wrapped)).rejects.toThrow(MasterKeyError);
    const tampered = wrapped.slice(0, -4) + (wrapped.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect((await createKeyRing(masterA)).unwrapDataKey(tampered)).rejects.toThrow(MasterKeyError);
  });

  it('accepts only a base64 master key of 32 bytes', () => {
    expect(decodeMasterKey(btoa(String.fromCharCode(...masterA)))).toEqual(masterA);
    expect(() => decodeMasterKey(btoa('short'))).toThrow(/32 bytes/);
    expect(() => decodeMasterKey('%%%')).toThrow(/base64/);
  });
});

describe('key ring rotation', () => {
  it('re-wraps a data key under a new master key; the old one is then needed only for old copies', async () => {
    const old = await createKeyRing(masterA);
    const wrapped = await old.createDataKey();
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, await old.unwrapDataKey(wrapped), new Uint8Array([42]));

    const rotating = await createKeyRing(masterB, { previous: [masterA] });
    const rewrapped = await rotating.rewrapDataKey(wrapped);
    expect(rewrapped).not.toBe(wrapped);
    const onlyNew = await createKeyRing(masterB);
    const key = await onlyNew.unwrapDataKey(rewrapped);
    expect(new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: new Uint8Array(12) }, key, sealed))).toEqual(new Uint8Array([42]));
    await expect(onlyNew.unwrapDataKey(wrapped)).rejects.toThrow(MasterKeyError);
    await expect(old.unwrapDataKey(rewrapped)).rejects.toThrow(MasterKeyError);
  });

  it('reloads its master keys once when a data key was re-wrapped by another process', async () => {
    let reloads = 0;
    const ring = await createKeyRing(masterA, {
      reload: () => {
        reloads++;
        return [masterB];
      },
    });
    const rewrapped = await (await createKeyRing(masterB)).createDataKey();
    await ring.unwrapDataKey(rewrapped);
    expect(reloads).toBe(1);
    await ring.unwrapDataKey(rewrapped);
    expect(reloads).toBe(1);
  });
});
