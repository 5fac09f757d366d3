import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { AgentsController } from './agents.controller.js';
import { AgentsRepository } from './agents.repository.js';
import { AgentsService } from './agents.service.js';

/** Owns `agent_prompts`, `agent_tools`, `agents` and `instance_admins` (spec §10); the run loop reads agents through AgentsService. */
@Module({
  imports: [IdentityModule],
  controllers: [AgentsController],
  providers: [AgentsRepository, AgentsService],
  exports: [AgentsService],
})
export class AgentsModule {}
