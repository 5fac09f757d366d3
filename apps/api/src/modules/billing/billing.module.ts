import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { BillingController } from './billing.controller.js';
import { BillingRepository } from './billing.repository.js';
import { BillingService } from './billing.service.js';
import { CreditGate } from './credit-gate.js';

/** Owns `billing_accounts` and `credit_transactions` (spec §12); metered calls hold and settle through CreditGate. */
@Module({
  imports: [ClientsModule, AgentsModule, AuditModule],
  controllers: [BillingController],
  providers: [BillingRepository, CreditGate, BillingService],
  exports: [CreditGate],
})
export class BillingModule {}
