import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module.js';
import { AuditController } from './audit.controller.js';
import { AuditLog } from './audit-log.js';
import { AuditRepository } from './audit.repository.js';

/**
 * Owns `audit_events` (spec §13). Every module that changes something security-relevant imports
 * it and calls `AuditLog.record` after its change commits; it builds only on identity (for the
 * actors' emails when read), so everything above identity may record. Identity itself does not:
 * the flows that end sessions or disable users record for it.
 */
@Module({
  imports: [IdentityModule],
  controllers: [AuditController],
  providers: [AuditRepository, AuditLog],
  exports: [AuditLog],
})
export class AuditModule {}
