import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module.js';
import { ProxyController } from './proxy.controller.js';
import { ProxyService } from './proxy.service.js';
import { UpstreamRegistry } from './upstream-registry.js';

/** GET /models and POST /chat/completions (spec §8); metering goes through UsageModule. */
@Module({ imports: [UsageModule], controllers: [ProxyController], providers: [UpstreamRegistry, ProxyService] })
export class ProxyModule {}
