import type { RateDecision, RatePolicy } from '../../common/arrival.js';

export type { RateDecision, RatePolicy };

/**
 * Both header styles of spec §7: draft-ietf-httpapi-ratelimit-headers-11 structured fields
 * and the older RateLimit-Limit/-Remaining/-Reset that many clients parse; Retry-After on refusals.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const { policy } = decision;
  const reset = String(Math.ceil(decision.resetMs / 1000));
  const headers: Record<string, string> = {
    'ratelimit-policy': `"${policy.name}";q=${policy.limit};w=${policy.windowSeconds}`,
    ratelimit: `"${policy.name}";r=${decision.remaining};t=${reset}`,
    'ratelimit-limit': String(policy.limit),
    'ratelimit-remaining': String(decision.remaining),
    'ratelimit-reset': reset,
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}

/** Of two decisions on one request, the one the headers should name: refused first, then least headroom. */
export function closerToLimit(a: RateDecision, b: RateDecision): RateDecision {
  if (a.allowed !== b.allowed) return a.allowed ? b : a;
  return b.remaining / b.policy.limit < a.remaining / a.policy.limit ? b : a;
}
