import { Module } from '@nestjs/common';
import { SESSION_VERIFIER } from '../../common/principal.js';
import { SessionService } from './session.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Who people are: the `users` and `sessions` tables (each through its repository, used by this
 * module alone) and the session verifier. The bottom of the domain modules: it imports none of
 * them, and login (auth), two-factor, clients, agents and runs build on it.
 */
@Module({
  providers: [UsersRepository, SessionsRepository, UsersService, SessionService, { provide: SESSION_VERIFIER, useExisting: SessionService }],
  exports: [UsersService, SessionService, SESSION_VERIFIER],
})
export class IdentityModule {}
