import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFsBlobStore } from './fs-blob-store.ts';
import { loadMasterKey, MASTER_KEY_FILE } from './master-key.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sigma-node-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('file blob store', () => {
  it('stores, lists, reads back byte-exact and deletes', async () => {
    const root = tempDir();
    const blobs = createFsBlobStore(root);
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256);
    await blobs.put('tenant-1/abc', bytes);
    await blobs.put('tenant-2/def', new Uint8Array([1]));
    expect(await blobs.get('tenant-1/abc')).toEqual(bytes);
    expect(await blobs.list('tenant-1/')).toEqual(['tenant-1/abc']);
    expect(await blobs.get('tenant-1/missing')).toBeNull();
    // No temporary file is left beside the object.
    expect(readdirSync(join(root, 'tenant-1'))).toEqual(['abc']);
    expect(statSync(join(root, 'tenant-1', 'abc')).mode & 0o777).toBe(0o600);
    await blobs.delete('tenant-1/abc');
    expect(await blobs.get('tenant-1/abc')).toBeNull();
  });

  it('refuses keys that could leave its folder', async () => {
    const blobs = createFsBlobStore(tempDir());
    for (const key of ['../x', 'a/../../b', '/etc/passwd', 'a//b', '']) {
      await expect(blobs.put(key, new Uint8Array(1))).rejects.toThrow(/Invalid blob key/);
    }
  });
});

describe('master key', () => {
  it('creates a key file readable only by its owner, then reuses it', () => {
    const dir = tempDir();
    const first = loadMasterKey(dir, {});
    expect(first.origin).toBe('created');
    expect(first.bytes).toHaveLength(32);
    expect(statSync(join(dir, MASTER_KEY_FILE)).mode & 0o777).toBe(0o600);
    const second = loadMasterKey(dir, {});
    expect(second.origin).toBe('file');
    expect(second.bytes).toEqual(first.bytes);
    expect(readFileSync(join(dir, MASTER_KEY_FILE), 'utf8').trim()).toHaveLength(44);
  });

  it('prefers SIGMA_MASTER_KEY and rejects a malformed one', () => {
    const dir = tempDir();
    const key = Buffer.alloc(32, 9).toString('base64');
    expect(loadMasterKey(dir, { SIGMA_MASTER_KEY: key })).toEqual({ bytes: new Uint8Array(32).fill(9), origin: 'environment' });
    expect(() => loadMasterKey(dir, { SIGMA_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/32 bytes/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
