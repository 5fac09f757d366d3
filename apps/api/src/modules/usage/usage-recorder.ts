import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PrismaService } from '@aius/db';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { BatchWriter, type BatchStats } from '../../database/batch-writer.js';
import { ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import type { Principal } from '../../common/principal.js';
import { UsageRepository, type UsageEvent } from './usage.repository.js';

/** One metered upstream call, as the chat proxy and the run loop both describe it. */
export interface MeteredCall {
  /** The model id the client asked for (before routing). */
  model: string;
  status: number;
  tokens: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  latencyMs: number;
  projectId?: string | null;
  runId?: string | null;
}

/**
 * Metering off the request path (a BatchWriter: buffered, written in one statement per
 * USAGE_FLUSH_INTERVAL_MS or USAGE_FLUSH_BATCH events, see UsageRepository.appendBatch, and
 * once more when the app shuts down; kept and retried while Postgres is unreachable, and an
 * event Postgres refuses is dropped alone, never with the rest of its batch).
 * Raw events older than USAGE_EVENTS_RETENTION_DAYS are deleted in batches off the request
 * path; the daily rollups that the usage endpoint reads are kept.
 */
@Injectable()
export class UsageRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly writer: BatchWriter<UsageEvent>;
  /** Null when events are kept forever (USAGE_EVENTS_RETENTION_DAYS=0). */
  readonly retention: ExpiredRowsPurge | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    repository: UsageRepository,
    prisma: PrismaService,
  ) {
    this.writer = new BatchWriter('usage events', (rows) => repository.appendBatch(rows), {
      intervalMs: config.USAGE_FLUSH_INTERVAL_MS,
      batch: config.USAGE_FLUSH_BATCH,
    });
    const days = config.USAGE_EVENTS_RETENTION_DAYS;
    this.retention =
      days > 0 ? new ExpiredRowsPurge(prisma, { table: 'usage_events', olderThanDays: days }, config.EXPIRED_ROWS_PURGE_INTERVAL_SECONDS * 1000) : null;
  }

  onModuleInit(): void {
    this.writer.start();
    this.retention?.start();
  }

  /** Meters an upstream call made with an API token (session callers have nothing to meter). */
  recordCall(principal: Principal, call: MeteredCall): void {
    if (principal.tokenId === undefined || principal.tokenClientId === undefined) return;
    this.record({
      tokenId: principal.tokenId,
      userId: principal.userId,
      clientId: principal.tokenClientId,
      projectId: call.projectId ?? null,
      model: call.model,
      promptTokens: call.tokens?.promptTokens ?? 0,
      completionTokens: call.tokens?.completionTokens ?? 0,
      totalTokens: call.tokens?.totalTokens ?? 0,
      latencyMs: Math.round(call.latencyMs),
      status: call.status,
      at: Date.now(),
      runId: call.runId ?? null,
    });
  }

  record(event: UsageEvent): void {
    this.writer.add(event);
  }

  /** Flush outcomes, read by the metrics at scrape time (see BatchWriter.stats). */
  get flushes(): BatchStats {
    return this.writer.stats;
  }

  /** Events waiting to be written, and how long the oldest has waited (0 when none). */
  pending(now = Date.now()): { events: number; oldestAgeMs: number } {
    const { rows, oldestAgeMs } = this.writer.pending(now);
    return { events: rows, oldestAgeMs };
  }

  /** Writes everything buffered so far; resolves when it is in Postgres (or kept for a retry). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  async onModuleDestroy(): Promise<void> {
    this.retention?.stop();
    await this.writer.stop();
  }
}
