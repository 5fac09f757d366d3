import { Global, Module } from '@nestjs/common';
import { LoginThrottle } from './login-throttle.service.js';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitStore } from './rate-limit.store.js';
import { SecondFactorThrottle } from './second-factor-throttle.service.js';

/** Global: auth (LoginThrottle), two-factor (SecondFactorThrottle) and the proxy (RateLimitService.consumeToken) use it. */
@Global()
@Module({
  providers: [RateLimitStore, RateLimitService, LoginThrottle, SecondFactorThrottle],
  exports: [RateLimitService, LoginThrottle, SecondFactorThrottle],
})
export class RateLimitModule {}
