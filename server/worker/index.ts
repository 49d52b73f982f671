// The Cloudflare Workers entry (wrangler.toml): D1 for tables, R2 for blobs, the master
// key from the SIGMA_MASTER_KEY secret, and the built app from the ASSETS binding.
import type { D1Database, Fetcher, R2Bucket } from '@cloudflare/workers-types';
import type { MiddlewareHandler } from 'hono';
import { SIGMA_VERSION } from '../../shared/version.ts';
import { createApp, type AppEnv } from '../app.ts';
import { createArgon2idHasher, createPbkdf2Hasher, OWASP_ARGON2ID, PBKDF2_WORKERD_ITERATIONS } from '../auth/password.ts';
import { createKeyRing, decodeMasterKey } from '../crypto/key-ring.ts';
import { inlineScriptHashes } from '../middleware/security-headers/index.ts';
import { runRetention } from '../jobs/retention.ts';
import { systemClock, type Clock } from '../ports.ts';
import { resolveSettings } from '../settings.ts';
import { operatorTokenHashFromEnv, settingsFromEnv } from '../settings-from-env.ts';
import { migrate } from '../store/migrate.ts';
import { createD1Store } from './d1-store.ts';
import { createR2BlobStore } from './r2-blob-store.ts';

export interface WorkerEnv {
  DB: D1Database;
  BLOBS: R2Bucket;
  ASSETS: Fetcher;
  SIGMA_MASTER_KEY: string;
  /** A secret (`wrangler secret put SIGMA_OPERATOR_TOKEN`); turns on the /api/v1/operator routes. */
  SIGMA_OPERATOR_TOKEN?: string;
  /** Settings as on Node (README, Configuration), from wrangler.toml [vars]: retention periods, session lifetimes, upload limit, public URL. */
  readonly [setting: `SIGMA_${string}`]: string | undefined;
}

type App = ReturnType<typeof createApp>;

/** The SIGMA_* vars and secrets, as the settings readers take them. */
function settingsEnv(env: WorkerEnv): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([name, value]) => name.startsWith('SIGMA_') && typeof value === 'string'));
}

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
async function buildApp(env: WorkerEnv, clock: Clock): Promise<App> {
  const store = createD1Store(env.DB);
  await migrate(store, clock);
  const index = (await env.ASSETS.fetch('https://assets.local/index.html')) as unknown as Response;
  return createApp({
    store,
    blobs: createR2BlobStore(env.BLOBS),
    keyRing: await createKeyRing(decodeMasterKey(env.SIGMA_MASTER_KEY)),
    clock,
    passwordHasher: createArgon2idHasher(OWASP_ARGON2ID, createPbkdf2Hasher(PBKDF2_WORKERD_ITERATIONS)),
    version: SIGMA_VERSION,
    settings: settingsFromEnv(settingsEnv(env)),
    // Cloudflare sets this header at its edge; a client cannot supply it.
    clientAddress: (c) => c.req.header('cf-connecting-ip') ?? null,
    assets: assetsFrom(env.ASSETS),
    scriptHashes: await inlineScriptHashes(await index.text()),
    tls: true,
    operatorTokenHash: operatorTokenHashFromEnv(settingsEnv(env)),
  });
}

/**
 * The Worker's handlers around a clock: the deployed Worker uses the system clock (the
 * default export below); the workerd tests wrap the same handlers with one they move.
 */
export function createWorker(clock: Clock = systemClock) {
  let app: Promise<App> | undefined;
  return {
    /**
     * The Cron Trigger (`[triggers] crons` in wrangler.toml): tenant erasure, audit retention
     * and the orphan blob sweep, with the periods from the Worker's vars. There is no backup
     * step: D1 keeps its own (Time Travel, 30 days) and R2 objects are erased by the purge.
     */
    async scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
      const store = createD1Store(env.DB);
      await migrate(store, clock);
      const report = await runRetention({ store, blobs: createR2BlobStore(env.BLOBS), clock }, resolveSettings(settingsFromEnv(settingsEnv(env))));
      console.log(JSON.stringify({ daily: report }));
    },

    async fetch(request: Request, env: WorkerEnv): Promise<Response> {
      app ??= buildApp(env, clock).catch((error: unknown) => {
        app = undefined;
        throw error;
      });
      return (await app).fetch(request, env);
    },
  };
}

export default createWorker();
