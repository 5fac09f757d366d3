import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type User } from '@aius/db';

/** A user as the admins' list shows it. */
export type UserSummary = Pick<User, 'id' | 'email' | 'name' | 'createdAt' | 'disabledAt'>;
const SUMMARY = Prisma.sql`id, email, name, created_at AS "createdAt", disabled_at AS "disabledAt"`;

/** The only code that touches `users`. */
@Injectable()
export class UsersRepository {
  constructor(private readonly prisma: PrismaService) {}

  findById(id: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id } });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { email } });
  }

  /** id, email and name of each of these users (those that still exist). */
  profiles(ids: readonly string[]): Promise<Pick<User, 'id' | 'email' | 'name'>[]> {
    return this.prisma.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, email: true, name: true } });
  }

  async defaultClientOf(id: string): Promise<string | null> {
    const row = await this.prisma.user.findUnique({ where: { id }, select: { defaultClientId: true } });
    return row?.defaultClientId ?? null;
  }

  /**
   * Newest first, `limit` rows after the cursor (created_at, id); `query` matches email or name
   * case-insensitively as a plain substring (LIKE's wildcards in it are escaped).
   */
  search(query: string | undefined, limit: number, before: { createdAt: Date; id: string } | null): Promise<UserSummary[]> {
    const like = query ? `%${query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    return this.prisma.$queryRaw<UserSummary[]>`
      SELECT ${SUMMARY} FROM users
      WHERE (${like}::text IS NULL OR email ILIKE ${like} OR name ILIKE ${like})
        AND (${before?.createdAt ?? null}::timestamptz IS NULL OR (created_at, id) < (${before?.createdAt ?? null}::timestamptz, ${before?.id ?? ''}))
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit}`;
  }

  /** Sets (keeping the first time of a repeated disable) or clears disabled_at; the user as it now is, or null when there is none. */
  async setDisabled(tx: Prisma.TransactionClient, id: string, disabled: boolean): Promise<UserSummary | null> {
    const rows = await tx.$queryRaw<UserSummary[]>`
      UPDATE users SET disabled_at = CASE WHEN ${disabled} THEN COALESCE(disabled_at, now()) ELSE NULL END, updated_at = now()
      WHERE id = ${id}
      RETURNING ${SUMMARY}`;
    return rows[0] ?? null;
  }

  insert(tx: Prisma.TransactionClient, data: { id: string; email: string; name: string; passwordHash: string }): Promise<User> {
    return tx.user.create({ data });
  }

  async setDefaultClient(tx: Prisma.TransactionClient, id: string, clientId: string): Promise<void> {
    await tx.user.update({ where: { id }, data: { defaultClientId: clientId } });
  }

  async setPasswordHash(tx: Prisma.TransactionClient, id: string, passwordHash: string): Promise<void> {
    await tx.user.update({ where: { id }, data: { passwordHash } });
  }
}
