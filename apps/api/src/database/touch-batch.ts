import { Logger } from '@nestjs/common';
import { rejectionSummary, writeBatched } from './batched-write.js';

/**
 * "Seen now" marks for rows touched on the request path (a session's last_seen_at), written
 * without a write per request: ids collect in a set that one statement (`write`) flushes every
 * `intervalMs`, and once more at `stop()`. A batch the database could not take waits for the
 * next flush; an id it refuses is dropped alone (writeBatched). So the mark is accurate to one
 * interval.
 */
export class TouchBatch<K> {
  private readonly logger: Logger;
  private pending = new Set<K>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly write: (ids: readonly K[]) => Promise<void>,
    private readonly intervalMs: number,
  ) {
    this.logger = new Logger(`Touch:${what}`);
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  touch(id: K): void {
    this.pending.add(id);
  }

  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const batch = [...this.pending];
    this.pending = new Set();
    this.flushing = writeBatched(batch, (ids) => this.write(ids))
      .then((outcome) => {
        if (outcome.rejected.length > 0) this.logger.error(rejectionSummary(this.what, outcome));
        for (const id of outcome.unwritten) this.pending.add(id);
        if (outcome.outage !== undefined) this.logger.warn(`${this.what}: batch of ${outcome.unwritten.length} not written, retrying next flush: ${String(outcome.outage)}`);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
