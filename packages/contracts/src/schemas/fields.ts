import { z } from 'zod';
import { passwordWeakness, type ErrorKey } from '../errors.js';
import { raisedKeys } from '../openapi/schema-errors.js';

/**
 * Field builders whose issues carry an error key as their message, so the API's
 * validation pipe can turn the first issue into the spec's code without a second
 * table. `params.message` (when present) overrides the registry's default message.
 */
const absent = (input: unknown) => input === undefined || input === null;

export const LIMITS = { name: 255, email: 255, description: 10_000, password: 256, tokenName: 255, id: 64, model: 256 } as const;

/** A UTF-16 surrogate half without its partner: JSON can carry one ("\ud800"), UTF-8 cannot. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Postgres `text` cannot hold U+0000, nor text that is not valid UTF-8 (an unpaired
 * surrogate), yet JSON ("\u0000", "\ud800") and URLs ("%00") can carry them: every field
 * that reaches the database refuses them here, so it is a 4xx and never a database error
 * (a 500, or a batched write refused for everyone in it). Passwords are exempt: only their
 * hash is stored.
 */
export const storable = (text: string) => !text.includes('\u0000') && !LONE_SURROGATE.test(text);

/**
 * An id in a path, query or body (client, project, user). Longer than any id we issue,
 * or unstorable, it names nothing: `unknownKey` is what an unknown id gets there.
 */
export function idField(unknownKey: ErrorKey) {
  return z.string().max(LIMITS.id, unknownKey).refine(storable, unknownKey);
}

/** `org_id` where required (projects, usage): absent or blank → MISSING_ORG_ID; unknown-looking → NOT_FOUND. */
export const orgIdField = z
  .string({ error: (iss) => (absent(iss.input) ? 'MISSING_ORG_ID' : 'INVALID_REQUEST') })
  .trim()
  .min(1, 'MISSING_ORG_ID')
  .max(LIMITS.id, 'NOT_FOUND')
  .refine(storable, 'NOT_FOUND');

/** A required string: absent → `missingKey`, wrong type → INVALID_REQUEST, blank after trim → `missingKey`. */
export function requiredText(missingKey: ErrorKey, max: number, overMaxKey: ErrorKey = 'INVALID_REQUEST') {
  return z
    .string({ error: (iss) => (absent(iss.input) ? missingKey : 'INVALID_REQUEST') })
    .trim()
    .min(1, missingKey)
    .max(max, overMaxKey)
    .refine(storable, 'INVALID_REQUEST');
}

export const nameField = requiredText('MISSING_NAME', LIMITS.name);

export const emailField = z
  .string({ error: (iss) => (absent(iss.input) ? 'MISSING_EMAIL' : 'INVALID_REQUEST') })
  .trim()
  .min(1, 'MISSING_EMAIL')
  .max(LIMITS.email, 'INVALID_EMAIL')
  .pipe(z.email({ error: 'INVALID_EMAIL' }))
  // Emails compare case-insensitively (spec §2); the lower-cased form is the identity.
  .transform((email) => email.toLowerCase());

/** Login only checks presence (a wrong email is INVALID_CREDENTIALS, not INVALID_EMAIL). */
export const loginEmailField = z
  .string({ error: (iss) => (absent(iss.input) ? 'MISSING_EMAIL' : 'INVALID_REQUEST') })
  .trim()
  .min(1, 'MISSING_EMAIL')
  .max(LIMITS.email, 'INVALID_CREDENTIALS')
  .refine(storable, 'INVALID_REQUEST')
  .transform((email) => email.toLowerCase());

/** Passwords are never trimmed: spaces are legitimate characters. */
const passwordBase = z
  .string({ error: (iss) => (absent(iss.input) ? 'MISSING_PASSWORD' : 'INVALID_REQUEST') })
  .min(1, 'MISSING_PASSWORD')
  .max(LIMITS.password, 'INVALID_REQUEST');

export const loginPasswordField = passwordBase;

const TOO_WEAK = 'PASSWORD_TOO_WEAK' satisfies ErrorKey;
export const newPasswordField = passwordBase
  .superRefine((password, ctx) => {
    if (password.length === 0) return;
    const weakness = passwordWeakness(password);
    if (weakness) ctx.addIssue({ code: 'custom', message: TOO_WEAK, params: { message: weakness } });
  })
  .register(raisedKeys, { keys: [TOO_WEAK] });

export const optionalDescription = z
  .string({ error: 'INVALID_REQUEST' })
  .max(LIMITS.description, 'INVALID_REQUEST')
  .refine(storable, 'INVALID_REQUEST')
  .nullish();

/** A 6-digit TOTP code or a recovery code; anything else is simply a wrong code. */
export const otpCodeField = z
  .string({ error: (iss) => (absent(iss.input) ? 'INVALID_CODE' : 'INVALID_REQUEST') })
  .trim()
  .min(1, 'INVALID_CODE')
  .max(64, 'INVALID_CODE');

export const unixSeconds = z.number().int().nonnegative();

export const roleSchema = z.enum(['owner', 'admin', 'member'], { error: 'INVALID_REQUEST' });
export type Role = z.infer<typeof roleSchema>;

/** The id prefixes of spec §1: opaque, URL-safe, unguessable. */
/**
 * Every id prefix, in one table: ids are the prefix + 22 random base62 characters (spec §1).
 * The last four never leave the server.
 */
export const ID_PREFIX = {
  user: 'usr_',
  client: 'client_',
  project: 'proj_',
  artifact: 'art_',
  run: 'run_',
  session: 'ses_',
  stepRun: 'step_',
  message: 'msg_',
  toolCall: 'call_',
  challenge: 'chl_',
  recoveryCode: 'rc_',
  blob: 'blob_',
  runConnection: 'conn_',
  passwordReset: 'pwr_',
  invitation: 'inv_',
} as const;

/** The ids' random part and an API token's (spec §1, §5) share one alphabet. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
