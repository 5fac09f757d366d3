import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ChallengeService } from './challenge.service.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorController } from './two-factor.controller.js';
import { TwoFactorRepository } from './two-factor.repository.js';
import { TwoFactorService } from './two-factor.service.js';

/** Owns `two_factor`, `recovery_codes` and `two_factor_challenges` (TwoFactorRepository). */
@Module({
  imports: [IdentityModule, AuditModule],
  controllers: [TwoFactorController],
  providers: [TwoFactorService, ChallengeService, TwoFactorCrypto, TwoFactorRepository],
  exports: [TwoFactorService, ChallengeService],
})
export class TwoFactorModule {}
