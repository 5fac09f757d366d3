import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { MailModule } from '../mail/mail.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AccountCreation } from './account-creation.js';
import { AccountController } from './account.controller.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordResetsRepository } from './password-resets.repository.js';
import { PasswordService } from './password.service.js';
import { SessionsController } from './sessions.controller.js';

/**
 * The login flows: register (user, default client and session in one transaction), login with
 * the 2FA challenge step, me, logout; password change and forgot → mail → reset (spec §13), which
 * owns `password_resets`. Built on identity (users, sessions), two-factor and clients; only
 * instance administration imports it, to create accounts the way registration does.
 */
@Module({
  imports: [IdentityModule, AgentsModule, TwoFactorModule, ClientsModule, TokensModule, MailModule, AuditModule],
  controllers: [AuthController, AccountController, SessionsController],
  providers: [AuthService, AccountCreation, PasswordHasher, PasswordService, PasswordResetsRepository],
  exports: [AccountCreation],
})
export class AuthModule {}
