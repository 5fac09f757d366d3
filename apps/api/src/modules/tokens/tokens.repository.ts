import { Prisma, PrismaService } from '@aius/db';
import { Injectable } from '@nestjs/common';
import type { TokenRevocationReason } from '@aius/contracts';

export interface TokenRecord {
  id: number;
  userId: string;
  clientId: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
  expiresAt: Date | null;
  models: string[] | null;
}

/** What the bearer check keeps of a token (see BearerVerifier). */
export interface TokenGrant {
  id: number;
  userId: string;
  clientId: string;
  revokedAt: Date | null;
  expiresAt: Date | null;
  models: string[] | null;
}

/** A revoked token, as every instance must hear of it (see BearerVerifier.announceRevocations). */
export interface RevokedToken {
  id: number;
  revokedAt: Date;
  tokenHash: string;
}

const PUBLIC_COLUMNS = {
  id: true,
  userId: true,
  clientId: true,
  name: true,
  prefix: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
  revokedReason: true,
  expiresAt: true,
  models: true,
} as const;

/** `models` is written only as a JSON array of strings (see insert); anything else reads as no list. */
const modelList = (value: Prisma.JsonValue | null): string[] | null =>
  Array.isArray(value) && value.every((m) => typeof m === 'string') ? (value as string[]) : null;

const withModels = <T extends { models: Prisma.JsonValue | null }>(row: T): Omit<T, 'models'> & { models: string[] | null } => ({
  ...row,
  models: modelList(row.models),
});

/** The only code that touches `api_tokens`. The hash column is read by nothing but `findByHash`. */
@Injectable()
export class TokensRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(
    input: { userId: string; clientId: string; name: string; tokenHash: string; prefix: string; expiresAt: Date | null; models: string[] | null },
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<TokenRecord> {
    const { models, ...rest } = input;
    const row = await db.apiToken.create({ data: { ...rest, models: models ?? Prisma.DbNull }, select: PUBLIC_COLUMNS });
    return withModels(row);
  }

  async listForUser(userId: string): Promise<TokenRecord[]> {
    const rows = await this.prisma.apiToken.findMany({ where: { userId }, select: PUBLIC_COLUMNS, orderBy: { id: 'asc' } });
    return rows.map(withModels);
  }

  /** Sets revoked_at once: a second call keeps (and returns) the first time. Null when not the user's. */
  async revoke(userId: string, id: number): Promise<(RevokedToken & { clientId: string }) | null> {
    const reason: TokenRevocationReason = 'revoked';
    const rows = await this.prisma.$queryRaw<{ id: number; revoked_at: Date; token_hash: string; client_id: string }[]>`
      UPDATE api_tokens SET revoked_reason = CASE WHEN revoked_at IS NULL THEN ${reason} ELSE revoked_reason END,
                            revoked_at = COALESCE(revoked_at, now())
      WHERE id = ${id} AND user_id = ${userId}
      RETURNING id, revoked_at, token_hash, client_id`;
    const row = rows[0];
    return row ? { id: row.id, revokedAt: row.revoked_at, tokenHash: row.token_hash, clientId: row.client_id } : null;
  }

  /** Revokes the live tokens these users hold for this client, inside the caller's transaction. */
  revokeBoundTo(db: Prisma.TransactionClient, clientId: string, userIds: string[], reason: TokenRevocationReason): Promise<RevokedToken[]> {
    return this.revokeWhere(db, Prisma.sql`client_id = ${clientId} AND user_id = ANY(${userIds}::text[])`, reason);
  }

  /** Every live token of the user, whatever its client (a password reset that asked for it). */
  revokeAllOf(db: Prisma.TransactionClient, userId: string, reason: TokenRevocationReason): Promise<RevokedToken[]> {
    return this.revokeWhere(db, Prisma.sql`user_id = ${userId}`, reason);
  }

  private async revokeWhere(db: Prisma.TransactionClient, which: Prisma.Sql, reason: TokenRevocationReason): Promise<RevokedToken[]> {
    const rows = await db.$queryRaw<{ id: number; revoked_at: Date; token_hash: string }[]>`
      UPDATE api_tokens SET revoked_at = now(), revoked_reason = ${reason}
      WHERE ${which} AND revoked_at IS NULL
      RETURNING id, revoked_at, token_hash`;
    return rows.map((row) => ({ id: row.id, revokedAt: row.revoked_at, tokenHash: row.token_hash }));
  }

  /** The bearer verifier's cold path: one unique-index lookup. */
  async findByHash(tokenHash: string): Promise<TokenGrant | null> {
    const row = await this.prisma.apiToken.findUnique({
      where: { tokenHash },
      select: { id: true, userId: true, clientId: true, revokedAt: true, expiresAt: true, models: true },
    });
    return row ? withModels(row) : null;
  }

  /** One statement for a whole batch of used tokens. */
  async markUsed(ids: number[]): Promise<void> {
    await this.prisma.$executeRaw`UPDATE api_tokens SET last_used_at = now() WHERE id = ANY(${ids}::int[])`;
  }
}
