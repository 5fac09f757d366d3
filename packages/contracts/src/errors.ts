/**
 * The one registry of API errors: key → HTTP status → default message → envelope.
 *
 * `structured` entries go out as `{"detail":{"code":KEY,"message":…}}` (account side);
 * `string` entries go out as `{"detail":MESSAGE}` (gateway side), where the message
 * IS the wire contract and must never be edited. See ../shared/spec/api.md §2.
 */
export const ERRORS = {
  // ── account side (structured) ────────────────────────────────────────────
  MISSING_NAME: { status: 400, envelope: 'structured', message: 'Name is required' },
  MISSING_EMAIL: { status: 400, envelope: 'structured', message: 'Email is required' },
  MISSING_PASSWORD: { status: 400, envelope: 'structured', message: 'Password is required' },
  INVALID_EMAIL: { status: 400, envelope: 'structured', message: 'Invalid email address' },
  PASSWORD_TOO_WEAK: { status: 400, envelope: 'structured', message: 'Password must be at least 8 characters' },
  EMAIL_ALREADY_EXISTS: { status: 409, envelope: 'structured', message: 'An account with this email already exists' },
  INVALID_CREDENTIALS: { status: 401, envelope: 'structured', message: 'Invalid email or password' },
  REGISTRATION_FAILED: { status: 500, envelope: 'structured', message: 'Registration failed' },
  INVALID_CHALLENGE: { status: 401, envelope: 'structured', message: 'Invalid or expired two-factor challenge' },
  // 400 everywhere except POST /2fa/login, which throws it with status 401 (spec §2).
  INVALID_CODE: { status: 400, envelope: 'structured', message: 'Invalid authentication code' },
  '2FA_ALREADY_ENABLED': { status: 409, envelope: 'structured', message: 'Two-factor authentication is already enabled' },
  '2FA_NOT_STARTED': { status: 400, envelope: 'structured', message: 'Two-factor setup has not been started' },
  '2FA_NOT_ENABLED': { status: 400, envelope: 'structured', message: 'Two-factor authentication is not enabled' },
  NO_ACCESS: { status: 403, envelope: 'structured', message: 'You do not have access to this resource' },
  NOT_FOUND: { status: 404, envelope: 'structured', message: 'Not found' },
  USER_NOT_FOUND: { status: 404, envelope: 'structured', message: 'User not found' },
  ALREADY_MEMBER: { status: 409, envelope: 'structured', message: 'User is already a member of this client' },
  LAST_OWNER: { status: 409, envelope: 'structured', message: 'A client must keep at least one owner' },
  MISSING_ORG_ID: { status: 400, envelope: 'structured', message: 'org_id is required' },
  INVALID_REQUEST: { status: 400, envelope: 'structured', message: 'Invalid request' },
  UNAUTHENTICATED: { status: 401, envelope: 'structured', message: 'Authentication required' },
  INTERNAL_ERROR: { status: 500, envelope: 'structured', message: 'Internal server error' },
  // Any request body over its route's limit (RouteDef.bodyLimit), artifacts included (spec §2, §11).
  PAYLOAD_TOO_LARGE: { status: 413, envelope: 'structured', message: 'Request body is too large' },
  // Password reset, sign-up policy and invitations (spec §13).
  INVALID_RESET_TOKEN: { status: 400, envelope: 'structured', message: 'This password reset link is invalid, used or expired' },
  SIGNUP_DISABLED: { status: 403, envelope: 'structured', message: 'Registration is not open on this server' },
  // (decided) An invitation link that is unknown, cancelled, already used or expired.
  INVALID_INVITATION: { status: 400, envelope: 'structured', message: 'This invitation is invalid, used or expired' },
  // The client's plan quota and top-ups are used up (spec §12); only calls already in flight may go below zero.
  INSUFFICIENT_CREDITS: { status: 402, envelope: 'structured', message: 'Insufficient credits' },
  // (decided) An admin grant's Idempotency-Key already used for this client with another amount or note.
  IDEMPOTENCY_KEY_REUSED: { status: 409, envelope: 'structured', message: 'This Idempotency-Key was already used for a different request' },
  // Deleting a client that is the only one of one of its members (spec §13): everyone keeps at least one.
  // Login to an account an instance admin disabled (spec §13); only after the right password, so it tells nothing to a guesser.
  ACCOUNT_DISABLED: { status: 401, envelope: 'structured', message: 'This account has been disabled by an administrator' },
  // (decided) An admin disabling their own account: refused, so an instance always keeps the admin who is acting.
  CANNOT_DISABLE_SELF: { status: 409, envelope: 'structured', message: 'You cannot disable your own account' },
  LAST_CLIENT: { status: 409, envelope: 'structured', message: 'This is the only client of one of its members; it cannot be deleted' },

  // ── gateway side (plain string detail; the message is the wire value) ────
  MISSING_BEARER_TOKEN: { status: 401, envelope: 'string', message: 'missing bearer token' },
  INVALID_AUTHORIZATION_HEADER: { status: 401, envelope: 'string', message: 'invalid authorization header' },
  INVALID_BEARER_TOKEN: { status: 401, envelope: 'string', message: 'invalid bearer token' },
  INVALID_TOKEN: { status: 401, envelope: 'string', message: 'invalid token' },
  TOKEN_NAME_REQUIRED: { status: 400, envelope: 'string', message: 'token_name is required' },
  NO_SESSION_COOKIE: { status: 401, envelope: 'string', message: 'no session cookie' },
  INVALID_SESSION: { status: 401, envelope: 'string', message: 'invalid session' },
  TOKEN_NOT_FOUND: { status: 404, envelope: 'string', message: 'token not found' },
  INVALID_TOKEN_ID: { status: 400, envelope: 'string', message: 'invalid token id' },
  RATE_LIMIT_EXCEEDED: { status: 429, envelope: 'string', message: 'rate limit exceeded' },
  // A call for a model outside its token's allowlist (spec §12 token limits).
  MODEL_NOT_ALLOWED: { status: 403, envelope: 'string', message: 'model not allowed for this token' },
  ACCOUNT_SERVICE_UNAVAILABLE: { status: 503, envelope: 'string', message: 'Failed to reach account service' },
  UPSTREAM_UNAVAILABLE: { status: 503, envelope: 'string', message: 'Failed to reach upstream service' },
  ROUTE_NOT_FOUND: { status: 404, envelope: 'string', message: 'Not Found' },
  METHOD_NOT_ALLOWED: { status: 405, envelope: 'string', message: 'Method Not Allowed' },
  // GET /ready while the instance drains after SIGTERM: take it out of rotation.
  SHUTTING_DOWN: { status: 503, envelope: 'string', message: 'shutting down' },
} as const satisfies Record<string, ErrorDefinition>;

export interface ErrorDefinition {
  status: number;
  envelope: 'structured' | 'string';
  message: string;
}

export type ErrorKey = keyof typeof ERRORS;
/** Codes that appear on the wire as `detail.code`. */
export type ErrorCode = {
  [K in ErrorKey]: (typeof ERRORS)[K]['envelope'] extends 'structured' ? K : never;
}[ErrorKey];
/** Plain-string details that appear on the wire as `detail`. */
export type GatewayDetail = {
  [K in ErrorKey]: (typeof ERRORS)[K]['envelope'] extends 'string' ? (typeof ERRORS)[K]['message'] : never;
}[ErrorKey];

export function isErrorKey(value: unknown): value is ErrorKey {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** The exact PASSWORD_TOO_WEAK messages, in the order the checks run (spec §2). */
export const PASSWORD_RULES = [
  { test: (p: string) => p.length >= 8, message: 'Password must be at least 8 characters' },
  { test: (p: string) => /[A-Za-z]/.test(p), message: 'Password must contain at least one letter' },
  { test: (p: string) => /[0-9]/.test(p), message: 'Password must contain at least one number' },
  { test: (p: string) => /[^A-Za-z0-9]/.test(p), message: 'Password must contain at least one special character' },
] as const;

/** First failing password rule's message, or null when the password is acceptable. */
export function passwordWeakness(password: string): string | null {
  for (const rule of PASSWORD_RULES) if (!rule.test(password)) return rule.message;
  return null;
}

/**
 * When a body fails several checks at once, the reported code is the first of these
 * that any issue carries — this gives the spec's check order (§4: all MISSING_* before
 * INVALID_EMAIL before PASSWORD_TOO_WEAK) independent of field order.
 */
export const VALIDATION_PRIORITY: readonly ErrorKey[] = [
  'MISSING_NAME',
  'MISSING_EMAIL',
  'MISSING_PASSWORD',
  'MISSING_ORG_ID',
  'INVALID_RESET_TOKEN',
  'INVALID_INVITATION',
  'TOKEN_NAME_REQUIRED',
  'INVALID_REQUEST',
  'INVALID_EMAIL',
  'PASSWORD_TOO_WEAK',
  'INVALID_TOKEN_ID',
];

const rank = (key: ErrorKey) => {
  const i = VALIDATION_PRIORITY.indexOf(key);
  return i === -1 ? VALIDATION_PRIORITY.length : i;
};

/**
 * The one error a failed schema check answers with: each issue carries an error key as its message
 * (anything else is INVALID_REQUEST), and the highest in VALIDATION_PRIORITY wins (first issue on a
 * tie). `message`: the issue's own wording where the key's default is not enough (PASSWORD_TOO_WEAK
 * names the rule that failed). The API's validation pipe answers with it.
 */
export function validationError(issues: readonly { message: string; params?: unknown }[]): { key: ErrorKey; message?: string } {
  let best: { key: ErrorKey; message?: string } | undefined;
  for (const issue of issues) {
    const key: ErrorKey = isErrorKey(issue.message) ? issue.message : 'INVALID_REQUEST';
    if (!best || rank(key) < rank(best.key)) {
      const params = issue.params as { message?: unknown } | undefined;
      best = { key, message: typeof params?.message === 'string' ? params.message : undefined };
    }
  }
  return best ?? { key: 'INVALID_REQUEST' };
}
