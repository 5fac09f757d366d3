import { z } from 'zod';
import { BILLING_MODES } from './billing.js';
import { emailField, idField, loginPasswordField, newPasswordField, unixSeconds } from './fields.js';

/**
 * Account lifecycle (spec §13): passwords, sessions and what the dashboard needs to know about
 * the server's sign-up and mail settings.
 */

export const changePasswordRequest = z.object({ current_password: loginPasswordField, new_password: newPasswordField });
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;
export const changePasswordResponse = z.object({ changed: z.literal(true) });
export type ChangePasswordResponse = z.infer<typeof changePasswordResponse>;

export const forgotPasswordRequest = z.object({ email: emailField });
export type ForgotPasswordRequest = z.infer<typeof forgotPasswordRequest>;
/** Always the same answer, whether or not the email has an account (no enumeration). */
export const forgotPasswordResponse = z.object({ sent: z.literal(true) });
export type ForgotPasswordResponse = z.infer<typeof forgotPasswordResponse>;

/** The secret of a link (reset or invitation): absent, blank or longer than any we mint is simply a bad link. */
export function linkTokenField(badKey: 'INVALID_RESET_TOKEN' | 'INVALID_INVITATION') {
  return z
    .string({ error: (iss) => (iss.input === undefined || iss.input === null ? badKey : 'INVALID_REQUEST') })
    .trim()
    .min(1, badKey)
    .max(256, badKey);
}

export const resetPasswordRequest = z.object({
  token: linkTokenField('INVALID_RESET_TOKEN'),
  new_password: newPasswordField,
  /** (decided) Also revoke every API token of the account: the reset page offers it, for a password that leaked with the tokens. */
  revoke_api_tokens: z.boolean({ error: 'INVALID_REQUEST' }).default(false),
});
export type ResetPasswordRequest = z.infer<typeof resetPasswordRequest>;
export const resetPasswordResponse = z.object({ reset: z.literal(true) });
export type ResetPasswordResponse = z.infer<typeof resetPasswordResponse>;

/** (decided) GET /instance: what the sign-in pages need to say before anyone is signed in. */
export const instanceInfoResponse = z.object({
  /** `open`: anyone registers; `invite`: only through an invitation's link; `closed`: only admins create accounts. */
  signup_mode: z.enum(['open', 'invite', 'closed']),
  /** `smtp`: mail leaves through SMTP_URL; `log`: no SMTP_URL, links are written to the server's log. */
  mail_delivery: z.enum(['smtp', 'log']),
  /** Added to spec §13's answer: BILLING_MODE (spec §12), so the dashboard shows its Billing page only when the credits routes exist. */
  billing_mode: z.enum(BILLING_MODES),
});
export type InstanceInfoResponse = z.infer<typeof instanceInfoResponse>;

export const sessionInfo = z.object({
  id: z.string(),
  created_at: unixSeconds,
  /** Accurate to SESSION_LAST_SEEN_FLUSH_MS (written in batches); null until first seen after sign-in. */
  last_seen_at: unixSeconds.nullable(),
  ip: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The session this request came with. */
  current: z.boolean(),
});
export type SessionInfo = z.infer<typeof sessionInfo>;
export const sessionListResponse = z.object({ data: z.array(sessionInfo) });
export type SessionListResponse = z.infer<typeof sessionListResponse>;

export const sessionIdParams = z.object({ id: idField('NOT_FOUND') });
export const endSessionResponse = z.object({ revoked: z.literal(true) });
export type EndSessionResponse = z.infer<typeof endSessionResponse>;
/** (decided) POST /sessions/end-others: every session of the account but the caller's. */
export const endOtherSessionsResponse = z.object({ revoked: z.number().int().nonnegative() });
export type EndOtherSessionsResponse = z.infer<typeof endOtherSessionsResponse>;
