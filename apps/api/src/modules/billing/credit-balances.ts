import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { RedisService } from '../../redis/redis.service.js';

/** What a hold found: taken (`gen` names the cached balance it was taken from), refused, or no cached balance. */
export type TakeResult = { taken: true; gen: string } | { taken: false } | null;

/** A balance as loaded from the ledger: micro-credits available, and when its period ends (ms). */
export interface LoadedBalance {
  available: number;
  periodEnd: number;
}

// A hold is taken while anything is left (a call may then take the balance below zero: spec §12,
// "only calls already in flight"); a balance whose period is over counts as absent (rebuilt, renewed).
const TAKE = `
local v = redis.call('HMGET', KEYS[1], 'avail', 'end', 'gen')
if not v[1] or tonumber(v[2]) <= tonumber(ARGV[2]) then return false end
if tonumber(v[1]) <= 0 then return {0, v[3]} end
redis.call('HINCRBY', KEYS[1], 'avail', -tonumber(ARGV[1]))
return {1, v[3]}`;
// Loaded only where no current balance is cached (two instances loading at once: the first wins).
const LOAD = `
local e = redis.call('HGET', KEYS[1], 'end')
if e and tonumber(e) > tonumber(ARGV[4]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'avail', ARGV[1], 'end', ARGV[2], 'gen', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;
// A settle applies only to the balance its hold was taken from: a balance rebuilt from the ledger
// meanwhile already reflects what the ledger holds, and must not be refunded a hold it never gave.
const SETTLE = `
if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then redis.call('HINCRBY', KEYS[1], 'avail', ARGV[2]) end
return 0`;

interface Entry {
  available: number;
  periodEnd: number;
  gen: string;
  expiresAt: number;
}

/**
 * The cached balances the hot path reads (spec §12): in Redis, shared by every instance, when it
 * is configured; else, and while Redis is unreachable, in this process. The ledger in Postgres is
 * the truth: a balance is loaded from it when absent, expires after BILLING_CACHE_TTL_SECONDS, and
 * is dropped after an admin change and, for every client this instance served from memory during
 * a Redis outage, once Redis is back (its Redis copy missed those calls).
 */
export class CreditBalances {
  private readonly logger = new Logger('CreditBalances');
  private readonly memory = new Map<string, Entry>();
  private readonly servedFromMemory = new Set<string>();

  constructor(
    private readonly redis: RedisService,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {}

  private key(clientId: string): string {
    return `${this.prefix}credits:${clientId}`;
  }

  private get shared() {
    const client = this.redis.client;
    return client && client.status === 'ready' ? client : null;
  }

  async take(clientId: string, amount: number, now = Date.now()): Promise<TakeResult> {
    const client = this.shared;
    if (client) {
      try {
        this.forgetOutage();
        const r = (await client.eval(TAKE, 1, this.key(clientId), amount, now)) as [number, string] | null;
        return r === null ? null : r[0] === 1 ? { taken: true, gen: r[1] } : { taken: false };
      } catch (error) {
        this.logger.warn(`Redis unreachable for credit balances, deciding in memory: ${String(error)}`);
      }
    }
    if (this.redis.client) this.servedFromMemory.add(clientId);
    const e = this.memory.get(clientId);
    if (!e || e.periodEnd <= now || e.expiresAt <= now) return null;
    if (e.available <= 0) return { taken: false };
    e.available -= amount;
    return { taken: true, gen: e.gen };
  }

  async load(clientId: string, balance: LoadedBalance, now = Date.now()): Promise<void> {
    const gen = randomBytes(6).toString('hex');
    const client = this.shared;
    if (client) {
      try {
        await client.eval(LOAD, 1, this.key(clientId), balance.available, balance.periodEnd, gen, now, this.ttlMs);
        return;
      } catch {
        // fall through to memory
      }
    }
    const e = this.memory.get(clientId);
    if (e && e.periodEnd > now && e.expiresAt > now) return;
    this.memory.set(clientId, { ...balance, gen, expiresAt: now + this.ttlMs });
  }

  /** Gives back what a hold took beyond the call's real cost (or takes the difference, when it cost more). */
  settle(clientId: string, gen: string, refund: number): void {
    if (refund === 0) return;
    const e = this.memory.get(clientId);
    if (e && e.gen === gen) e.available += refund;
    const client = this.shared;
    if (client) client.eval(SETTLE, 1, this.key(clientId), gen, refund).catch(() => undefined);
  }

  /** After an admin change: the next call rebuilds the balance from the ledger. */
  async drop(clientId: string): Promise<void> {
    this.memory.delete(clientId);
    await this.redis.client?.del(this.key(clientId)).catch(() => undefined);
  }

  private forgetOutage(): void {
    if (this.servedFromMemory.size === 0) return;
    const keys = [...this.servedFromMemory].map((c) => this.key(c));
    for (const c of this.servedFromMemory) this.memory.delete(c);
    this.servedFromMemory.clear();
    this.redis.client?.del(...keys).catch(() => undefined);
  }
}
