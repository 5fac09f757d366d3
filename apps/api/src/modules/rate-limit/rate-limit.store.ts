import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RedisService } from '../../redis/redis.service.js';
import { GCRA_LUA, gcraStep, type GcraResult } from './gcra.js';

type GcraClient = Redis & {
  gcra(key: string, limit: number, windowMs: number, cost: number, now?: number): Promise<[number, number, number, number]>;
};

const REDIS_RETRY_MS = 1_000;

/**
 * Where limiter state lives: Redis (shared by every instance) while it answers, else this
 * process's memory, with the same GCRA arithmetic. Never throws: a limiter outage must not
 * turn into a 500.
 */
@Injectable()
export class RateLimitStore {
  private readonly prefix: string;
  private readonly client: GcraClient | null;
  /**
   * Per-instance fallback state. Bounded, so a flood of spoofed source addresses during an
   * outage cannot grow memory without limit; an evicted key merely starts a fresh quota.
   */
  private readonly memory = new LRUCache<string, number>({ max: 100_000 });
  private skipRedisUntil = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.prefix = `${config.REDIS_PREFIX}rl:`;
    const client = redis.client as GcraClient | null;
    // defineCommand sends EVALSHA and falls back to EVAL once when Redis lost its script cache.
    client?.defineCommand('gcra', { numberOfKeys: 1, lua: GCRA_LUA });
    this.client = client;
  }

  /** Takes `cost` from the key's quota (0 = look without taking). `now` is for tests only. */
  async consume(key: string, limit: number, windowMs: number, cost = 1, now?: number): Promise<GcraResult> {
    const fullKey = this.prefix + key;
    if (this.client && this.redis.available && Date.now() >= this.skipRedisUntil) {
      try {
        const args: [string, number, number, number, ...number[]] = [fullKey, limit, windowMs, cost];
        if (now !== undefined) args.push(now);
        const [allowed, remaining, resetMs, retryAfterMs] = await this.client.gcra(...args);
        this.redis.reportRecovered();
        return { allowed: allowed === 1, remaining, resetMs, retryAfterMs };
      } catch (error) {
        // A stalled Redis keeps its socket open, so ioredis still says 'ready' and every
        // command waits out its timeout: skip Redis for a moment instead of making every
        // request pay that wait, then let one request probe it again.
        this.skipRedisUntil = Date.now() + REDIS_RETRY_MS;
        this.redis.reportOutage(error);
      }
    }
    return this.consumeInMemory(fullKey, limit, windowMs, cost, now ?? Date.now());
  }

  /** Forgets a key (a successful login clears its failed-attempt count). */
  async reset(key: string): Promise<void> {
    const fullKey = this.prefix + key;
    this.memory.delete(fullKey);
    if (!this.client || !this.redis.available) return;
    await this.client.del(fullKey).catch((error: unknown) => this.redis.reportOutage(error));
  }

  private consumeInMemory(key: string, limit: number, windowMs: number, cost: number, now: number): GcraResult {
    const { tat, ...result } = gcraStep(this.memory.get(key), now, limit, windowMs, cost);
    if (result.allowed && cost > 0) this.memory.set(key, tat, { ttl: Math.max(1, Math.ceil(tat - now)) });
    return result;
  }
}
