import { PASSWORD_RULES, type ErrorKey } from '@aius/contracts';
import { ApiError } from './api';

/**
 * What a person reads when something goes wrong, keyed by the contract's error keys.
 * Typed as a full Record: a key added to the registry does not compile until it has copy here.
 */
export const ERROR_COPY: Record<ErrorKey, string> = {
  MISSING_NAME: 'Enter a name.',
  MISSING_EMAIL: 'Enter your email address.',
  MISSING_PASSWORD: 'Enter your password.',
  INVALID_EMAIL: 'That doesn’t look like an email address.',
  PASSWORD_TOO_WEAK: 'Choose a stronger password.',
  EMAIL_ALREADY_EXISTS: 'An account with this email already exists. Try signing in instead.',
  INVALID_CREDENTIALS: 'That email and password don’t match an account.',
  REGISTRATION_FAILED: 'We couldn’t create your account just now. Nothing was saved; please try again.',
  INVALID_CHALLENGE: 'This sign-in attempt has expired. Enter your email and password again.',
  INVALID_CODE: 'That code isn’t right. Check your authenticator app and try again.',
  '2FA_ALREADY_ENABLED': 'Two-factor authentication is already on for this account.',
  '2FA_NOT_STARTED': 'Start the setup again to get a new QR code.',
  '2FA_NOT_ENABLED': 'Two-factor authentication is off for this account.',
  NO_ACCESS: 'You don’t have permission to do that in this organization.',
  NOT_FOUND: 'This no longer exists. It may have been deleted.',
  USER_NOT_FOUND: 'No AIUS account uses this email. Ask them to sign up first.',
  ALREADY_MEMBER: 'This person is already a member of the organization.',
  LAST_OWNER: 'An organization needs at least one owner. Make someone else an owner first.',
  MISSING_ORG_ID: 'Choose an organization first.',
  INVALID_REQUEST: 'Some of this isn’t valid. Check the values and try again.',
  UNAUTHENTICATED: 'Your session has ended. Sign in again.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again.',
  PAYLOAD_TOO_LARGE: 'That is too large to send. Make it smaller and try again.',
  INVALID_RESET_TOKEN: 'This reset link is invalid, already used or expired. Ask for a new one.',
  SIGNUP_DISABLED: 'Registration is not open on this server. Ask an administrator for an invitation.',
  INVALID_INVITATION: 'This invitation is invalid, already used, cancelled or expired. Ask for a new one.',
  INSUFFICIENT_CREDITS: 'This organization has no credits left. An instance admin can grant more.',
  IDEMPOTENCY_KEY_REUSED: 'This grant was already made with different values. Reload to see the organization’s balance before granting again.',
  ACCOUNT_DISABLED: 'This account has been disabled by an administrator of this server.',
  CANNOT_DISABLE_SELF: 'You cannot disable your own account. Ask another admin.',
  LAST_CLIENT: 'This is the only organization of one of its members, so it cannot be deleted. They need another organization first.',
  MISSING_BEARER_TOKEN: 'An API token is required.',
  INVALID_AUTHORIZATION_HEADER: 'An API token is required.',
  INVALID_BEARER_TOKEN: 'An API token is required.',
  INVALID_TOKEN: 'This API token is not valid or has been revoked.',
  TOKEN_NAME_REQUIRED: 'Give the token a name so you can recognise it later.',
  NO_SESSION_COOKIE: 'Your session has ended. Sign in again.',
  INVALID_SESSION: 'Your session has ended. Sign in again.',
  TOKEN_NOT_FOUND: 'This token no longer exists.',
  INVALID_TOKEN_ID: 'This token no longer exists.',
  RATE_LIMIT_EXCEEDED: 'Too many attempts. Wait a minute, then try again.',
  MODEL_NOT_ALLOWED: 'This token may not call that model.',
  ACCOUNT_SERVICE_UNAVAILABLE: 'AIUS can’t reach its database right now. Try again in a moment.',
  UPSTREAM_UNAVAILABLE: 'The AI service is unreachable right now. Try again in a moment.',
  ROUTE_NOT_FOUND: 'This feature isn’t available on this AIUS server yet.',
  METHOD_NOT_ALLOWED: 'This feature isn’t available on this AIUS server yet.',
  SHUTTING_DOWN: 'The service is restarting. Try again in a moment.',
};

const NETWORK_COPY = 'Couldn’t reach AIUS. Check your connection and try again.';
const FALLBACK_COPY = 'Something went wrong. Please try again.';
const PASSWORD_RULE_COPY = new Set<string>(PASSWORD_RULES.map((r) => r.message));

/**
 * Copy for one error key. The password rules are the one place where the server's own
 * words are the copy: the contract fixes them and they say exactly what is missing.
 */
export function copyFor(key: ErrorKey, serverMessage?: string): string {
  if (key === 'PASSWORD_TOO_WEAK' && serverMessage && PASSWORD_RULE_COPY.has(serverMessage)) return `${serverMessage}.`;
  return ERROR_COPY[key];
}

/** A human sentence for anything a call can throw; never the raw body. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return FALLBACK_COPY;
  if (error.status === 0) return NETWORK_COPY;
  if (error.key) return copyFor(error.key, error.detail);
  return error.status >= 500 ? ERROR_COPY.INTERNAL_ERROR : FALLBACK_COPY;
}

/** Which form field an error belongs to, when it is about one field (others go beside the action). */
const FIELD_OF: Partial<Record<ErrorKey, string>> = {
  MISSING_NAME: 'name',
  MISSING_EMAIL: 'email',
  INVALID_EMAIL: 'email',
  EMAIL_ALREADY_EXISTS: 'email',
  USER_NOT_FOUND: 'email',
  ALREADY_MEMBER: 'email',
  MISSING_PASSWORD: 'password',
  PASSWORD_TOO_WEAK: 'password',
  INVALID_CODE: 'code',
  TOKEN_NAME_REQUIRED: 'token_name',
  MISSING_ORG_ID: 'org_id',
};

export function fieldOf(error: unknown): string | null {
  return error instanceof ApiError && error.key ? (FIELD_OF[error.key] ?? null) : null;
}
