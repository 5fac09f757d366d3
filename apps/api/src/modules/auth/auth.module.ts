import { Module } from '@nestjs/common';
import { TwoFactorModule } from '../two-factor/two-factor.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { IdentityModule } from './identity.module.js';
import { PasswordHasher } from './password-hasher.js';

/**
 * Register, login (with the 2FA challenge step), me, logout. Re-exports IdentityModule so
 * the global credential guard finds SESSION_VERIFIER and other modules find the users.
 */
@Module({
  imports: [IdentityModule, TwoFactorModule],
  controllers: [AuthController],
  providers: [AuthService, PasswordHasher],
  exports: [IdentityModule, AuthService],
})
export class AuthModule {}
