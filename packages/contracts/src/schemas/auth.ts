import { z } from 'zod';
import { linkTokenField } from './account.js';
import { emailField, loginEmailField, loginPasswordField, nameField, newPasswordField, otpCodeField, unixSeconds } from './fields.js';

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  provider: z.literal('email'),
  provider_id: z.string(),
  created_at: unixSeconds,
});
export type User = z.infer<typeof userSchema>;

export const registerRequest = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  /** Spec §13: required when SIGNUP_MODE=invite; with it the new account joins the inviting client. */
  invitation_token: linkTokenField('INVALID_INVITATION').optional(),
});
export type RegisterRequest = z.infer<typeof registerRequest>;

export const sessionResponse = z.object({ user: userSchema, message: z.string(), session_token: z.string() });
export type SessionResponse = z.infer<typeof sessionResponse>;
export const registerResponse = sessionResponse;

export const loginRequest = z.object({ email: loginEmailField, password: loginPasswordField });
export type LoginRequest = z.infer<typeof loginRequest>;

export const twoFactorChallengeResponse = z.object({
  requires_2fa: z.literal(true),
  challenge_token: z.string(),
  email: z.string(),
  message: z.string(),
});
export type TwoFactorChallengeResponse = z.infer<typeof twoFactorChallengeResponse>;

export const loginResponse = z.union([sessionResponse, twoFactorChallengeResponse]);
export type LoginResponse = z.infer<typeof loginResponse>;

export const twoFactorLoginRequest = z.object({
  challenge_token: z.string({ error: 'INVALID_CHALLENGE' }).min(1, 'INVALID_CHALLENGE').max(4096, 'INVALID_CHALLENGE'),
  code: otpCodeField,
});
export type TwoFactorLoginRequest = z.infer<typeof twoFactorLoginRequest>;

/** `is_admin` (decided, beside the spec's fields): an instance admin (§10), so the dashboard shows its Admin page only to them. */
export const meResponse = z.object({ user: userSchema, two_factor_enabled: z.boolean(), is_admin: z.boolean() });
export type MeResponse = z.infer<typeof meResponse>;

export const logoutResponse = z.object({ logged_out: z.literal(true) });
export type LogoutResponse = z.infer<typeof logoutResponse>;

/** Fixed success messages (spec §4). */
export const AUTH_MESSAGES = {
  registered: 'Registration successful',
  loggedIn: 'Login successful',
  twoFactorRequired: 'Two-factor authentication required',
} as const;
