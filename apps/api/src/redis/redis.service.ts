import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/**
 * The shared Redis connection, or none. Commands fail fast while Redis is down
 * (no offline queue), so callers fall back to their per-instance behaviour instead
 * of waiting; ioredis keeps reconnecting in the background.
 */
const BOOT_WAIT_MS = 2000;

@Injectable()
export class RedisService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  readonly client: Redis | null;
  private readonly subscribers: Redis[] = [];
  /** One log line per outage, whoever notices it first (a dropped socket or a failed command). */
  private outage = false;
  private closing = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (!config.REDIS_URL) {
      this.client = null;
      this.logger.warn('REDIS_URL is not set: rate limits and caches are per instance (in-process)');
      return;
    }
    this.client = this.connect('main');
  }

  /**
   * Boot waits (briefly) for the first connection, so an instance does not start out counting
   * limits in memory while its peers count in Redis. A Redis that is down at boot is an
   * outage like any other: the API starts anyway and switches over when it appears.
   */
  async onModuleInit(): Promise<void> {
    const client = this.client;
    if (!client || client.status === 'ready') return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, BOOT_WAIT_MS);
      client.once('ready', done);
    });
  }

  /** True while the shared connection is up. */
  get available(): boolean {
    return this.client?.status === 'ready';
  }

  /** A dedicated connection for pub/sub (a subscribed connection can run no other commands). */
  createSubscriber(): Redis | null {
    if (!this.config.REDIS_URL) return null;
    const sub = this.connect('subscriber');
    this.subscribers.push(sub);
    return sub;
  }

  private connect(role: string): Redis {
    const client = new Redis(this.config.REDIS_URL!, {
      enableOfflineQueue: role === 'subscriber',
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      lazyConnect: false,
    });
    if (role === 'main') {
      client.on('ready', () => this.reportRecovered());
      client.on('close', () => this.reportOutage());
    }
    // ioredis emits 'error' on every failed reconnect; the close/ready pair above is the log.
    client.on('error', () => {});
    return client;
  }

  /**
   * Callers that fell back because a command failed report it here, so an outage is
   * logged once (not once per request, not once per reconnect attempt).
   */
  reportOutage(error?: unknown): void {
    if (this.outage || this.closing) return;
    this.outage = true;
    const why = error instanceof Error ? ` (${error.message})` : '';
    this.logger.warn(`Redis unreachable${why}: rate limits and caches are per instance until it returns`);
  }

  /**
   * A command succeeded again. Also called by callers, because a Redis that stalled
   * (commands timing out, socket still open) recovers without a new 'ready' event.
   */
  reportRecovered(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('Redis is back: shared limits and caches resumed');
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.all([this.client, ...this.subscribers].map((c) => c?.quit().catch(() => c.disconnect())));
  }
}
