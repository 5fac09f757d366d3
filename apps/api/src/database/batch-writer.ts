import { Logger } from '@nestjs/common';
import { rejectionSummary, writeBatched } from './batched-write.js';

/** While Postgres is away, keep at most this many rows; older ones are dropped (and logged). */
const MAX_PENDING = 200_000;

/**
 * Rows written off the request path: `add()` only appends to an in-memory buffer, which is
 * written every `intervalMs`, or as soon as it holds `batch` rows, by `write` (one statement or
 * transaction per batch), and once more by `stop()`. One write runs at a time. While Postgres
 * is unreachable the rows are kept and retried; a row Postgres refuses is dropped alone, never
 * with the rest of its batch (writeBatched), and logged once per flush.
 * Usage metering and run records both go through one of these.
 */
export class BatchWriter<T> {
  private readonly logger: Logger;
  private buffer: T[] = [];
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly what: string,
    private readonly write: (rows: readonly T[]) => Promise<void>,
    private readonly options: { intervalMs: number; batch: number },
  ) {
    this.logger = new Logger(`BatchWriter:${what}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  add(row: T): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.options.batch && !this.flushing) void this.flush();
  }

  /** Writes everything buffered so far; resolves when it is in Postgres (or kept for a retry). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.writeAll(batch).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async writeAll(batch: T[]): Promise<void> {
    const outcome = await writeBatched(batch, this.write, this.options.batch);
    if (outcome.rejected.length > 0) this.logger.error(rejectionSummary(this.what, outcome));
    if (outcome.unwritten.length === 0) return;
    const kept = [...outcome.unwritten, ...this.buffer];
    const dropped = Math.max(0, kept.length - MAX_PENDING);
    this.buffer = dropped > 0 ? kept.slice(dropped) : kept;
    this.logger.warn(`database unreachable, ${this.buffer.length} ${this.what} kept for retry${dropped ? `, ${dropped} dropped` : ''}`);
  }
}
