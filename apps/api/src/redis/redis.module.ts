import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service.js';
import { SharedEpochs } from './shared-epoch.js';

@Global()
@Module({ providers: [RedisService, SharedEpochs], exports: [RedisService, SharedEpochs] })
export class RedisModule {}
