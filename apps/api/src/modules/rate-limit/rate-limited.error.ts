import { ApiError } from '../../common/api-error.js';

/** 429 `rate limit exceeded`, carrying the rate-limit headers (and Retry-After) the filter must send. */
export class RateLimitedError extends ApiError {
  constructor(readonly headers: Record<string, string>) {
    super('RATE_LIMIT_EXCEEDED');
  }
}
