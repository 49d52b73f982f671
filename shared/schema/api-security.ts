import * as v from 'valibot';
import { LoginRequest as PasswordLoginRequest } from './api-auth.ts';

/**
 * Sign-in with the second factor: `totp` is the 6-digit code of the authenticator app;
 * `recoveryCode` one of the ten one-time codes given at enrolment, for a lost device.
 */
export const SecondFactorLoginRequest = v.object({
  ...PasswordLoginRequest.entries,
  recoveryCode: v.optional(v.pipe(v.string(), v.maxLength(64))),
});
export type SecondFactorLoginRequest = v.InferOutput<typeof SecondFactorLoginRequest>;

/** The secret in base32, in groups of four (to type in), and as an otpauth:// URL (to show as a QR code). */
export const TotpEnrolResponse = v.object({ secret: v.string(), otpauthUrl: v.string() });
export type TotpEnrolResponse = v.InferOutput<typeof TotpEnrolResponse>;

export const TotpCode = v.object({ code: v.pipe(v.string(), v.maxLength(16)) });
export type TotpCode = v.InferOutput<typeof TotpCode>;

/** Shown once; only their hashes are kept. */
export const RecoveryCodesResponse = v.object({ recoveryCodes: v.array(v.string()) });
export type RecoveryCodesResponse = v.InferOutput<typeof RecoveryCodesResponse>;

export const TotpStatusResponse = v.object({
  enabled: v.boolean(),
  /** The tenant requires a second factor of every user. */
  required: v.boolean(),
  recoveryCodesLeft: v.number(),
});
export type TotpStatusResponse = v.InferOutput<typeof TotpStatusResponse>;

export const TotpDisableRequest = v.object({ password: v.pipe(v.string(), v.maxLength(1024)) });
export type TotpDisableRequest = v.InferOutput<typeof TotpDisableRequest>;

/** A range is "203.0.113.0/24", "2001:db8::/32" or a single address; the server checks each. */
const CidrText = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(64));

export const TenantSettings = v.object({
  requireTotp: v.boolean(),
  /** Sign-in and API use only from these ranges; null: from anywhere. */
  ipAllowlist: v.nullable(v.array(v.string())),
});
export type TenantSettings = v.InferOutput<typeof TenantSettings>;

export const TenantSettingsPatch = v.object({
  requireTotp: v.optional(v.boolean()),
  ipAllowlist: v.optional(v.nullable(v.pipe(v.array(CidrText), v.minLength(1), v.maxLength(200)))),
});
export type TenantSettingsPatch = v.InferOutput<typeof TenantSettingsPatch>;
