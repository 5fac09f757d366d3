import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@aius/db';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';

/** The only code that touches `password_resets` (and the purge of expired links it starts). */
@Injectable()
export class PasswordResetsRepository {
  readonly purge: ExpiredRowsPurge;

  constructor(
    private readonly prisma: PrismaService,
    purges: ExpiredRowsPurges,
  ) {
    this.purge = purges.for({ table: 'password_resets' });
  }

  /** A new link for the user, voiding every older one still unused (spec §13: a newer link voids older ones). */
  async replace(row: { id: string; userId: string; tokenHash: string; expiresAt: Date }): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.passwordReset.updateMany({ where: { userId: row.userId, usedAt: null }, data: { usedAt: new Date() } }),
      this.prisma.passwordReset.create({ data: row }),
    ]);
  }

  /**
   * Uses the link up inside `tx`: the user it was for, or null when it is unknown, used, voided or
   * expired. The conditional UPDATE is the check, so two submissions of one link cannot both win.
   */
  async consume(tx: Prisma.TransactionClient, tokenHash: string): Promise<string | null> {
    const rows = await tx.$queryRaw<{ user_id: string }[]>`
      UPDATE password_resets SET used_at = now()
      WHERE token_hash = ${tokenHash} AND used_at IS NULL AND expires_at > now()
      RETURNING user_id`;
    return rows[0]?.user_id ?? null;
  }
}
