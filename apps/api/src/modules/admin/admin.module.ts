import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AdminController } from './admin.controller.js';
import { AdminUsersService } from './admin-users.service.js';

/** Instance administration (spec §13): owns no table; users and sessions are identity's, tokens the tokens module's, account creation auth's. */
@Module({
  imports: [IdentityModule, AgentsModule, TokensModule, AuditModule, AuthModule],
  controllers: [AdminController],
  providers: [AdminUsersService],
})
export class AdminModule {}
