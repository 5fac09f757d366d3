import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { ChallengeService } from './challenge.service.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorController } from './two-factor.controller.js';
import { TwoFactorService } from './two-factor.service.js';

@Module({
  imports: [IdentityModule, AuditModule],
  controllers: [TwoFactorController],
  providers: [TwoFactorService, ChallengeService, TwoFactorCrypto],
  exports: [TwoFactorService, ChallengeService],
})
export class TwoFactorModule {}
