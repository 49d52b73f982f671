// The Hono application, independent of where it runs: Node (server/node/) and
// Cloudflare Workers (server/worker/) each build the ports and call createApp.
import { Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorResponse } from '../shared/schema/error.ts';
import { cacheControl } from './middleware/cache-control/index.ts';
import { securityHeaders } from './middleware/security-headers/index.ts';
import type { BlobStore, Clock, KeyRing, Store } from './ports.ts';
import { healthRoutes } from './routes/health.ts';

export interface AppDeps {
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly version: string;
  /** Serves the built web app (and its SPA fallback) for paths outside /api. */
  readonly assets?: MiddlewareHandler<AppEnv>;
  /** Hashes of the inline scripts of index.html, allowed by the CSP. */
  readonly scriptHashes?: readonly string[];
  /** True when clients reach us over HTTPS (directly or through a proxy). */
  readonly tls?: boolean;
}

export type AppEnv = { Variables: { deps: AppDeps } };

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();

  app.use('*', securityHeaders({ scriptHashes: deps.scriptHashes, hsts: deps.tls }));
  app.use('*', cacheControl());
  app.use('*', async function provideDeps(c, next) {
    c.set('deps', deps);
    await next();
  });

  app.route('/api/v1/health', healthRoutes(deps.version));

  app.all('/api/*', (c) => c.json<ErrorResponse>({ error: { code: 'not_found', message: 'No such API route' } }, 404));
  if (deps.assets) app.use('*', deps.assets);

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      return c.json<ErrorResponse>({ error: { code: codeOf(error.status), message: error.message } }, error.status);
    }
    console.error(error);
    return c.json<ErrorResponse>({ error: { code: 'internal', message: 'Internal server error' } }, 500);
  });

  return app;
}

function codeOf(status: number): string {
  const codes: Record<number, string> = {
    400: 'bad_request',
    401: 'unauthorized',
    403: 'forbidden',
    404: 'not_found',
    409: 'conflict',
    413: 'too_large',
    429: 'too_many_requests',
  };
  return codes[status] ?? 'error';
}
