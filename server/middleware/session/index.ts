import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { AppEnv } from '../../app.ts';
import { validateSessionToken } from '../../auth/session.ts';

/** `__Host-` pins the cookie to our host and path / and requires Secure, so it is used over TLS only. */
export function sessionCookieName(tls: boolean): string {
  return tls ? '__Host-sigma_session' : 'sigma_session';
}

/** Sets `auth` when the request carries a valid session cookie; routes decide whether they need it. */
export function session(): MiddlewareHandler<AppEnv> {
  return async function sessionMiddleware(c, next) {
    const { deps, settings } = c.var;
    const token = getCookie(c, sessionCookieName(Boolean(deps.tls)));
    if (token) {
      const auth = await validateSessionToken(deps.store, deps.clock, settings.session, token);
      if (auth) c.set('auth', auth);
    }
    return next();
  };
}
