import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RateLimitedError } from './rate-limited.error.js';
import { rateLimitHeaders, type RatePolicy } from './rate-limit-headers.js';
import { RateLimitStore } from './rate-limit.store.js';

/**
 * Failed logins per account (spec §7: 5 per 15 minutes by default), on top of the per-IP
 * credential limit, so a password spray from many addresses still locks onto one account.
 *
 * An attempt is reserved atomically before the password is checked and refunded by
 * `reset` when it succeeds: checking first and counting after the (slow) argon2 verify
 * would let a parallel burst of guesses all pass the check.
 */
@Injectable()
export class LoginThrottle {
  private readonly policy: RatePolicy;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.policy = {
      name: 'per-account',
      limit: config.RATE_LIMIT_FAILED_LOGINS,
      windowSeconds: config.RATE_LIMIT_FAILED_LOGIN_WINDOW_SECONDS,
    };
  }

  /** Reserves one attempt for this email; throws 429 `rate limit exceeded` (with Retry-After) when none is left. */
  async assertAllowed(email: string): Promise<void> {
    const result = await this.store.consume(this.key(email), this.policy.limit, this.policy.windowSeconds * 1000);
    if (!result.allowed) throw new RateLimitedError(rateLimitHeaders({ ...result, policy: this.policy }));
  }

  /** The password was right: the attempts reserved so far were not failures. */
  async reset(email: string): Promise<void> {
    await this.store.reset(this.key(email));
  }

  /** Keyed by a digest of the lower-cased email, so Redis never holds addresses. */
  private key(email: string): string {
    return `login:${createHash('sha256').update(email.trim().toLowerCase()).digest('base64url').slice(0, 32)}`;
  }
}
