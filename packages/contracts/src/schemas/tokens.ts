import { z } from 'zod';
import { BASE62_ALPHABET, LIMITS, storable, unixSeconds } from './fields.js';

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
});
export type CreateTokenRequest = z.infer<typeof createTokenRequest>;

export const createTokenResponse = z.object({
  id: z.number().int(),
  token: z.string(),
  token_name: z.string(),
  client_id: z.string(),
  prefix: z.string(),
  created_at: unixSeconds,
});
export type CreateTokenResponse = z.infer<typeof createTokenResponse>;

export const TOKEN_REVOCATION_REASONS = ['revoked', 'membership_ended', 'password_reset'] as const;
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
