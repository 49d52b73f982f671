import * as v from 'valibot';
import { Email, Password, Role } from './api-auth.ts';

// The operator's routes (/api/v1/operator/*): what `sigma tenant|user|purge|audit` do on Node,
// for deployments without a shell beside the database (Cloudflare Workers).

const TenantName = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200), v.regex(/^[^\p{Cc}]*$/u));

export const OperatorTenantCreate = v.object({ name: TenantName, adminEmail: Email, password: Password });
export type OperatorTenantCreate = v.InferOutput<typeof OperatorTenantCreate>;

export const OperatorTenantCreated = v.object({ tenantId: v.string(), userId: v.string() });
export type OperatorTenantCreated = v.InferOutput<typeof OperatorTenantCreated>;

export const OperatorUserCreate = v.object({ tenantId: v.pipe(v.string(), v.maxLength(64)), email: Email, role: Role, password: Password });
export type OperatorUserCreate = v.InferOutput<typeof OperatorUserCreate>;

export const OperatorUserCreated = v.object({ userId: v.string() });
export type OperatorUserCreated = v.InferOutput<typeof OperatorUserCreated>;

export const OperatorPurgeResponse = v.object({
  purged: v.array(v.string()),
  audit: v.array(v.object({ chain: v.string(), throughSeq: v.number(), deleted: v.number() })),
});
export type OperatorPurgeResponse = v.InferOutput<typeof OperatorPurgeResponse>;

export const OperatorAuditVerifyResponse = v.object({
  chains: v.array(
    v.object({
      chain: v.string(),
      ok: v.boolean(),
      events: v.number(),
      firstBrokenSeq: v.optional(v.number()),
      checkpointSeq: v.optional(v.number()),
    }),
  ),
});
export type OperatorAuditVerifyResponse = v.InferOutput<typeof OperatorAuditVerifyResponse>;
