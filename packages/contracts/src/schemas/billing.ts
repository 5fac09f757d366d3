import { z } from 'zod';
import { LIMITS, storable, unixSeconds } from './fields.js';
import { dayOrSeconds } from './usage.js';

/**
 * Credits and budgets (spec §12). 1 credit = $0.01. Amounts on the wire are credits as decimal
 * numbers, exact to a millionth of a credit (the ledger keeps integer micro-credits, so a call
 * costing a fraction of a cent is billed what it cost, not rounded to a whole credit).
 */
export const BILLING_MODES = ['off', 'credits'] as const;
export type BillingMode = (typeof BILLING_MODES)[number];

export const CREDIT_KINDS = ['grant', 'usage', 'renewal', 'adjustment'] as const;
export type CreditKind = (typeof CREDIT_KINDS)[number];

/** Largest amount one grant may add or take (credits): a typo must not mint a fortune. */
export const MAX_GRANT_CREDITS = 100_000_000;

const credits = z.number();

export const subscriptionResponse = z.object({
  org_id: z.string(),
  plan_name: z.string(),
  /** Always `active` while the instance bills in credits (no payment provider can lapse it). */
  status: z.literal('active'),
  monthly_quota_credits: credits,
  current_period_start: unixSeconds,
  current_period_end: unixSeconds,
});
export type SubscriptionResponse = z.infer<typeof subscriptionResponse>;

export const creditsResponse = z.object({
  org_id: z.string(),
  /** What is left of this period's plan quota (spent first). */
  quota_remaining: credits,
  /** Top-ups (grants) never expire; may go below zero only by calls that were already in flight. */
  topup_balance: credits,
  total: credits,
  current_period_end: unixSeconds,
});
export type CreditsResponse = z.infer<typeof creditsResponse>;

export const creditTransaction = z.object({
  id: z.string(),
  kind: z.enum(CREDIT_KINDS),
  /** Signed: a grant or a renewal adds, a call's usage takes. */
  amount: credits,
  /** quota_remaining + topup_balance after this entry. */
  balance_after: credits,
  model: z.string().nullable(),
  run_id: z.string().nullable(),
  /** Added to spec §12: the call's cost is its hold, because its real usage could not be read (e.g. the client hung up). */
  estimated: z.boolean(),
  /** Added to spec §12: an admin's note on a grant. */
  note: z.string().nullable(),
  created_at: unixSeconds,
});
export type CreditTransaction = z.infer<typeof creditTransaction>;

/** Newest first; `before`: the `next_before` of the previous page (a transaction id). */
export const transactionsQuery = z.object({
  limit: z.coerce.number({ error: 'INVALID_REQUEST' }).int('INVALID_REQUEST').min(1, 'INVALID_REQUEST').max(100, 'INVALID_REQUEST').default(50),
  before: z.string().max(20, 'INVALID_REQUEST').regex(/^[1-9][0-9]*$/, 'INVALID_REQUEST').optional(),
});
export type TransactionsQuery = z.infer<typeof transactionsQuery>;

export const transactionListResponse = z.object({ data: z.array(creditTransaction), next_before: z.string().nullable() });
export type TransactionListResponse = z.infer<typeof transactionListResponse>;

/** Added to spec §12: credits spent on calls per UTC day, `from`/`to` as GET /usage takes them (default the last 30 days). */
export const creditsDailyQuery = z.object({ from: dayOrSeconds, to: dayOrSeconds });
export type CreditsDailyQuery = z.infer<typeof creditsDailyQuery>;

export const creditsDailyResponse = z.object({
  org_id: z.string(),
  /** Every day of the range, zeros included; `spent` is what the day's calls cost (their `usage` entries). */
  daily: z.array(z.object({ date: z.string(), spent: credits })),
  total_spent: credits,
});
export type CreditsDailyResponse = z.infer<typeof creditsDailyResponse>;

/** A grant adds top-up credits; a negative amount takes some back (an adjustment by an admin). */
export const grantCreditsRequest = z.object({
  amount: z
    .number({ error: 'INVALID_REQUEST' })
    .refine((n) => Number.isFinite(n) && n !== 0 && Math.abs(n) <= MAX_GRANT_CREDITS, 'INVALID_REQUEST')
    .refine((n) => Math.abs(Math.round(n * 1e6) - n * 1e6) < 1e-3, 'INVALID_REQUEST'),
  note: z.string({ error: 'INVALID_REQUEST' }).trim().max(LIMITS.name, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST').nullish(),
});
export type GrantCreditsRequest = z.infer<typeof grantCreditsRequest>;

/** The header that makes a grant safe to retry (decided; `Idempotency-Key`, as in draft-ietf-httpapi-idempotency-key-header and Stripe). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Longest idempotency key (Stripe's limit): long enough for a UUID, a webhook event id or a script's own label. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/**
 * The grant's headers: an optional `Idempotency-Key` (1–255 printable ASCII characters, as header
 * values are). A grant retried with the same key for the same client answers the transaction the
 * first one wrote and credits nothing more; the same key with another amount or note is refused
 * (IDEMPOTENCY_KEY_REUSED).
 */
export const grantCreditsHeaders = z.object({
  [IDEMPOTENCY_KEY_HEADER]: z
    .string({ error: 'INVALID_REQUEST' })
    .min(1, 'INVALID_REQUEST')
    .max(MAX_IDEMPOTENCY_KEY_LENGTH, 'INVALID_REQUEST')
    .regex(/^[\x20-\x7e]+$/, 'INVALID_REQUEST')
    .optional(),
});
export type GrantCreditsHeaders = z.infer<typeof grantCreditsHeaders>;

export const setPlanRequest = z.object({
  plan_name: z.string({ error: 'INVALID_REQUEST' }).trim().min(1, 'INVALID_REQUEST').max(LIMITS.name, 'INVALID_REQUEST').refine(storable, 'INVALID_REQUEST'),
  monthly_quota_credits: z
    .number({ error: 'INVALID_REQUEST' })
    .refine((n) => Number.isFinite(n) && n >= 0 && n <= MAX_GRANT_CREDITS, 'INVALID_REQUEST'),
});
export type SetPlanRequest = z.infer<typeof setPlanRequest>;
