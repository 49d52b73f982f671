// The Cloudflare Workers build, run locally in workerd (wrangler's local mode: D1 and R2
// simulated on disk), answering like the Node server.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unstable_readConfig, unstable_startWorker } from 'wrangler';

process.env.WRANGLER_SEND_METRICS = 'false';
let worker: Awaited<ReturnType<typeof unstable_startWorker>>;
let base: URL;

beforeAll(async () => {
  worker = await unstable_startWorker({
    config: 'wrangler.toml',
    dev: { server: { port: 0 }, inspector: false, persist: false, logLevel: 'error', testScheduled: true },
    bindings: { SIGMA_MASTER_KEY: { type: 'plain_text', value: Buffer.alloc(32, 1).toString('base64') } },
  });
  await worker.ready;
  base = await worker.url;
});

afterAll(async () => {
  await worker?.dispose();
});

async function get(path: string): Promise<Response> {
  return (await worker.fetch(new URL(path, base).href)) as unknown as Response;
}

describe('the Worker in workerd', () => {
  it('answers the health check after migrating D1', async () => {
    const response = await get('/api/v1/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('serves the app and its routes with the same security headers', async () => {
    for (const path of ['/', '/projects/1']) {
      const response = await get(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<div id="app">');
      expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
      expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    }
  });

  it('serves wasm as application/wasm', async () => {
    const wasm = readdirSync('build/_app/immutable/workers/assets').find((f) => f.startsWith('kernels-'));
    const response = await get(`/_app/immutable/workers/assets/${wasm}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/wasm');
    expect(response.headers.get('cache-control')).toContain('immutable');
  });

  it('has a daily Cron Trigger whose handler runs the retention work', async () => {
    expect(unstable_readConfig({ config: 'wrangler.toml' }).triggers.crons).toEqual(['0 0 * * *']);
    // wrangler's test route for scheduled events (testScheduled) calls the Worker's scheduled handler.
    const response = await fetch(new URL('/__scheduled?cron=0+0+*+*+*', base));
    expect([response.status, await response.text()]).toEqual([200, 'Ran scheduled event']);
  });
});
