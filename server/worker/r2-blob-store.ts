// The BlobStore port on Cloudflare R2. R2 writes are atomic: an object is whole or absent.
import type { R2Bucket } from '@cloudflare/workers-types';
import type { BlobStore } from '../ports.ts';

export function createR2BlobStore(bucket: R2Bucket): BlobStore {
  return {
    async put(key, bytes) {
      await bucket.put(key, bytes);
    },
    async get(key) {
      const object = await bucket.get(key);
      return object ? new Uint8Array(await object.arrayBuffer()) : null;
    },
    async delete(key) {
      await bucket.delete(key);
    },
    async list(prefix) {
      const keys: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await bucket.list({ prefix, cursor });
        keys.push(...page.objects.map((o) => o.key));
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return keys.sort();
    },
  };
}
