import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@aius/db';

/** A session row as the credential check reads it. */
export interface SessionState {
  userId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** The only code that touches `sessions` (apart from the expired-rows purge it starts). */
@Injectable()
export class SessionsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Inside `db`'s transaction when given one (registration creates user and session together). */
  async insert(
    data: { id: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<void> {
    await db.session.create({ data });
  }

  find(id: string): Promise<SessionState | null> {
    return this.prisma.session.findUnique({ where: { id }, select: { userId: true, expiresAt: true, revokedAt: true } });
  }

  async revoke(id: string): Promise<void> {
    await this.prisma.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Every live session of the user but `keepId`, inside `db`'s transaction when given one; how many ended. */
  async revokeAllBut(userId: string, keepId: string | undefined, db: Prisma.TransactionClient = this.prisma): Promise<number> {
    const { count } = await db.session.updateMany({
      where: { userId, revokedAt: null, ...(keepId ? { id: { not: keepId } } : {}) },
      data: { revokedAt: new Date() },
    });
    return count;
  }

  /** One of the user's live sessions; false when it is not theirs, unknown or already over. */
  async revokeOwned(userId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.session.updateMany({ where: { id, userId, revokedAt: null, expiresAt: { gt: new Date() } }, data: { revokedAt: new Date() } });
    return count === 1;
  }

  /** The user's live sessions, most recently active first. */
  listLive(userId: string): Promise<{ id: string; createdAt: Date; lastSeenAt: Date | null; ip: string | null; userAgent: string | null }[]> {
    return this.prisma.session.findMany({
      where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true, createdAt: true, lastSeenAt: true, ip: true, userAgent: true },
      orderBy: [{ lastSeenAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
    });
  }

  /** One statement for a whole batch of sessions seen since the last flush. */
  async markSeen(ids: readonly string[]): Promise<void> {
    await this.prisma.$executeRaw`UPDATE sessions SET last_seen_at = now() WHERE id = ANY(${[...ids]}::text[])`;
  }
}
