// The Cloudflare Workers entry (wrangler.toml): D1 for tables, R2 for blobs, the master
// key from the SIGMA_MASTER_KEY secret, and the built app from the ASSETS binding.
import type { D1Database, Fetcher, R2Bucket } from '@cloudflare/workers-types';
import type { MiddlewareHandler } from 'hono';
import { SIGMA_VERSION } from '../../shared/version.ts';
import { createApp, type AppEnv } from '../app.ts';
import { createArgon2idHasher, createPbkdf2Hasher, OWASP_ARGON2ID, PBKDF2_WORKERD_ITERATIONS } from '../auth/password.ts';
import { createKeyRing, decodeMasterKey } from '../crypto/key-ring.ts';
import { inlineScriptHashes } from '../middleware/security-headers/index.ts';
import { systemClock } from '../ports.ts';
import { purgeAuditEvents } from '../audit/retention.ts';
import { operatorTokenHash } from '../routes/operator.ts';
import { migrate } from '../store/migrate.ts';
import { purgeCancelledTenants } from '../tenants/purge.ts';
import { createD1Store } from './d1-store.ts';
import { createR2BlobStore } from './r2-blob-store.ts';

export interface WorkerEnv {
  DB: D1Database;
  BLOBS: R2Bucket;
  ASSETS: Fetcher;
  SIGMA_MASTER_KEY: string;
  /** A secret (`wrangler secret put SIGMA_OPERATOR_TOKEN`); turns on the /api/v1/operator routes. */
  SIGMA_OPERATOR_TOKEN?: string;
}

type App = ReturnType<typeof createApp>;
let app: Promise<App> | undefined;

function assetsFrom(fetcher: Fetcher): MiddlewareHandler<AppEnv> {
  return async function serveAssets(c) {
    // The assets binding answers index.html for app routes (single-page-application mode).
    // Its headers are immutable: copy the response so the security headers can be added.
    // Its own Cache-Control is dropped: the cacheControl middleware decides, as on Node.
    const response = (await fetcher.fetch(c.req.raw as never)) as unknown as Response;
    const copy = new Response(response.body, response);
    copy.headers.delete('Cache-Control');
    return copy;
  };
}

/** Builds the app once per isolate: migrations and the CSP hashes are done on first request. */
async function buildApp(env: WorkerEnv): Promise<App> {
  const store = createD1Store(env.DB);
  await migrate(store, systemClock);
  const index = (await env.ASSETS.fetch('https://assets.local/index.html')) as unknown as Response;
  return createApp({
    store,
    blobs: createR2BlobStore(env.BLOBS),
    keyRing: await createKeyRing(decodeMasterKey(env.SIGMA_MASTER_KEY)),
    clock: systemClock,
    passwordHasher: createArgon2idHasher(OWASP_ARGON2ID, createPbkdf2Hasher(PBKDF2_WORKERD_ITERATIONS)),
    version: SIGMA_VERSION,
    // Cloudflare sets this header at its edge; a client cannot supply it.
    clientAddress: (c) => c.req.header('cf-connecting-ip') ?? null,
    assets: assetsFrom(env.ASSETS),
    scriptHashes: await inlineScriptHashes(await index.text()),
    tls: true,
    operatorTokenHash: env.SIGMA_OPERATOR_TOKEN ? operatorTokenHash(env.SIGMA_OPERATOR_TOKEN) : undefined,
  });
}

export default {
  /** A Cron Trigger (`[triggers] crons` in wrangler.toml) runs the daily purge; D1 has its own backups (Time Travel). */
  async scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
    const store = createD1Store(env.DB);
    await migrate(store, systemClock);
    const deps = { store, blobs: createR2BlobStore(env.BLOBS), clock: systemClock };
    console.log(JSON.stringify({ purged: await purgeCancelledTenants(deps), audit: await purgeAuditEvents(deps) }));
  },

  async fetch(request: Request, env: WorkerEnv): Promise<Response> {
    app ??= buildApp(env).catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    return (await app).fetch(request, env);
  },
};
