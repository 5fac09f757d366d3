import { Injectable } from '@nestjs/common';
import type { AddMemberRequest, Member, MemberListResponse, RemoveMemberResponse, Role } from '@aius/contracts';
import { type Prisma, PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { UsersService } from '../auth/users.service.js';
import { toUnixSeconds } from './client-records.js';
import { ClientListCache } from './client-list.cache.js';
import { ClientsService, requireRole } from './clients.service.js';
import { MembershipEnd } from './membership-end.js';

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  created_at: Date;
}

const toMember = (r: MemberRow): Member => ({
  user_id: r.user_id,
  email: r.email,
  name: r.name,
  role: r.role,
  created_at: toUnixSeconds(r.created_at),
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
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly lists: ClientListCache,
    private readonly endings: MembershipEnd,
  ) {}

  async listMembers(userId: string, clientId: string): Promise<MemberListResponse> {
    await this.clients.assertMember(userId, clientId);
    const rows = await this.prisma.$queryRaw<MemberRow[]>`
      SELECT u.id AS user_id, u.email, u.name, m.role::text AS role, m.created_at
      FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.client_id = ${clientId}
      ORDER BY m.created_at, u.id`;
    return { data: rows.map(toMember) };
  }

  async addMember(userId: string, clientId: string, input: AddMemberRequest): Promise<Member> {
    const callerRole = await this.clients.assertMember(userId, clientId, 'admin');
    if (input.role === 'owner' && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
    const user = await this.users.findByEmail(input.email);
    if (!user) throw new ApiError('USER_NOT_FOUND');
    const inserted = await this.prisma.$queryRaw<{ created_at: Date }[]>`
      INSERT INTO memberships (client_id, user_id, role) VALUES (${clientId}, ${user.id}, ${input.role}::"role")
      ON CONFLICT DO NOTHING
      RETURNING created_at`;
    if (inserted.length === 0) throw new ApiError('ALREADY_MEMBER');
    await this.lists.changed(user.id);
    return toMember({ user_id: user.id, email: user.email, name: user.name, role: input.role, created_at: inserted[0]!.created_at });
  }

  async updateRole(userId: string, clientId: string, targetId: string, role: Role): Promise<Member> {
    const updated = await this.prisma.$transaction(async (tx) => {
      const callerRole = requireRole(await this.clients.standing(userId, clientId, tx, true), 'admin');
      const target = await this.member(tx, clientId, targetId);
      if ((target.role === 'owner' || role === 'owner') && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
      if (target.role === 'owner' && role !== 'owner') await this.keepAnOwner(tx, clientId);
      await tx.membership.update({ where: { clientId_userId: { clientId, userId: targetId } }, data: { role } });
      return toMember({ ...target, role });
    });
    await this.lists.changed(targetId);
    return updated;
  }

  /**
   * The member's rights that hang off the membership (their tokens bound to this client) end
   * in the same transaction, and every instance has heard of it by the time this answers.
   */
  async removeMember(userId: string, clientId: string, targetId: string): Promise<RemoveMemberResponse> {
    const { removed, announce } = await this.prisma.$transaction(async (tx) => {
      const leaving = targetId === userId;
      const callerRole = requireRole(await this.clients.standing(userId, clientId, tx, true), leaving ? 'member' : 'admin');
      const target = await this.member(tx, clientId, targetId);
      if (target.role === 'owner' && callerRole !== 'owner') throw new ApiError('NO_ACCESS');
      if (target.role === 'owner') await this.keepAnOwner(tx, clientId);
      await tx.membership.delete({ where: { clientId_userId: { clientId, userId: targetId } } });
      const announce = await this.endings.ended(tx, { clientId, userIds: [targetId] });
      return { removed: { removed: true, user_id: targetId } as const, announce };
    });
    // Both wait out the shared epochs' trust window: side by side, not one after the other.
    await Promise.all([this.lists.changed(targetId), announce()]);
    return removed;
  }

  private async member(tx: Prisma.TransactionClient, clientId: string, targetId: string): Promise<MemberRow> {
    const rows = await tx.$queryRaw<MemberRow[]>`
      SELECT u.id AS user_id, u.email, u.name, m.role::text AS role, m.created_at
      FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.client_id = ${clientId} AND m.user_id = ${targetId}`;
    if (rows.length === 0) throw new ApiError('NOT_FOUND');
    return rows[0]!;
  }

  /** Called before an owner stops being one: refuses when they are the only owner left. */
  private async keepAnOwner(tx: Prisma.TransactionClient, clientId: string): Promise<void> {
    const owners = await tx.membership.count({ where: { clientId, role: 'owner' } });
    if (owners <= 1) throw new ApiError('LAST_OWNER');
  }
}
