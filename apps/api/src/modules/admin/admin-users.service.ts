import { Injectable } from '@nestjs/common';
import type { AdminUser, AdminUserListResponse, AdminUsersQuery, CreateUserRequest } from '@aius/contracts';
import { PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { unixSeconds, unixSecondsOrNull } from '../../common/unix-time.js';
import { AgentsService } from '../agents/agents.service.js';
import { AuditLog } from '../audit/audit-log.js';
import { AccountCreation } from '../auth/account-creation.js';
import { SessionService } from '../identity/session.service.js';
import { UsersService } from '../identity/users.service.js';
import type { UserSummary } from '../identity/users.repository.js';
import { TokensService } from '../tokens/tokens.service.js';

const CURSOR = /^(\d+)\.(.+)$/;

/**
 * The instance admins' view of the users (spec §13). Disabling ends every session of the user and
 * revokes every API token of theirs in one transaction, then tells every instance (the tokens'
 * revocation markers and epoch, as DELETE /tokens does) before it answers; sessions are checked
 * in Postgres on every request, so they are over everywhere at once. Enabling lets them log in
 * again; their old tokens stay revoked (`account_disabled`): a departing user's leaked token never
 * comes back. An admin cannot disable themself, so the instance keeps the admin who is acting.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly tokens: TokensService,
    private readonly admins: AgentsService,
    private readonly audit: AuditLog,
    private readonly accounts: AccountCreation,
  ) {}

  async list(caller: Principal, query: AdminUsersQuery): Promise<AdminUserListResponse> {
    await this.admins.assertAdmin(caller.userId);
    const match = query.before === undefined ? null : CURSOR.exec(query.before);
    const before = match ? { createdAt: new Date(Number(match[1])), id: match[2]! } : null;
    const rows = await this.users.search(query.query || undefined, query.limit + 1, before);
    const page = rows.slice(0, query.limit);
    const admins = await this.admins.adminsAmong(page.map((u) => u.email));
    const last = page[page.length - 1];
    return {
      data: page.map((u) => toAdminUser(u, admins.has(u.email))),
      next_before: rows.length > query.limit && last ? `${last.createdAt.getTime()}.${last.id}` : null,
    };
  }

  /** An account made by an admin, whatever SIGNUP_MODE says (under `closed` the only way in). */
  async create(caller: Principal, input: CreateUserRequest, origin: RequestOrigin): Promise<AdminUser> {
    await this.admins.assertAdmin(caller.userId);
    const user = await this.accounts.createByAdmin(input);
    this.audit.record({ action: 'admin.user_created', actorId: caller.userId, targetType: 'user', targetId: user.id, ...origin });
    return this.shown(user);
  }

  async disable(caller: Principal, userId: string, origin: RequestOrigin): Promise<AdminUser> {
    await this.admins.assertAdmin(caller.userId);
    if (userId === caller.userId) throw new ApiError('CANNOT_DISABLE_SELF');
    const { user, announce } = await this.prisma.$transaction(async (tx) => {
      const user = await this.users.setDisabled(tx, userId, true);
      if (!user) throw new ApiError('USER_NOT_FOUND');
      await this.sessions.revokeOthers(userId, undefined, tx);
      return { user, announce: await this.tokens.revokeAllOf(tx, userId, 'account_disabled') };
    });
    await announce();
    this.audit.record({ action: 'admin.user_disabled', actorId: caller.userId, targetType: 'user', targetId: userId, ...origin });
    return this.shown(user);
  }

  async enable(caller: Principal, userId: string, origin: RequestOrigin): Promise<AdminUser> {
    await this.admins.assertAdmin(caller.userId);
    const user = await this.prisma.$transaction((tx) => this.users.setDisabled(tx, userId, false));
    if (!user) throw new ApiError('USER_NOT_FOUND');
    this.audit.record({ action: 'admin.user_enabled', actorId: caller.userId, targetType: 'user', targetId: userId, ...origin });
    return this.shown(user);
  }

  private async shown(user: UserSummary): Promise<AdminUser> {
    return toAdminUser(user, (await this.admins.adminsAmong([user.email])).has(user.email));
  }
}

function toAdminUser(u: UserSummary, isAdmin: boolean): AdminUser {
  return { id: u.id, email: u.email, name: u.name, created_at: unixSeconds(u.createdAt), disabled_at: unixSecondsOrNull(u.disabledAt), is_admin: isAdmin };
}
