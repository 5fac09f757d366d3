import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ID_PREFIX, type CreateUserRequest } from '@aius/contracts';
import { PrismaService, isDatabaseUnavailable, refusalOf, type Prisma, type User } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { randomId } from '../../common/random-id.js';
import { ClientsService } from '../clients/clients.service.js';
import { UsersService } from '../identity/users.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordService } from './password.service.js';

const DEFAULT_CLIENT_NAME = 'Personal';

/**
 * How an account comes to exist: by registering, or made by an instance admin (the way in under
 * SIGNUP_MODE=closed). Either way the user owns a default client from the first moment, so every
 * account keeps at least one client (LAST_CLIENT).
 */
@Injectable()
export class AccountCreation {
  private readonly logger = new Logger(AccountCreation.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordHasher,
    private readonly users: UsersService,
    private readonly clients: ClientsService,
    private readonly passwordLinks: PasswordService,
  ) {}

  /** The user and their default client, inside the caller's transaction. */
  async createWithin(tx: Prisma.TransactionClient, input: { email: string; name: string; passwordHash: string }): Promise<User> {
    const user = await this.users.create(tx, { id: randomId(ID_PREFIX.user), ...input });
    const client = await this.clients.createOwned(tx, user.id, DEFAULT_CLIENT_NAME);
    await this.users.setDefaultClient(tx, user.id, client.id);
    return user;
  }

  /**
   * An account made by an admin. Without a password it gets one nobody knows (a random secret,
   * hashed and forgotten) and its owner is mailed a link to choose their own, queued in the same
   * transaction: the account and its mail exist together or not at all.
   */
  async createByAdmin(input: CreateUserRequest): Promise<User> {
    if (await this.users.findByEmail(input.email)) throw new ApiError('EMAIL_ALREADY_EXISTS');
    const passwordHash = await this.passwords.hash(input.password ?? randomBytes(32).toString('base64url'));
    try {
      const user = await this.prisma.$transaction(async (tx) => {
        const user = await this.createWithin(tx, { email: input.email, name: input.name, passwordHash });
        if (input.password === undefined) await this.passwordLinks.queueWelcome(tx, user.email);
        return user;
      });
      if (input.password === undefined) this.passwordLinks.sendQueued();
      return user;
    } catch (error) {
      throw this.refusal(error);
    }
  }

  /** A failed creation as the caller should see it: the unique index settles concurrent creations of one email. */
  refusal(error: unknown): unknown {
    if (error instanceof ApiError) return error;
    if (refusalOf(error) === 'unique') return new ApiError('EMAIL_ALREADY_EXISTS');
    if (isDatabaseUnavailable(error)) return error;
    // The first non-empty line only: Prisma messages go on to quote the query.
    const reason = error instanceof Error ? error.message.split('\n').find((line) => line.trim()) : String(error);
    this.logger.error(`account creation failed: ${reason ?? 'unknown error'}`);
    return new ApiError('REGISTRATION_FAILED');
  }
}
