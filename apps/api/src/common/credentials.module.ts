import { Module } from '@nestjs/common';
import { IdentityModule } from '../modules/auth/identity.module.js';
import { TokensModule } from '../modules/tokens/tokens.module.js';
import { CredentialCheck } from './credential-check.js';

/** The credential rules with both verifiers (sessions from identity, bearers from tokens). */
@Module({ imports: [IdentityModule, TokensModule], providers: [CredentialCheck], exports: [CredentialCheck] })
export class CredentialsModule {}
