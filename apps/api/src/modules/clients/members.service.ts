import { Injectable } from '@nestjs/common';
import type { AddMemberRequest, Member, MemberListResponse, RemoveMemberResponse, Role } from '@aius/contracts';
import { type Prisma, PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';
import { UsersService } from '../identity/users.service.js';
import { ClientListCache } from './client-list.cache.js';
import { ClientsRepository, type MemberRow } from './clients.repository.js';
import { ClientsService, requireRole } from './clients.service.js';
import { MembershipEnd } from './membership-end.js';
import { unixSeconds } from '../../common/unix-time.js';

/** A member row with who they are (from identity). */
const toMember = (r: MemberRow, who: { email: string; name: string }): Member => ({
  user_id: r.user_id,
  email: who.email,
  name: who.name,
  role: r.role,
  created_at: unixSeconds(r.created_at),
});

/**
 * Rules (decided): members see the list; owners and admins add, re-role and remove;
 * only an owner may grant the owner role or change/remove an owner; anyone may leave;
 * a client never loses its last owner. Changes run under a lock on the client row so
 * two owners demoting each other at once cannot both succeed (and so that a token cannot
 * be minted for a membership that is ending: see TokensService.mint).
 */
@Injectable()
export class MembersService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly memberships: ClientsRepository,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly lists: ClientListCache,
    private readonly endings: MembershipEnd,
    private readonly audit: AuditLog,
  ) {}

  async listMembers(userId: string, clientId: string): Promise<MemberListResponse> {
    await this.clients.assertMember(userId, clientId);
    const rows = await this.memberships.members(clientId);
    const who = await this.users.profilesOf(rows.map((r) => r.user_id));
    // A user deleted since the first read has taken their memberships with them.
    return { data: rows.flatMap((r) => (who.has(r.user_id) ? [toMember(r, who.get(r.user_id)!)] : [])) };
  }

  async addMember(userId: string, clientId: string, input: AddMemberRequest, origin: RequestOrigin): Promise<Member> {
    const callerRole = await this.clients.assertMember(userId, clientId, 'admin');
    if (input.role === 'owner' && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
    const user = await this.users.findByEmail(input.email);
    if (!user) throw new ApiError('USER_NOT_FOUND');
    const createdAt = await this.memberships.insertMember(clientId, user.id, input.role);
    if (createdAt === null) throw new ApiError('ALREADY_MEMBER');
    await this.lists.changed(user.id);
    this.audit.record({ action: 'member.added', actorId: userId, clientId, targetType: 'user', targetId: user.id, ...origin });
    return toMember({ user_id: user.id, role: input.role, created_at: createdAt }, user);
  }

  async updateRole(userId: string, clientId: string, targetId: string, role: Role, origin: RequestOrigin): Promise<Member> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const callerRole = requireRole(await this.clients.standing(userId, clientId, tx, true), 'admin');
      const target = await this.member(tx, clientId, targetId);
      if ((target.role === 'owner' || role === 'owner') && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
      if (target.role === 'owner' && role !== 'owner') await this.keepAnOwner(tx, clientId);
      await this.memberships.setRole(tx, clientId, targetId, role);
      return { ...target, role };
    });
    await this.lists.changed(targetId);
    this.audit.record({ action: 'member.role_changed', actorId: userId, clientId, targetType: 'user', targetId, ...origin });
    return toMember(updated, await this.profileOf(targetId));
  }

  /**
   * The member's rights that hang off the membership (their tokens bound to this client) end
   * in the same transaction, and every instance has heard of it by the time this answers.
   */
  async removeMember(userId: string, clientId: string, targetId: string, origin: RequestOrigin): Promise<RemoveMemberResponse> {
    const { removed, announce } = await this.prisma.$transaction(async (tx) => {
      const leaving = targetId === userId;
      const callerRole = requireRole(await this.clients.standing(userId, clientId, tx, true), leaving ? 'member' : 'admin');
      const target = await this.member(tx, clientId, targetId);
      if (target.role === 'owner' && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
      if (target.role === 'owner') await this.keepAnOwner(tx, clientId);
      await this.memberships.deleteMember(tx, clientId, targetId);
      const announce = await this.endings.ended(tx, { clientId, userIds: [targetId] });
      return { removed: { removed: true, user_id: targetId } as const, announce };
    });
    // Both wait out the shared epochs' trust window: side by side, not one after the other.
    await Promise.all([this.lists.changed(targetId), announce()]);
    this.audit.record({ action: targetId === userId ? 'member.left' : 'member.removed', actorId: userId, clientId, targetType: 'user', targetId, ...origin });
    return removed;
  }

  private async member(tx: Prisma.TransactionClient, clientId: string, targetId: string): Promise<MemberRow> {
    const row = await this.memberships.member(tx, clientId, targetId);
    if (!row) throw new ApiError('NOT_FOUND');
    return row;
  }

  private async profileOf(userId: string): Promise<{ email: string; name: string }> {
    const who = (await this.users.profilesOf([userId])).get(userId);
    if (!who) throw new ApiError('NOT_FOUND'); // the account was deleted meanwhile
    return who;
  }

  /** Called before an owner stops being one: refuses when they are the only owner left. */
  private async keepAnOwner(tx: Prisma.TransactionClient, clientId: string): Promise<void> {
    if ((await this.memberships.countOwners(tx, clientId)) <= 1) throw new ApiError('LAST_OWNER');
  }
}
