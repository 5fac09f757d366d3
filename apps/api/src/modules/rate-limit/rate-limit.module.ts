import { Global, Module } from '@nestjs/common';
import { LoginThrottle } from './login-throttle.service.js';
import { RateLimitService } from './rate-limit.service.js';
import { RateLimitStore } from './rate-limit.store.js';

/** Global: auth (LoginThrottle) and the proxy (RateLimitService.consumeToken) use it. */
@Global()
@Module({ providers: [RateLimitStore, RateLimitService, LoginThrottle], exports: [RateLimitService, LoginThrottle] })
export class RateLimitModule {}
