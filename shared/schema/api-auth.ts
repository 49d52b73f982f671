import * as v from 'valibot';

export const Role = v.picklist(['owner', 'admin', 'member', 'viewer']);
export type Role = v.InferOutput<typeof Role>;

/** Emails are compared lower-cased and trimmed. */
export const Email = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(254), v.email());

/** Length rules (12 to 256 characters) are checked by the server's password policy, with their own message. */
export const Password = v.pipe(v.string(), v.maxLength(1024));

export const LoginRequest = v.object({
  // Not checked as an email: a malformed one gets the same answer as an unknown one.
  email: v.pipe(v.string(), v.maxLength(254)),
  password: Password,
  totp: v.optional(v.pipe(v.string(), v.maxLength(16))),
});
export type LoginRequest = v.InferOutput<typeof LoginRequest>;

export const MeResponse = v.object({
  user: v.object({ id: v.string(), email: v.string() }),
  role: Role,
  tenant: v.object({ id: v.string(), name: v.string() }),
});
export type MeResponse = v.InferOutput<typeof MeResponse>;

export const AcceptInvitationRequest = v.object({
  token: v.pipe(v.string(), v.maxLength(200)),
  password: Password,
});
export type AcceptInvitationRequest = v.InferOutput<typeof AcceptInvitationRequest>;

export const ChangePasswordRequest = v.object({
  currentPassword: Password,
  newPassword: Password,
});
export type ChangePasswordRequest = v.InferOutput<typeof ChangePasswordRequest>;

export const SessionSummary = v.object({
  id: v.string(),
  createdAt: v.string(),
  lastUsedAt: v.string(),
  address: v.nullable(v.string()),
  userAgent: v.nullable(v.string()),
  current: v.boolean(),
});
export const SessionsResponse = v.object({ sessions: v.array(SessionSummary) });
export type SessionsResponse = v.InferOutput<typeof SessionsResponse>;
