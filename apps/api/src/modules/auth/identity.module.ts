import { Module } from '@nestjs/common';
import { SESSION_VERIFIER } from '../../common/principal.js';
import { SessionService } from './session.service.js';
import { UsersService } from './users.service.js';

/**
 * Users and sessions, without the HTTP flows: the piece the two-factor module and the
 * credential guard depend on. Kept apart from AuthModule so that login (which asks the
 * two-factor module for a challenge) and two-factor (which ends sessions) do not form
 * a module cycle.
 */
@Module({
  providers: [SessionService, UsersService, { provide: SESSION_VERIFIER, useExisting: SessionService }],
  exports: [SessionService, UsersService, SESSION_VERIFIER],
})
export class IdentityModule {}
