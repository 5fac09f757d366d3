import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AuditAction, AuditEventWire, AuditLogQuery, AuditLogResponse, AuditTargetType } from '@aius/contracts';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { BatchWriter, type BatchStats } from '../../database/batch-writer.js';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { unixSeconds } from '../../common/unix-time.js';
import { UsersService } from '../identity/users.service.js';
import { AuditRepository, type AuditRow, type AuditScope } from './audit.repository.js';

/**
 * One security event (spec §13). Only ids, the caller's address and user agent: there is no
 * free-text field, so no caller can put a password, a token or a link in the log by mistake.
 */
export interface AuditEntry extends RequestOrigin {
  action: AuditAction;
  /** Who did it; null when nobody signed in did (a failed login, the operator's command line). */
  actorId: string | null;
  /** The client (organization) it happened in, so its owners and admins see it. */
  clientId?: string | null;
  /** What it was done to. A user target also puts the event in that user's own log. */
  targetType?: AuditTargetType;
  targetId?: string | number;
}

/** An event a user caused on their own account (2FA on/off, password changed…), from where they were. */
export function selfEvent(action: AuditAction, userId: string, origin: RequestOrigin): AuditEntry {
  return { action, actorId: userId, ip: origin.ip, userAgent: origin.userAgent };
}

/** Longest stored id, address and user agent: longer values are cut, never refused. */
const ID_MAX = 64;
const IP_MAX = 64;
const USER_AGENT_MAX = 512;

const cut = (value: string | number | null | undefined, max: number): string | null => (value === undefined || value === null ? null : String(value).slice(0, max));

/**
 * The audit log: `record` appends to a BatchWriter (off the request path: one statement per
 * AUDIT_FLUSH_INTERVAL_MS or AUDIT_FLUSH_BATCH events, once more at shutdown; kept and retried
 * while Postgres is unreachable, an event Postgres refuses dropped alone). Call it after the
 * change it describes has committed. Events older than AUDIT_RETENTION_DAYS are purged.
 */
@Injectable()
export class AuditLog implements OnModuleInit, OnModuleDestroy {
  private readonly writer: BatchWriter<AuditRow>;
  /** Null when events are kept forever (AUDIT_RETENTION_DAYS=0). */
  readonly retention: ExpiredRowsPurge | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: AuditRepository,
    private readonly users: UsersService,
    purges: ExpiredRowsPurges,
  ) {
    this.writer = new BatchWriter('audit events', (rows) => repository.appendBatch(rows), {
      intervalMs: config.AUDIT_FLUSH_INTERVAL_MS,
      batch: config.AUDIT_FLUSH_BATCH,
    });
    const days = config.AUDIT_RETENTION_DAYS;
    this.retention = days > 0 ? purges.for({ table: 'audit_events', olderThanDays: days }) : null;
  }

  onModuleInit(): void {
    this.writer.start();
  }

  record(entry: AuditEntry): void {
    this.writer.add({
      action: entry.action,
      actorId: cut(entry.actorId, ID_MAX),
      clientId: cut(entry.clientId, ID_MAX),
      targetType: entry.targetType ?? null,
      targetId: cut(entry.targetId, ID_MAX),
      ip: cut(entry.ip, IP_MAX),
      userAgent: cut(entry.userAgent, USER_AGENT_MAX),
      at: Date.now(),
    });
  }

  /** Writes everything recorded so far; resolves when it is in Postgres (or kept for a retry). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flush outcomes and what waits, for the metrics (see BatchWriter). */
  get writes(): { stats: BatchStats; pending: (now?: number) => { rows: number; oldestAgeMs: number } } {
    return { stats: this.writer.stats, pending: (now) => this.writer.pending(now) };
  }

  /** A page of a user's own events or of a client's, newest first (the caller has checked access). */
  async page(scope: AuditScope, query: AuditLogQuery): Promise<AuditLogResponse> {
    const rows = await this.repository.page({
      scope,
      limit: query.limit + 1,
      before: query.before === undefined ? undefined : BigInt(query.before),
      action: query.action,
      actorId: query.actor_id,
      since: query.since === undefined ? undefined : new Date(query.since * 1000),
      until: query.until === undefined ? undefined : new Date(query.until * 1000),
    });
    const page = rows.slice(0, query.limit);
    const emails = await this.users.emailsOf([...new Set(page.flatMap((r) => (r.actorId ? [r.actorId] : [])))]);
    const data = page.map(
      (r): AuditEventWire => ({
        id: r.id.toString(),
        actor_id: r.actorId,
        actor_email: r.actorId ? (emails.get(r.actorId) ?? null) : null,
        action: r.action as AuditAction,
        client_id: r.clientId,
        target_type: r.targetType as AuditTargetType | null,
        target_id: r.targetId,
        ip: r.ip,
        user_agent: r.userAgent,
        created_at: unixSeconds(r.createdAt),
      }),
    );
    return { data, next_before: rows.length > query.limit ? page[page.length - 1]!.id.toString() : null };
  }

  async onModuleDestroy(): Promise<void> {
    await this.writer.stop();
  }
}
