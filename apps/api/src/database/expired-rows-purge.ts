import { Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/error-response.js';

/** Rows deleted per statement, so a large backlog never holds locks or bloats one transaction. */
export const PURGE_BATCH = 5_000;

/**
 * Deletes a table's rows whose time has passed, every `intervalMs`, for the module that owns
 * the table (it supplies `deleteBatch`: one DELETE of at most PURGE_BATCH rows, returning how
 * many went). Off the request path; an unreachable database just waits for the next round.
 * Several instances purging at once only delete the same rows twice over: harmless.
 */
export class ExpiredRowsPurge {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running: Promise<number> | null = null;

  constructor(
    private readonly table: string,
    private readonly intervalMs: number,
    private readonly deleteBatch: () => Promise<number>,
  ) {
    this.logger = new Logger(`Purge:${table}`);
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
    if (deleted > 0) this.logger.log(`deleted ${deleted} expired rows`);
    return deleted;
  }
}
