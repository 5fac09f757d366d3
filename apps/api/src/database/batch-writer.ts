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
/** What a BatchWriter has done so far; `lagMs`: how long the oldest row of the last write had waited. */
export interface BatchStats {
  batches: number;
  rows: number;
  failures: number;
  dropped: number;
  lagMs: number;
}

export class BatchWriter<T> {
  private readonly logger: Logger;
  private buffer: T[] = [];
  /** When the oldest row now buffered was added (0: the buffer is empty). */
  private oldestAt = 0;
  readonly stats: BatchStats = { batches: 0, rows: 0, failures: 0, dropped: 0, lagMs: 0 };
  private flushing: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly what: string,
    private readonly write: (rows: readonly T[]) => Promise<void>,
    /** `onDropped`: rows given up (refused by Postgres, or past MAX_PENDING), for a writer that tracks its rows elsewhere too. */
    private readonly options: { intervalMs: number; batch: number; onDropped?: (rows: readonly T[]) => void },
  ) {
    this.logger = new Logger(`BatchWriter:${what}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  add(row: T): void {
    if (this.buffer.length === 0) this.oldestAt = Date.now();
    this.buffer.push(row);
    if (this.buffer.length >= this.options.batch && !this.flushing) void this.flush();
  }

  /** Writes everything buffered so far; resolves when it is in Postgres (or kept for a retry). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    const since = this.oldestAt;
    this.buffer = [];
    this.oldestAt = 0;
    this.flushing = this.writeAll(batch, since).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Rows waiting to be written, and how long the oldest has waited (0 when none). */
  pending(now = Date.now()): { rows: number; oldestAgeMs: number } {
    return { rows: this.buffer.length, oldestAgeMs: this.buffer.length > 0 ? now - this.oldestAt : 0 };
  }

  private async writeAll(batch: T[], since: number): Promise<void> {
    let writes = 0;
    const outcome = await writeBatched(batch, (rows) => this.write(rows).then(() => void writes++), this.options.batch);
    const written = batch.length - outcome.rejected.length - outcome.unwritten.length;
    this.stats.batches += writes;
    this.stats.rows += written;
    if (written > 0) this.stats.lagMs = Date.now() - since;
    this.stats.dropped += outcome.rejected.length;
    if (outcome.rejected.length > 0 || outcome.unwritten.length > 0) this.stats.failures++;
    if (outcome.rejected.length > 0) {
      this.logger.error(rejectionSummary(this.what, outcome));
      this.options.onDropped?.(outcome.rejected);
    }
    if (outcome.unwritten.length === 0) return;
    const kept = [...outcome.unwritten, ...this.buffer];
    const dropped = Math.max(0, kept.length - MAX_PENDING);
    this.buffer = dropped > 0 ? kept.slice(dropped) : kept;
    if (dropped > 0) this.options.onDropped?.(kept.slice(0, dropped));
    // The kept rows are older than anything added meanwhile.
    this.oldestAt = since;
    this.stats.dropped += dropped;
    this.logger.warn(`database unreachable, ${this.buffer.length} ${this.what} kept for retry${dropped ? `, ${dropped} dropped` : ''}`);
  }
}
