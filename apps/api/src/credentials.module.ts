import { Global, Module } from '@nestjs/common';
import { CredentialCheck } from './common/credential-check.js';
import { IdentityModule } from './modules/identity/identity.module.js';
import { TokensModule } from './modules/tokens/tokens.module.js';

/**
 * The credential rules with both verifiers: sessions from identity, bearers from tokens. Wired
 * here, beside AppModule, because it joins two domain modules; global, so the routes served
 * outside Nest's router (chat, artifact upload) and the run socket inject CredentialCheck
 * without importing anything above them.
 */
@Global()
@Module({ imports: [IdentityModule, TokensModule], providers: [CredentialCheck], exports: [CredentialCheck] })
export class CredentialsModule {}
