import { Global, Module } from '@nestjs/common';
import { MetricsServer } from './metrics-server.js';
import { MetricsService } from './metrics.service.js';
import { StateCollectors } from './state-collectors.js';

/** Global, so any module can record (the run loop's open sockets) without importing it. */
@Global()
@Module({ providers: [MetricsService, StateCollectors, MetricsServer], exports: [MetricsService] })
export class MetricsModule {}
