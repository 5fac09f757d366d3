import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { rejectionSummary, writeBatched } from '../../database/batched-write.js';
import { ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import { PrismaService } from '../../database/prisma.service.js';
import { UsageRepository, type UsageEvent } from './usage.repository.js';

/** While Postgres is away, keep at most this many events; older ones are dropped (and logged). */
const MAX_PENDING = 200_000;

/**
 * Metering off the request path: `record()` only appends to an in-memory buffer. The buffer is
 * written every USAGE_FLUSH_INTERVAL_MS, or as soon as it holds USAGE_FLUSH_BATCH events, in one
 * statement (see UsageRepository.appendBatch), and once more when the app shuts down.
 * One flush runs at a time. If Postgres is unreachable the batch is kept and retried; an event
 * Postgres refuses is dropped alone, never with the rest of its batch (see writeBatched).
 * Raw events older than USAGE_EVENTS_RETENTION_DAYS are deleted in batches off the request
 * path; the daily rollups that the usage endpoint reads are kept.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('UsageRecorder');
  private buffer: UsageEvent[] = [];
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  /** Null when events are kept forever (USAGE_EVENTS_RETENTION_DAYS=0). */
  readonly retention: ExpiredRowsPurge | null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: UsageRepository,
    prisma: PrismaService,
  ) {
    const days = config.USAGE_EVENTS_RETENTION_DAYS;
    this.retention =
      days > 0 ? new ExpiredRowsPurge(prisma, { table: 'usage_events', olderThanDays: days }, config.EXPIRED_ROWS_PURGE_INTERVAL_SECONDS * 1000) : null;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.USAGE_FLUSH_INTERVAL_MS);
    this.timer.unref();
    this.retention?.start();
  }

  record(event: UsageEvent): void {
    this.buffer.push(event);
    if (this.buffer.length >= this.config.USAGE_FLUSH_BATCH && !this.flushing) void this.flush();
  }

  /** Writes everything buffered so far; resolves when it is in Postgres (or kept for a retry). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async write(batch: UsageEvent[]): Promise<void> {
    const outcome = await writeBatched(batch, (events) => this.repository.appendBatch(events), this.config.USAGE_FLUSH_BATCH);
    if (outcome.rejected.length > 0) this.logger.error(rejectionSummary('usage events', outcome));
    if (outcome.unwritten.length === 0) return;
    const kept = [...outcome.unwritten, ...this.buffer];
    const dropped = Math.max(0, kept.length - MAX_PENDING);
    this.buffer = dropped > 0 ? kept.slice(dropped) : kept;
    this.logger.warn(`database unreachable, ${this.buffer.length} usage events kept for retry${dropped ? `, ${dropped} dropped` : ''}`);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.retention?.stop();
    await this.flush();
  }
}
