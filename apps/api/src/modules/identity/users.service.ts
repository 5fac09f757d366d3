import { Injectable } from '@nestjs/common';
import type { User as WireUser } from '@aius/contracts';
import type { Prisma, User } from '@aius/db';
import { LRUCache } from 'lru-cache';
import { UsersRepository, type UserSummary } from './users.repository.js';
import { unixSeconds } from '../../common/unix-time.js';

/** The users of the instance, for every module that needs one (login, 2FA, members, runs, admins). */
@Injectable()
export class UsersService {
  /**
   * Each user's default client, read once per process: it is set in the registration transaction
   * and never changed, so GET /clients' cold path (every call without Redis) stays one query. A
   * remembered id whose client was deleted since only matches no membership any more, which is
   * what the column's ON DELETE SET NULL would say too.
   */
  private readonly defaultClients = new LRUCache<string, { clientId: string | null }>({ max: 50_000 });

  constructor(private readonly users: UsersRepository) {}

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** `email` is already lower-cased by the contract schema (emails compare case-insensitively). */
  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  /** id → email, for lists that show who did something (the run history). */
  async emailsOf(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    return new Map((await this.users.profiles(ids)).map((r) => [r.id, r.email]));
  }

  /** id → email and name, for member lists. */
  async profilesOf(ids: readonly string[]): Promise<Map<string, { email: string; name: string }>> {
    if (ids.length === 0) return new Map();
    return new Map((await this.users.profiles(ids)).map((r) => [r.id, { email: r.email, name: r.name }]));
  }

  /** The client the user chose as their default (spec §11: listed first), if any. */
  async defaultClientOf(id: string): Promise<string | null> {
    const known = this.defaultClients.get(id);
    if (known) return known.clientId;
    const clientId = await this.users.defaultClientOf(id);
    // A user not yet given one (in the middle of registering) is asked again next time.
    if (clientId !== null) this.defaultClients.set(id, { clientId });
    return clientId;
  }

  /** The admins' users list (spec §13): see UsersRepository.search. */
  search(query: string | undefined, limit: number, before: { createdAt: Date; id: string } | null): Promise<UserSummary[]> {
    return this.users.search(query, limit, before);
  }

  /** Inside the caller's transaction (which also ends the user's sessions and tokens). Null: no such user. */
  setDisabled(tx: Prisma.TransactionClient, id: string, disabled: boolean): Promise<UserSummary | null> {
    return this.users.setDisabled(tx, id, disabled);
  }

  /** Inside the registration transaction: the user, then (once their client exists) their default client. */
  create(tx: Prisma.TransactionClient, user: { id: string; email: string; name: string; passwordHash: string }): Promise<User> {
    return this.users.insert(tx, user);
  }

  setDefaultClient(tx: Prisma.TransactionClient, id: string, clientId: string): Promise<void> {
    return this.users.setDefaultClient(tx, id, clientId);
  }

  /** Inside the caller's transaction, which also ends the user's sessions (password change and reset). */
  setPasswordHash(tx: Prisma.TransactionClient, id: string, passwordHash: string): Promise<void> {
    return this.users.setPasswordHash(tx, id, passwordHash);
  }
}

/** The user object of spec §4. */
export function toWireUser(user: Pick<User, 'id' | 'email' | 'name' | 'createdAt'>): WireUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    provider: 'email',
    provider_id: user.email,
    created_at: unixSeconds(user.createdAt),
  };
}
