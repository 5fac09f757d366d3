import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { rejectionSummary, writeBatched } from '../../database/batched-write.js';
import { TokensRepository } from './tokens.repository.js';

/**
 * Keeps `last_used_at` without a write per request: verified token ids collect in a set
 * that one UPDATE … WHERE id = ANY(…) flushes every TOKEN_LAST_USED_FLUSH_MS. Only the
 * bearer verifier's success path adds to it, so bad credentials write nothing.
 * last_used_at is therefore accurate to one flush interval.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('LastUsed');
  private pending = new Set<number>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokensRepository,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.TOKEN_LAST_USED_FLUSH_MS);
    this.timer.unref();
  }

  touch(tokenId: number): void {
    this.pending.add(tokenId);
  }

  /** Writes the batch collected so far; ids of a batch the database could not take wait for the next one. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending];
    this.pending = new Set();
    this.flushing = writeBatched(batch, (ids) => this.tokens.markUsed([...ids]))
      .then((outcome) => {
        if (outcome.rejected.length > 0) this.logger.error(rejectionSummary('last_used_at updates', outcome));
        for (const id of outcome.unwritten) this.pending.add(id);
        if (outcome.outage !== undefined) {
          this.logger.warn(`last_used_at batch of ${outcome.unwritten.length} not written, retrying next flush: ${String(outcome.outage)}`);
        }
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
