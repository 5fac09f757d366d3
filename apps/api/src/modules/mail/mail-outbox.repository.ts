import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma } from '@aius/db';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';

/** Sent and given-up rows are kept this long (an operator's record of what left), then purged. */
const OUTBOX_RETENTION_DAYS = 30;

/** A mail to send later; `payload` is what the kind's renderer needs, never a secret. */
export interface OutboxEntry {
  kind: string;
  recipient: string;
  payload?: Prisma.InputJsonObject;
  expiresAt?: Date;
}

/** A row claimed for sending. */
export interface ClaimedMail {
  id: bigint;
  kind: string;
  recipient: string;
  payload: Prisma.JsonValue;
  attempts: number;
  expiresAt: Date | null;
}

/** The only code that touches `mail_outbox` (and the purge of old rows it starts). */
@Injectable()
export class MailOutboxRepository {
  readonly purge: ExpiredRowsPurge;

  constructor(
    private readonly prisma: PrismaService,
    purges: ExpiredRowsPurges,
  ) {
    // A row that old was sent, given up or expired long ago (retries end within a day).
    this.purge = purges.for({ table: 'mail_outbox', olderThanDays: OUTBOX_RETENTION_DAYS });
  }

  /** Inside `db`'s transaction when given one, so a mail is queued exactly when its cause commits. */
  async insert(entry: OutboxEntry, db: Prisma.TransactionClient = this.prisma): Promise<void> {
    await db.mailOutbox.create({ data: { kind: entry.kind, recipient: entry.recipient, payload: entry.payload ?? {}, expiresAt: entry.expiresAt ?? null } });
  }

  /**
   * Takes up to `limit` due rows for this sender: each gets one more attempt and its next attempt
   * moved a lease ahead, in one statement that commits at once. SKIP LOCKED lets several
   * instances claim side by side without ever taking the same row; the lease (rather than a lock
   * held while SMTP talks) means a sender that dies mid-send leaves its rows due again later.
   */
  claim(limit: number, leaseMs: number): Promise<ClaimedMail[]> {
    return this.prisma.$queryRaw<ClaimedMail[]>`
      UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ${leaseMs / 1000})
      WHERE id IN (
        SELECT id FROM mail_outbox
        WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED
      )
      RETURNING id, kind, recipient, payload, attempts, expires_at AS "expiresAt"`;
  }

  /** `note`: why a row counts as done without leaving (skipped). */
  async markSent(id: bigint, note: string | null = null): Promise<void> {
    await this.prisma.mailOutbox.update({ where: { id }, data: { sentAt: new Date(), lastError: note } });
  }

  /** Whether another mail of this row's kind went to its recipient within the last `withinMs`. */
  async sentRecently(row: Pick<ClaimedMail, 'id' | 'kind' | 'recipient'>, withinMs: number): Promise<boolean> {
    const found = await this.prisma.mailOutbox.findFirst({
      where: { recipient: row.recipient, kind: row.kind, id: { not: row.id }, sentAt: { gt: new Date(Date.now() - withinMs) }, lastError: null },
      select: { id: true },
    });
    return found !== null;
  }

  async retryLater(id: bigint, delayMs: number, error: string): Promise<void> {
    await this.prisma.mailOutbox.update({ where: { id }, data: { nextAttemptAt: new Date(Date.now() + delayMs), lastError: error } });
  }

  async markFailed(id: bigint, error: string): Promise<void> {
    await this.prisma.mailOutbox.update({ where: { id }, data: { failedAt: new Date(), lastError: error } });
  }
}
