import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { isDatabaseUnavailable } from '../../common/error-response.js';
import { ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import { PrismaService } from '../../database/prisma.service.js';
import { UsageRepository, type UsageEvent } from './usage.repository.js';

/** While Postgres is away, keep at most this many events; older ones are dropped (and logged). */
const MAX_PENDING = 200_000;

/**
 * Metering off the request path: `record()` only appends to an in-memory buffer. The buffer is
 * written every USAGE_FLUSH_INTERVAL_MS, or as soon as it holds USAGE_FLUSH_BATCH events, in one
 * statement (see UsageRepository.appendBatch), and once more when the app shuts down.
 * One flush runs at a time. If Postgres is unreachable the batch is kept and retried.
 * Raw events older than USAGE_EVENTS_RETENTION_DAYS are deleted in batches off the request
 * path; the daily rollups that the usage endpoint reads are kept.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('UsageRecorder');
  private buffer: UsageEvent[] = [];
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;
  /** Flush outcomes, read by the metrics at scrape time; `lagMs`: age of the oldest event of the last batch written. */
  readonly flushes = { batches: 0, events: 0, failures: 0, dropped: 0, lagMs: 0 };
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

  /** Events waiting to be written, and how long the oldest has waited (0 when none). */
  pending(now = Date.now()): { events: number; oldestAgeMs: number } {
    const oldest = this.buffer[0];
    return { events: this.buffer.length, oldestAgeMs: oldest ? now - oldest.at : 0 };
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
    try {
      while (batch.length > 0) {
        const slice = batch.slice(0, this.config.USAGE_FLUSH_BATCH);
        await this.repository.appendBatch(slice);
        this.flushes.batches++;
        this.flushes.events += slice.length;
        this.flushes.lagMs = Date.now() - slice[0]!.at;
        batch = batch.slice(this.config.USAGE_FLUSH_BATCH);
      }
    } catch (error) {
      this.flushes.failures++;
      if (!isDatabaseUnavailable(error)) {
        this.flushes.dropped += batch.length;
        this.logger.error(`dropping ${batch.length} usage events: ${(error as Error).message}`);
        return;
      }
      const kept = [...batch, ...this.buffer];
      const dropped = Math.max(0, kept.length - MAX_PENDING);
      this.buffer = dropped > 0 ? kept.slice(dropped) : kept;
      this.flushes.dropped += dropped;
      this.logger.warn(`database unreachable, ${this.buffer.length} usage events kept for retry${dropped ? `, ${dropped} dropped` : ''}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.retention?.stop();
    await this.flush();
  }
}
