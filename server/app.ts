// The Hono application, independent of where it runs: Node (server/node/) and
// Cloudflare Workers (server/worker/) each build the ports and call createApp.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ErrorResponse } from '../shared/schema/error.ts';
import type { SessionAuth } from './auth/session.ts';
import { TenantKeys } from './crypto/content.ts';
import { CodedHttpException } from './http/errors.ts';
import { cacheControl } from './middleware/cache-control/index.ts';
import { csrf } from './middleware/csrf/index.ts';
import { securityHeaders } from './middleware/security-headers/index.ts';
import { session } from './middleware/session/index.ts';
import { tenantPolicy } from './middleware/tenant-policy/index.ts';
import { openApiDocument } from './openapi/document.ts';
import type { BlobStore, Clock, KeyRing, Mailer, PasswordHasher, Store } from './ports.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { healthRoutes } from './routes/health.ts';
import { meRoutes } from './routes/me.ts';
import { operatorRoutes } from './routes/operator.ts';
import { fileRoutes, projectRoutes } from './routes/projects.ts';
import { resolveSettings, type ServerSettings, type SettingsOverrides } from './settings.ts';

export interface AppDeps {
  readonly store: Store;
  readonly blobs: BlobStore;
  readonly keyRing: KeyRing;
  readonly clock: Clock;
  readonly passwordHasher: PasswordHasher;
  readonly version: string;
  readonly settings?: SettingsOverrides;
  /** The client's address as this platform knows it (socket peer on Node, CF-Connecting-IP on Workers). */
  readonly clientAddress?: (c: Context<AppEnv>) => string | null;
  /** Serves the built web app (and its SPA fallback) for paths outside /api. */
  readonly assets?: MiddlewareHandler<AppEnv>;
  /** Hashes of the inline scripts of index.html, allowed by the CSP. */
  readonly scriptHashes?: readonly string[];
  /** True when clients reach us over HTTPS (directly or through a proxy). */
  readonly tls?: boolean;
  /** SHA-256 of the operator token (operatorTokenHash); without it the /api/v1/operator routes answer 404. */
  readonly operatorTokenHash?: Uint8Array;
  /** Mails invitation links when set (SMTP on Node); the API answers the link either way. */
  readonly mailer?: Mailer;
}

export type AppEnv = {
  Variables: {
    deps: AppDeps;
    settings: ServerSettings;
    tenantKeys: TenantKeys;
    /** Verified against when the account does not exist, so both cases cost one hash. */
    dummyPasswordHash: () => Promise<string>;
    /** Set by the session middleware when the request carries a valid session. */
    auth?: SessionAuth;
  };
};

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  const settings = resolveSettings(deps.settings);
  const tenantKeys = new TenantKeys(deps.store, deps.keyRing);
  let dummyHash: Promise<string> | undefined;
  const dummyPasswordHash = () => (dummyHash ??= deps.passwordHasher.hash(crypto.randomUUID()));

  app.use('*', securityHeaders({ scriptHashes: deps.scriptHashes, hsts: deps.tls }));
  app.use('*', cacheControl());
  app.use('*', async function provideDeps(c, next) {
    c.set('deps', deps);
    c.set('settings', settings);
    c.set('tenantKeys', tenantKeys);
    c.set('dummyPasswordHash', dummyPasswordHash);
    await next();
  });
  app.use('/api/*', csrf({ origin: settings.publicOrigin }));
  app.use('/api/*', session());
  app.use('/api/*', tenantPolicy());

  app.route('/api/v1/health', healthRoutes(deps.version));
  const openApi = openApiDocument(deps.version);
  app.get('/api/v1/openapi.json', (c) => c.json(openApi));
  app.route('/api/v1/auth', authRoutes());
  app.route('/api/v1/me', meRoutes());
  app.route('/api/v1/admin', adminRoutes());
  app.route('/api/v1/projects', projectRoutes());
  app.route('/api/v1/files', fileRoutes());
  app.route('/api/v1/operator', operatorRoutes());

  app.all('/api/*', (c) => c.json<ErrorResponse>({ error: { code: 'not_found', message: 'No such API route' } }, 404));
  if (deps.assets) app.use('*', deps.assets);

  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const code = error instanceof CodedHttpException ? error.code : codeOf(error.status);
      const response = c.json<ErrorResponse>({ error: { code, message: error.message } }, error.status);
      const retryAfter = error.res?.headers.get('Retry-After');
      if (retryAfter) response.headers.set('Retry-After', retryAfter);
      return response;
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
    415: 'unsupported_media_type',
    429: 'too_many_requests',
  };
  return codes[status] ?? 'error';
}
