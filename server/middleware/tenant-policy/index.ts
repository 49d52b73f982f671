import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../app.ts';
import type { TenantPolicy } from '../../auth/session.ts';
import { addressAllowed, parseCidrList, type Cidr } from '../../http/address.ts';
import { codedError } from '../../http/errors.ts';
import { clientOf } from '../../http/request.ts';

export interface TenantPolicyOptions {
  /**
   * What a signed-in user of a tenant that requires a second factor may do before enrolling:
   * see who they are and enrol (signing out is always allowed). Method and path under /api/v1.
   */
  readonly enrolmentRoutes?: readonly string[];
}

const ENROLMENT_ROUTES = ['GET /me', 'GET /me/totp', 'POST /me/totp', 'POST /me/totp/confirm'];

/** Routes that do not act on the session: sign-in and invitations check the policy themselves, sign-out is always allowed. */
const SESSIONLESS = /^\/(auth\/|health$|openapi\.json$)/;

// Allowlists are re-read with every session (a change applies at once), so parse each text once.
const parsedLists = new Map<string, Cidr[]>();
function cidrsOf(list: readonly string[]): Cidr[] {
  const key = list.join(',');
  let cidrs = parsedLists.get(key);
  if (!cidrs) {
    if (parsedLists.size > 1000) parsedLists.clear();
    cidrs = parseCidrList(list);
    parsedLists.set(key, cidrs);
  }
  return cidrs;
}

export function addressAllowedBy(policy: TenantPolicy, address: string | null): boolean {
  return policy.ipAllowlist === null || addressAllowed(cidrsOf(policy.ipAllowlist), address);
}

/**
 * Applies the tenant's security settings to every signed-in request: the IP allowlist (only
 * signing out is allowed from elsewhere) and a required second factor (until the user has
 * enrolled, only the enrolment routes answer).
 */
export function tenantPolicy({ enrolmentRoutes = ENROLMENT_ROUTES }: TenantPolicyOptions = {}): MiddlewareHandler<AppEnv> {
  const allowedBeforeEnrolment = new Set(enrolmentRoutes);
  return async function tenantPolicyMiddleware(c, next) {
    const auth = c.var.auth;
    const path = c.req.path.replace(/^\/api\/v1/, '').replace(/\/$/, '');
    if (!auth || SESSIONLESS.test(path)) return next();
    const route = `${c.req.method} ${path}`;
    if (!addressAllowedBy(auth.policy, clientOf(c).address)) {
      throw codedError(403, 'address_not_allowed', 'Your organisation does not allow access from this network');
    }
    if (auth.policy.requireTotp && !auth.totpEnabled && !allowedBeforeEnrolment.has(route)) {
      throw codedError(403, 'totp_enrolment_required', 'Your organisation requires a second factor: set up an authenticator app first');
    }
    return next();
  };
}
