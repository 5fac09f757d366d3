import { Module } from '@nestjs/common';
import { IdentityModule } from '../auth/identity.module.js';
import { TwoFactorService } from './two-factor.service.js';

@Module({
  imports: [IdentityModule],
  providers: [TwoFactorService],
  exports: [TwoFactorService],
})
export class TwoFactorModule {}
