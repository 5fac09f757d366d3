import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Prisma, PrismaService, isDatabaseUnavailable } from '@aius/db';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/**
 * Which rows a purge deletes: those past their `expires_at`, after which nothing reads them, or
 * those created more than `olderThanDays` ago (a retention period).
 */
export type PurgeRule = { table: 'sessions' | 'two_factor_challenges' | 'password_resets' | 'invitations' } | { table: 'usage_events' | 'audit_events' | 'mail_outbox'; olderThanDays: number };

/** Rows deleted per statement, so a large backlog never holds locks or bloats one transaction. */
export const PURGE_BATCH = 5_000;

/**
 * The one way to purge a table: the module that owns it asks `ExpiredRowsPurges.for(rule)` in its
 * constructor; every purge runs each EXPIRED_ROWS_PURGE_INTERVAL_SECONDS from the app's start and
 * stops with it.
 */
@Injectable()
export class ExpiredRowsPurges implements OnModuleInit, OnModuleDestroy {
  private readonly purges: ExpiredRowsPurge[] = [];
  private readonly intervalMs: number;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly prisma: PrismaService,
  ) {
    this.intervalMs = config.EXPIRED_ROWS_PURGE_INTERVAL_SECONDS * 1000;
  }

  for(rule: PurgeRule): ExpiredRowsPurge {
    const purge = new ExpiredRowsPurge(this.prisma, rule, this.intervalMs);
    this.purges.push(purge);
    return purge;
  }

  // Every provider has been constructed (and has asked for its purges) before any onModuleInit.
  onModuleInit(): void {
    for (const purge of this.purges) purge.start();
  }

  onModuleDestroy(): void {
    for (const purge of this.purges) purge.stop();
  }
}

/**
 * Deletes a table's rows that its rule says are due, every `intervalMs` (each due column is
 * indexed). Off the request path,
 * PURGE_BATCH rows per statement; an unreachable database just waits for the next round.
 * Several instances purging at once only try to delete the same rows twice over: harmless.
 */
export class ExpiredRowsPurge {
  private readonly logger: Logger;
  private readonly table: string;
  private readonly deleteBatch: () => Promise<number>;
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    prisma: PrismaService,
    rule: PurgeRule,
    private readonly intervalMs: number,
  ) {
    this.table = rule.table;
    this.logger = new Logger(`Purge:${rule.table}`);
    const name = Prisma.raw(rule.table); // one of PurgeRule's literals, never input
    const due = 'olderThanDays' in rule ? Prisma.sql`created_at < now() - make_interval(days => ${rule.olderThanDays})` : Prisma.sql`expires_at < now()`;
    this.deleteBatch = () => prisma.$executeRaw`DELETE FROM ${name} WHERE id IN (SELECT id FROM ${name} WHERE ${due} LIMIT ${PURGE_BATCH})`;
  }

  start(): void {
    this.timer = setInterval(() => void this.run().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One round: batches until a short one. Resolves with the number of rows deleted. */
  run(): Promise<number> {
    this.running ??= this.purge().finally(() => (this.running = null));
    return this.running;
  }

  private async purge(): Promise<number> {
    let deleted = 0;
    try {
      for (;;) {
        const n = await this.deleteBatch();
        deleted += n;
        if (n < PURGE_BATCH) break;
      }
    } catch (error) {
      if (!isDatabaseUnavailable(error)) this.logger.error(`purge of ${this.table} failed: ${(error as Error).message}`);
      throw error;
    }
    if (deleted > 0) this.logger.log(`deleted ${deleted} rows past their time`);
    return deleted;
  }
}
