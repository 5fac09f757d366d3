import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RedisService } from '../../redis/redis.service.js';
import { GCRA_GIVE_BACK_LUA, GCRA_LUA, gcraStep, type GcraResult } from './gcra.js';
import { QuotaCredits } from './quota-credits.js';

type GcraClient = Redis & {
  /** numberOfKeys, keys…, cost, clock ('' = Redis's), then limit, window and credits wanted per key (see GCRA_LUA). */
  gcra(numberOfKeys: number, ...args: (string | number)[]): Promise<number[]>;
  /** key, credits, limit, window (see GCRA_GIVE_BACK_LUA). */
  gcraGiveBack(key: string, credits: number, limit: number, windowMs: number): Promise<number>;
};

/** Numbers per quota in GCRA_LUA's answer. */
const STRIDE = 5;

/** One quota to take from: its key and its limit per window. */
export interface Quota {
  key: string;
  limit: number;
  windowMs: number;
}

const REDIS_RETRY_MS = 1_000;

/**
 * Where limiter state lives: Redis (shared by every instance) while it answers, else this
 * process's memory, with the same GCRA arithmetic. Never throws: a limiter outage must not
 * turn into a 500. Busy quotas far from their limit are mostly decided from credits taken
 * from Redis ahead of time (see QuotaCredits), which costs no round trip.
 */
@Injectable()
export class RateLimitStore implements OnModuleDestroy {
  private readonly prefix: string;
  private readonly client: GcraClient | null;
  /**
   * Per-instance fallback state. Bounded, so a flood of spoofed source addresses during an
   * outage cannot grow memory without limit; an evicted key merely starts a fresh quota.
   */
  private readonly memory = new LRUCache<string, number>({ max: 100_000 });
  private skipRedisUntil = 0;
  private readonly credits: QuotaCredits;
  /**
   * Requests decided, by where: from credits in memory, by a Redis call they waited for, or in
   * this process's memory while Redis is away. Plain counters, read by the metrics at scrape time.
   */
  readonly decisions = { fromCredits: 0, inRedis: 0, inMemory: 0 };

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.prefix = `${config.REDIS_PREFIX}rl:`;
    const client = redis.client as GcraClient | null;
    // defineCommand sends EVALSHA and falls back to EVAL once when Redis lost its script cache.
    client?.defineCommand('gcra', { lua: GCRA_LUA });
    client?.defineCommand('gcraGiveBack', { lua: GCRA_GIVE_BACK_LUA, numberOfKeys: 1 });
    this.client = client;
    this.credits = new QuotaCredits(
      (key, credits, limit, windowMs) => {
        // Lost credits only leave the quota a little short until its TAT passes: nothing to retry.
        client?.gcraGiveBack(key, credits, limit, windowMs).catch(() => {});
      },
      (key, wanted, limit, windowMs) => {
        const at = performance.now();
        // Cost 0: takes nothing but the credits, and refuses nothing.
        client?.gcra(1, key, 0, '', limit, windowMs, wanted).then(
          (flat) => this.credits.granted(key, flat[4]!, { allowed: true, remaining: flat[1]!, resetMs: flat[2]!, retryAfterMs: 0 }, limit, windowMs, at),
          () => this.credits.settled(key),
        );
      },
    );
  }

  onModuleDestroy(): void {
    this.credits.close();
  }

  /**
   * Takes `cost` from the key's quota (0 = look without taking), always where the state lives,
   * never from credits: the per-account login throttle, whose few attempts must each count
   * where every instance sees them. `now` is for tests only.
   */
  async consume(key: string, limit: number, windowMs: number, cost = 1, now?: number): Promise<GcraResult> {
    return (await this.take([{ key, limit, windowMs }], cost, now, false))[0]!;
  }

  /**
   * Takes `cost` from each quota in order, in one atomic step (one Redis round trip), stopping
   * at the first that refuses: the results cover the quotas evaluated, so a shorter array
   * than `quotas` ends with the refusal and the later quotas were not touched.
   * When every quota holds a credit here, the request is let through from memory; otherwise
   * all of them are decided in Redis, which may grant new credits with the decision.
   */
  consumeAll(quotas: readonly Quota[], cost = 1, now?: number): Promise<GcraResult[]> {
    // Credits stand for single requests on the real clock; tests that pass a clock see none.
    return this.take(quotas, cost, now, cost === 1 && now === undefined);
  }

  /**
   * `consumeAll` when it can be decided from credits alone, answered in the same tick: the results
   * when every quota holds a credit here (each allowed), else null (then `consumeAll` decides). The
   * limiter's common case on a busy key, with no promise and no await on the request's path.
   */
  consumeAllFromCredits(quotas: readonly Quota[]): GcraResult[] | null {
    if (!this.client || !this.redis.available || Date.now() < this.skipRedisUntil) return null;
    return this.spendCredits(quotas.map((q) => this.prefix + q.key), performance.now());
  }

  private spendCredits(keys: readonly string[], at: number): GcraResult[] | null {
    if (!keys.every((key) => this.credits.has(key, at))) return null;
    this.decisions.fromCredits++;
    return keys.map((key) => this.credits.spend(key, at));
  }

  private async take(quotas: readonly Quota[], cost: number, now: number | undefined, credited: boolean): Promise<GcraResult[]> {
    if (this.client && this.redis.available && Date.now() >= this.skipRedisUntil) {
      const at = performance.now();
      const keys = quotas.map((q) => this.prefix + q.key);
      const spent = credited ? this.spendCredits(keys, at) : null;
      if (spent) return spent;
      this.decisions.inRedis++;
      try {
        const args: (string | number)[] = [...keys, cost, now ?? ''];
        const wanted = quotas.map((_, i) => (credited && !this.credits.has(keys[i]!, at) ? this.credits.want(keys[i]!, at) : 0));
        for (let i = 0; i < quotas.length; i++) args.push(quotas[i]!.limit, quotas[i]!.windowMs, wanted[i]!);
        const flat = await this.client.gcra(quotas.length, ...args);
        this.redis.reportRecovered();
        const results: GcraResult[] = [];
        for (let i = 0; i + STRIDE - 1 < flat.length; i += STRIDE) {
          const result = { allowed: flat[i] === 1, remaining: flat[i + 1]!, resetMs: flat[i + 2]!, retryAfterMs: flat[i + 3]! };
          const q = quotas[results.length]!;
          if (wanted[results.length]! > 0) this.credits.granted(keys[results.length]!, flat[i + 4]!, result, q.limit, q.windowMs, at);
          results.push(result);
        }
        return results;
      } catch (error) {
        // A stalled Redis keeps its socket open, so ioredis still says 'ready' and every
        // command waits out its timeout: skip Redis for a moment instead of making every
        // request pay that wait, then let one request probe it again.
        this.skipRedisUntil = Date.now() + REDIS_RETRY_MS;
        this.redis.reportOutage(error);
      }
    }
    const at = now ?? Date.now();
    const results: GcraResult[] = [];
    this.decisions.inMemory++;
    for (const q of quotas) {
      const result = this.consumeInMemory(this.prefix + q.key, q.limit, q.windowMs, cost, at);
      results.push(result);
      if (!result.allowed) break;
    }
    return results;
  }

  /**
   * Returns `units` taken by `consume`/`consumeAll` to the key's quota (an attempt reserved
   * before it was judged, that turned out not to be a failure), where the state lives.
   */
  async giveBack(key: string, limit: number, windowMs: number, units = 1): Promise<void> {
    const fullKey = this.prefix + key;
    const tat = this.memory.get(fullKey);
    if (tat !== undefined) {
      const back = tat - (units * windowMs) / limit;
      if (back <= Date.now()) this.memory.delete(fullKey);
      else this.memory.set(fullKey, back, { ttl: Math.max(1, Math.ceil(back - Date.now())) });
    }
    if (!this.client || !this.redis.available) return;
    await this.client.gcraGiveBack(fullKey, units, limit, windowMs).then(
      () => undefined,
      (error: unknown) => this.redis.reportOutage(error),
    );
  }

  /** Forgets a key (a successful login clears its failed-attempt count). */
  async reset(key: string): Promise<void> {
    const fullKey = this.prefix + key;
    this.memory.delete(fullKey);
    this.credits.forget(fullKey);
    if (!this.client || !this.redis.available) return;
    await this.client.del(fullKey).catch((error: unknown) => this.redis.reportOutage(error));
  }

  private consumeInMemory(key: string, limit: number, windowMs: number, cost: number, now: number): GcraResult {
    const { tat, ...result } = gcraStep(this.memory.get(key), now, limit, windowMs, cost);
    if (result.allowed && cost > 0) this.memory.set(key, tat, { ttl: Math.max(1, Math.ceil(tat - now)) });
    return result;
  }
}
