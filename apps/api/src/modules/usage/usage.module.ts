import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { UsageController } from './usage.controller.js';
import { UsageRecorder } from './usage-recorder.js';
import { UsageRepository } from './usage.repository.js';
import { UsageService } from './usage.service.js';

/** Owns `usage_events` and `usage_daily`: the proxy records through UsageRecorder. */
@Module({
  imports: [ClientsModule],
  controllers: [UsageController],
  providers: [UsageRepository, UsageRecorder, UsageService],
  exports: [UsageRecorder],
})
export class UsageModule {}
