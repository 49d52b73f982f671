import * as v from 'valibot';
import { Email, Role } from './api-auth.ts';

export const InvitationRequest = v.object({ email: Email, role: Role });
export type InvitationRequest = v.InferOutput<typeof InvitationRequest>;

export const InvitationResponse = v.object({ url: v.string(), expiresAt: v.string() });
export type InvitationResponse = v.InferOutput<typeof InvitationResponse>;

export const UserSummary = v.object({
  id: v.string(),
  email: v.string(),
  role: Role,
  disabled: v.boolean(),
  createdAt: v.string(),
});
export type UserSummary = v.InferOutput<typeof UserSummary>;

export const UsersResponse = v.object({ users: v.array(UserSummary) });
export type UsersResponse = v.InferOutput<typeof UsersResponse>;

export const UserPatch = v.object({ role: v.optional(Role), disabled: v.optional(v.boolean()) });
export type UserPatch = v.InferOutput<typeof UserPatch>;

export const AuditVerifyResponse = v.object({
  ok: v.boolean(),
  events: v.number(),
  firstBrokenSeq: v.optional(v.number()),
});
export type AuditVerifyResponse = v.InferOutput<typeof AuditVerifyResponse>;

export const AuditFormat = v.picklist(['jsonl', 'csv']);

/** An ISO 8601 UTC timestamp or date, as the audit query's from and to. */
export const AuditQuery = v.object({
  from: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  to: v.optional(v.pipe(v.string(), v.isoTimestamp())),
  format: v.optional(AuditFormat, 'jsonl'),
});
export type AuditQuery = v.InferOutput<typeof AuditQuery>;
