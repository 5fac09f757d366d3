import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { BatchWriter } from '../../database/batch-writer.js';
import { RunsRepository, type RunRecord } from './runs.repository.js';

/** Finished runs are written off the socket's path, batched like usage (same interval and batch size). */
@Injectable()
export class RunRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly writer: BatchWriter<RunRecord>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, repository: RunsRepository) {
    this.writer = new BatchWriter('run records', (rows) => repository.appendBatch(rows), {
      intervalMs: config.USAGE_FLUSH_INTERVAL_MS,
      batch: Math.min(config.USAGE_FLUSH_BATCH, 500),
    });
  }

  onModuleInit(): void {
    this.writer.start();
  }

  record(run: RunRecord): void {
    this.writer.add(run);
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  onModuleDestroy(): Promise<void> {
    return this.writer.stop();
  }
}
