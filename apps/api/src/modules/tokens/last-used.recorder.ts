import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { TouchBatch } from '../../database/touch-batch.js';
import { TokensRepository } from './tokens.repository.js';

/**
 * Keeps `last_used_at` without a write per request: verified token ids collect in a set
 * that one UPDATE … WHERE id = ANY(…) flushes every TOKEN_LAST_USED_FLUSH_MS. Only the
 * bearer verifier's success path adds to it, so bad credentials write nothing.
 * last_used_at is therefore accurate to one flush interval.
 */
@Injectable()
export class LastUsedRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly batch: TouchBatch<number>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, tokens: TokensRepository) {
    this.batch = new TouchBatch('last_used_at updates', (ids) => tokens.markUsed([...ids]), config.TOKEN_LAST_USED_FLUSH_MS);
  }

  onModuleInit(): void {
    this.batch.start();
  }

  touch(tokenId: number): void {
    this.batch.touch(tokenId);
  }

  /** Writes the batch collected so far; ids of a batch the database could not take wait for the next one. */
  flush(): Promise<void> {
    return this.batch.flush();
  }

  onModuleDestroy(): Promise<void> {
    return this.batch.stop();
  }
}
