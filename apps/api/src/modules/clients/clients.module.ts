import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ClientListCache } from './client-list.cache.js';
import { ClientsController } from './clients.controller.js';
import { ClientsRepository } from './clients.repository.js';
import { ClientsService } from './clients.service.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';
import { MembersService } from './members.service.js';
import { MembershipEnd } from './membership-end.js';
import { MembershipCache } from './membership.cache.js';

/** Owns `clients`, `memberships` and `invitations`; other modules ask ClientsService (or InvitationsService), never the tables. */
@Module({
  imports: [IdentityModule, AuditModule, MailModule],
  controllers: [ClientsController, InvitationsController],
  providers: [ClientsRepository, ClientsService, MembersService, ClientListCache, MembershipCache, MembershipEnd, InvitationsRepository, InvitationsService],
  exports: [ClientsService, ClientListCache, MembershipEnd, InvitationsService],
})
export class ClientsModule {}
