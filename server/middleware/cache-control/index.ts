import type { MiddlewareHandler } from 'hono';

export interface CacheControlOptions {
  /** Path prefix of content-hashed build output, safe to cache forever. */
  readonly immutablePrefix?: string;
}

/**
 * Hashed assets are cached for a year and never revalidated; everything else (the
 * HTML, the service worker, the manifest) is revalidated on every load so a new
 * release is picked up; API answers are never stored.
 */
export function cacheControl({ immutablePrefix = '/_app/immutable/' }: CacheControlOptions = {}): MiddlewareHandler {
  return async function cacheControlMiddleware(c, next) {
    await next();
    if (c.res.headers.has('Cache-Control')) return;
    const path = c.req.path;
    let value = 'no-cache';
    if (path.startsWith('/api/')) value = 'no-store';
    else if (path.startsWith(immutablePrefix) && c.res.status === 200) value = 'public, max-age=31536000, immutable';
    c.res.headers.set('Cache-Control', value);
  };
}
