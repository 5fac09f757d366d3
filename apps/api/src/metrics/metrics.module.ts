import { Global, Module } from '@nestjs/common';
import { MetricsServer } from './metrics-server.js';
import { MetricsService } from './metrics.service.js';

/** Global, so any module can record (the run loop's open sockets) without importing it. */
@Global()
@Module({ providers: [MetricsService, MetricsServer], exports: [MetricsService] })
export class MetricsModule {}
