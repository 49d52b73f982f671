import type { MiddlewareHandler } from 'hono';
import { apiError } from '../../http/errors.ts';

export interface CsrfOptions {
  /** Our origin as browsers see it; by default the origin of the request URL. */
  readonly origin?: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses unsafe methods unless the browser says the request comes from our own origin:
 * Sec-Fetch-Site `same-origin`, or (older browsers) an Origin equal to ours. A request
 * with neither header is refused too: every browser that could carry our cookie sends one,
 * and scripts can set Origin themselves.
 */
export function csrf({ origin }: CsrfOptions = {}): MiddlewareHandler {
  return async function csrfMiddleware(c, next) {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    const sentOrigin = c.req.header('origin');
    const ours = origin ?? new URL(c.req.url).origin;
    const allowed = site !== undefined ? site === 'same-origin' && (sentOrigin === undefined || sentOrigin === ours) : sentOrigin === ours;
    if (!allowed) throw apiError(403, 'Cross-site request refused');
    return next();
  };
}
