import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { ProxyModule } from '../proxy/proxy.module.js';
import { UsageModule } from '../usage/usage.module.js';
import { OpenRuns } from './open-runs.js';
import { RunRecorder } from './run-recorder.js';
import { RunSocket } from './run-socket.js';
import { RunsController } from './runs.controller.js';
import { RunsRepository } from './runs.repository.js';
import { RunsService } from './runs.service.js';

/**
 * The run loop (spec §9): the socket, its agent loop and the run history. Owns `runs` and
 * `run_calls`. Credentials, the token quota, upstream routing and metering are the HTTP
 * path's own services, called with plain values.
 */
@Module({
  imports: [AgentsModule, ProxyModule, UsageModule, ClientsModule, IdentityModule],
  controllers: [RunsController],
  providers: [RunsRepository, RunRecorder, OpenRuns, RunSocket, RunsService],
})
export class RunsModule {}
