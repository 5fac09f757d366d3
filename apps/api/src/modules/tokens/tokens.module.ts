import { Module } from '@nestjs/common';
import { BEARER_VERIFIER } from '../../common/principal.js';
import { AuditModule } from '../audit/audit.module.js';
import { ClientsModule } from '../clients/clients.module.js';
import { BearerVerifier } from './bearer-verifier.js';
import { LastUsedRecorder } from './last-used.recorder.js';
import { TokensController } from './tokens.controller.js';
import { TokensRepository } from './tokens.repository.js';
import { TokensService } from './tokens.service.js';

/** Owns `api_tokens` and provides the credential guard's BEARER_VERIFIER. */
@Module({
  imports: [ClientsModule, AuditModule],
  controllers: [TokensController],
  providers: [
    TokensRepository,
    LastUsedRecorder,
    BearerVerifier,
    { provide: BEARER_VERIFIER, useExisting: BearerVerifier },
    TokensService,
  ],
  exports: [BEARER_VERIFIER, TokensService],
})
export class TokensModule {}
