import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

/**
 * The shared Redis connection, or none. Commands fail fast while Redis is down
 * (no offline queue), so callers fall back to their per-instance behaviour instead
 * of waiting; ioredis keeps reconnecting in the background.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  private readonly logger = new Logger('Redis');
  readonly client: Redis | null;
  private readonly subscribers: Redis[] = [];
  private wasReady = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    if (!config.REDIS_URL) {
      this.client = null;
      this.logger.warn('REDIS_URL is not set: rate limits and caches are per instance (in-process)');
      return;
    }
    this.client = this.connect('main');
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
      client.on('ready', () => {
        if (this.wasReady) this.logger.log('Redis is back: shared limits and caches resumed');
        this.wasReady = true;
      });
      client.on('close', () => {
        if (this.wasReady) this.logger.warn('Redis connection lost: falling back to per-instance limits until it returns');
        this.wasReady = false;
      });
    }
    // ioredis emits 'error' on every failed reconnect; the close/ready pair above is the log.
    client.on('error', () => {});
    return client;
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.client, ...this.subscribers].map((c) => c?.quit().catch(() => c.disconnect())));
  }
}
