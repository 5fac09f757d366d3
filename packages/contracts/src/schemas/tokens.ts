import { z } from 'zod';
import { BASE62_ALPHABET, LIMITS, storable, unixSeconds } from './fields.js';

/** Token limits (spec §12): the longest a token may be minted for, and the most models its allowlist may name. */
export const TOKEN_LIMITS = { maxLifetimeSeconds: 366 * 24 * 3600, maxModels: 100 } as const;

/**
 * `expires_at`: unix seconds, in the future and at most a year ahead (a leap year's 366 days, so
 * "one year from today" is always accepted). Checked against the clock when the body is parsed.
 */
const expiresAtField = z
  .number({ error: 'INVALID_REQUEST' })
  .int('INVALID_REQUEST')
  .refine((at) => at > Date.now() / 1000, { error: 'INVALID_REQUEST', params: { message: 'expires_at must be in the future' } })
  .refine((at) => at <= Date.now() / 1000 + TOKEN_LIMITS.maxLifetimeSeconds, {
    error: 'INVALID_REQUEST',
    params: { message: 'expires_at must be at most one year ahead' },
  });

/**
 * `models`: the model ids (as GET /models lists them) the token may call. Omitted or null: every
 * model. An empty list is refused rather than read as either "none" or "all": both readings exist
 * among gateways (LiteLLM takes [] as "all"), and a wrong guess either way is a security surprise.
 */
const modelsField = z
  .array(
    z.string({ error: 'INVALID_REQUEST' }).trim().min(1, 'INVALID_REQUEST').max(LIMITS.model, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST'),
    { error: 'INVALID_REQUEST' },
  )
  .refine((ids) => ids.length > 0, { error: 'INVALID_REQUEST', params: { message: 'models must name at least one model; omit it to allow every model' } })
  .max(TOKEN_LIMITS.maxModels, 'INVALID_REQUEST')
  .transform((ids) => [...new Set(ids)]);

export const createTokenRequest = z.object({
  token_name: z
    .string({ error: 'TOKEN_NAME_REQUIRED' })
    .trim()
    .min(1, 'TOKEN_NAME_REQUIRED')
    .max(LIMITS.tokenName, 'INVALID_REQUEST')
    .refine(storable, 'INVALID_REQUEST'),
  client_id: z
    .string({ error: 'INVALID_REQUEST' })
    .max(LIMITS.id, 'INVALID_REQUEST')
    // A client that cannot exist is answered like any unknown client (spec §5: NO_ACCESS).
    .refine(storable, 'NO_ACCESS')
    .nullish(),
  expires_at: expiresAtField.nullish(),
  models: modelsField.nullish(),
});
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;

export const createTokenResponse = z.object({
  id: z.number().int(),
  token: z.string(),
  token_name: z.string(),
  client_id: z.string(),
  prefix: z.string(),
  created_at: unixSeconds,
  /** Added to spec §5's answer (§12 token limits): what the token was minted with. */
  expires_at: unixSeconds.nullable(),
  models: z.array(z.string()).nullable(),
});
export type CreateTokenResponse = z.infer<typeof createTokenResponse>;

export const TOKEN_REVOCATION_REASONS = ['revoked', 'membership_ended', 'password_reset', 'account_disabled'] as const;
export type TokenRevocationReason = (typeof TOKEN_REVOCATION_REASONS)[number];

export const tokenSummary = z.object({
  id: z.number().int(),
  token_name: z.string(),
  client_id: z.string(),
  prefix: z.string(),
  created_at: unixSeconds,
  last_used_at: unixSeconds.nullable(),
  revoked_at: unixSeconds.nullable(),
  /**
   * Added to spec §5's fields (backward compatible): why a revoked token stopped working.
   * `revoked`: by its owner (DELETE /tokens/{id}); `membership_ended`: its user left, or was
   * removed from, the client it is bound to. Null while live, and for tokens revoked before
   * reasons were kept.
   */
  revoked_reason: z.enum(TOKEN_REVOCATION_REASONS).nullable(),
  /** Spec §12: when the token stops working (null: never). Past it the gateway answers `invalid token`. */
  expires_at: unixSeconds.nullable(),
  /** Spec §12: the models the token may call (null: every model). */
  models: z.array(z.string()).nullable(),
});
export type TokenSummary = z.infer<typeof tokenSummary>;

export const tokenListResponse = z.object({ data: z.array(tokenSummary) });
export type TokenListResponse = z.infer<typeof tokenListResponse>;

/** Path id of DELETE /tokens/{id}: a positive integer that fits Postgres `integer`. */
export const tokenIdParams = z.object({
  id: z
    .string()
    .regex(/^[0-9]{1,10}$/, 'INVALID_TOKEN_ID')
    .transform(Number)
    .refine((n) => n > 0 && n <= 2_147_483_647, 'INVALID_TOKEN_ID'),
});
export type TokenIdParams = z.infer<typeof tokenIdParams>;

export const revokeTokenResponse = z.object({ id: z.number().int(), revoked_at: unixSeconds });
export type RevokeTokenResponse = z.infer<typeof revokeTokenResponse>;

/** Token wire format (spec §5): `aius_` + 32 base62 + 6-char base62 CRC-32 checksum. */
export const TOKEN_FORMAT = {
  prefix: 'aius_',
  randomLength: 32,
  checksumLength: 6,
  displayPrefixLength: 12,
  alphabet: BASE62_ALPHABET,
} as const;
