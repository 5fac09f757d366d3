import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@aius/db';
import type { AuditAction, AuditTargetType } from '@aius/contracts';

/** One event as the writer buffers it (`at`: ms since epoch, when it happened, not when it was written). */
export interface AuditRow {
  action: AuditAction;
  actorId: string | null;
  clientId: string | null;
  targetType: AuditTargetType | null;
  targetId: string | null;
  ip: string | null;
  userAgent: string | null;
  at: number;
}

/** An event as read back. */
export interface StoredAuditEvent extends Omit<AuditRow, 'at' | 'action' | 'targetType'> {
  id: bigint;
  action: string;
  targetType: string | null;
  createdAt: Date;
}

/** Whose events a page reads: a user's own (as actor, or as the user acted on), or a client's. */
export type AuditScope = { userId: string } | { clientId: string };

export interface AuditPageQuery {
  scope: AuditScope;
  limit: number;
  before?: bigint;
  action?: string;
  actorId?: string;
  since?: Date;
  until?: Date;
}

/** The only code that touches `audit_events` (apart from the retention purge it starts). */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One statement for a whole batch (the BatchWriter's `write`). */
  async appendBatch(rows: readonly AuditRow[]): Promise<void> {
    const json = rows.map((r) => ({
      a: r.action,
      ac: r.actorId,
      c: r.clientId,
      tt: r.targetType,
      ti: r.targetId,
      ip: r.ip,
      ua: r.userAgent,
      at: new Date(r.at).toISOString(),
    }));
    await this.prisma.$executeRaw`
      INSERT INTO audit_events (action, actor_id, client_id, target_type, target_id, ip, user_agent, created_at)
      SELECT a, ac, c, tt, ti, ip, ua, at
      FROM jsonb_to_recordset(${JSON.stringify(json)}::jsonb) AS b(a text, ac text, c text, tt text, ti text, ip text, ua text, at timestamptz)`;
  }

  /** Newest first (by id, which follows insertion order), `limit` rows. */
  page(query: AuditPageQuery): Promise<StoredAuditEvent[]> {
    const scope: Prisma.AuditEventWhereInput =
      'userId' in query.scope
        ? { OR: [{ actorId: query.scope.userId }, { targetType: 'user', targetId: query.scope.userId }] }
        : { clientId: query.scope.clientId };
    const createdAt = query.since || query.until ? { ...(query.since ? { gte: query.since } : {}), ...(query.until ? { lt: query.until } : {}) } : undefined;
    return this.prisma.auditEvent.findMany({
      where: {
        AND: [
          scope,
          {
            ...(query.before !== undefined ? { id: { lt: query.before } } : {}),
            ...(query.action ? { action: query.action } : {}),
            ...(query.actorId ? { actorId: query.actorId } : {}),
            ...(createdAt ? { createdAt } : {}),
          },
        ],
      },
      orderBy: { id: 'desc' },
      take: query.limit,
    });
  }
}
