import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RateLimitedError } from './rate-limited.error.js';
import { rateLimitHeaders, type RatePolicy } from './rate-limit-headers.js';
import { RateLimitStore, type Quota } from './rate-limit.store.js';

/**
 * Wrong second-factor codes per account (issue 12): a challenge dies after 5 wrong codes, but
 * whoever knows the password can ask for another, and 2fa/disable and 2fa/recovery-codes
 * were limited only per IP. This counts every code checked for the account, on any route,
 * challenge, IP or instance (Redis, or this process's memory while Redis is away, as the
 * other limits do), against two GCRA quotas: RATE_LIMIT_2FA_FAILURES per
 * RATE_LIMIT_2FA_WINDOW_SECONDS (10 per 15 min: after 10 quick wrong codes, one more per
 * 90 s) and RATE_LIMIT_2FA_DAILY_FAILURES per 24 h (30: then one per 48 min), so the wait
 * grows with the guessing.
 *
 * Like LoginThrottle, an attempt is reserved before the code is checked (a parallel burst
 * cannot all pass the check) and given back when the code was right, so only wrong codes
 * count and a right one leaves the count where it was (an attacker's earlier guesses are
 * not forgiven by the owner's next login).
 */
@Injectable()
export class SecondFactorThrottle {
  private readonly logger = new Logger('SecondFactorThrottle');
  private readonly policies: RatePolicy[];

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.policies = [
      { name: 'per-account-2fa', limit: config.RATE_LIMIT_2FA_FAILURES, windowSeconds: config.RATE_LIMIT_2FA_WINDOW_SECONDS },
      { name: 'per-account-2fa-daily', limit: config.RATE_LIMIT_2FA_DAILY_FAILURES, windowSeconds: 86_400 },
    ];
  }

  /** Reserves one attempt for the account; 429 `rate limit exceeded` (with Retry-After) when either quota is spent. */
  async reserve(userId: string): Promise<void> {
    const results = await this.store.consumeAll(this.quotas(userId));
    const refused = results.findIndex((r) => !r.allowed);
    if (refused === -1) return;
    // Taken from the quotas before the refusing one: not an attempt after all.
    for (const quota of this.quotas(userId).slice(0, refused)) await this.store.giveBack(quota.key, quota.limit, quota.windowMs);
    this.logger.warn(`second-factor attempts of ${userId} locked (${this.policies[refused]!.name})`);
    throw new RateLimitedError(rateLimitHeaders({ ...results[refused]!, policy: this.policies[refused]! }));
  }

  /** The reserved attempt was not a wrong code (right, or never judged): it does not count. */
  async release(userId: string): Promise<void> {
    for (const quota of this.quotas(userId)) await this.store.giveBack(quota.key, quota.limit, quota.windowMs);
  }

  private quotas(userId: string): Quota[] {
    return this.policies.map((p, i) => ({ key: `2fa:${i === 0 ? 'w' : 'd'}:${userId}`, limit: p.limit, windowMs: p.windowSeconds * 1000 }));
  }
}
