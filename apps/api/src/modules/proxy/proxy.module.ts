import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { ChatRoute } from './chat.route.js';
import { ProxyController } from './proxy.controller.js';
import { ProxyService } from './proxy.service.js';
import { UpstreamMeter } from './upstream-meter.js';
import { UpstreamRegistry } from './upstream-registry.js';

/** GET /models and POST /chat/completions (spec §8); metering goes through UsageModule. */
@Module({
  imports: [UsageModule, BillingModule],
  controllers: [ProxyController],
  providers: [UpstreamRegistry, UpstreamMeter, ProxyService, ChatRoute],
  // The run loop calls its upstreams through the same registry (routing, keys, pools) and meter.
  exports: [UpstreamRegistry, UpstreamMeter],
})
export class ProxyModule {}
