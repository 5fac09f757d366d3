import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ClientListCache } from './client-list.cache.js';
import { ClientsController } from './clients.controller.js';
import { ClientsRepository } from './clients.repository.js';
import { ClientsService } from './clients.service.js';
import { MembersService } from './members.service.js';
import { MembershipEnd } from './membership-end.js';

/** Owns `clients` and `memberships`; other modules ask ClientsService, never the tables. */
@Module({
  imports: [IdentityModule, AuditModule],
  controllers: [ClientsController],
  providers: [ClientsRepository, ClientsService, MembersService, ClientListCache, MembershipEnd],
  exports: [ClientsService, ClientListCache, MembershipEnd],
})
export class ClientsModule {}
