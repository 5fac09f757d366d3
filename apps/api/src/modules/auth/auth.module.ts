import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { PasswordHasher } from './password-hasher.js';

/**
 * The login flows: register (user, default client and session in one transaction), login with
 * the 2FA challenge step, me, logout. Built on identity (users, sessions), two-factor and clients;
 * nothing imports it.
 */
@Module({
  imports: [IdentityModule, TwoFactorModule, ClientsModule, AuditModule],
  controllers: [AuthController],
  providers: [AuthService, PasswordHasher],
})
export class AuthModule {}
