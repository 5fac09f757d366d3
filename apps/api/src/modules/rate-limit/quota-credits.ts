import { LRUCache } from 'lru-cache';
import type { GcraResult } from './gcra.js';

/** How long credits may be held; unused ones then go back to the shared quota. */
export const CREDIT_LEASE_MS = 1_000;
/** The most credits one instance asks for at once. */
const MAX_CREDITS = 256;

interface Lease {
  credits: number;
  /** At this many credits left, more are asked for in the background. */
  lowWater: number;
  /** What the shared quota had left when it granted them (the credits excluded). */
  remaining: number;
  /** performance.now() at which the quota is full again, counting every credit as used. */
  fullAt: number;
  interval: number;
  expiresAt: number;
  limit: number;
  windowMs: number;
}

interface Demand {
  /** Credits to ask for with the key's next Redis call. */
  size: number;
  lastAskedAt: number;
  /** A request is asking Redis for credits right now (since then): the others ask for none. */
  askingSince: number | null;
}

/**
 * Requests a hot quota lets through from this instance's memory, with no Redis round trip.
 *
 * Each Redis decision on a busy key also takes a few units more than the request needs (the
 * GCRA script grants them only while the quota is far from its limit: CREDIT_MIN_HEADROOM),
 * and the instance spends those units on the next requests for the key itself. Everything
 * let through was taken from the shared quota first, so instances together never allow more
 * than the limit; near the limit, and for small limits, every request is decided in Redis one
 * at a time, exactly as without credits. Units held here but not spent within
 * CREDIT_LEASE_MS are given back, so an instance that goes quiet holds no one else's share
 * for longer than that. (An instance that dies holding credits leaves the quota that much
 * short until its TAT catches up: at most MAX_CREDITS requests' worth, for at most a window.)
 *
 * How many units to ask for follows the key's traffic on this instance: none for a key seen
 * once, doubling each time the credits run out within a lease (up to MAX_CREDITS), halving
 * each time they are given back unspent; and only one request at a time asks, so a burst of
 * concurrent misses does not grab a share per request. When a lease is down to a quarter,
 * more credits are asked for in the background (a decision that takes nothing but credits),
 * so on a steadily busy key no request waits for Redis, even while Redis is slow for a moment.
 */
export class QuotaCredits {
  private readonly leases = new Map<string, Lease>();
  private readonly demand = new LRUCache<string, Demand>({ max: 100_000 });
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly giveBack: (key: string, credits: number, limit: number, windowMs: number) => void,
    /** Asks Redis for `wanted` credits with no request behind them; the answer goes to `granted`, a failure to `settled`. */
    private readonly topUp: (key: string, wanted: number, limit: number, windowMs: number) => void,
  ) {
    this.sweeper = setInterval(() => this.sweep(performance.now()), CREDIT_LEASE_MS).unref();
  }

  /** True when a request on the key can be let through from memory right now (an expired lease is given back here). */
  has(key: string, now: number): boolean {
    const lease = this.leases.get(key);
    if (!lease) return false;
    if (now < lease.expiresAt && lease.credits > 0) return true;
    this.end(key, lease);
    return false;
  }

  /** Spends one credit (the caller checked `has` in the same tick). */
  spend(key: string, now: number): GcraResult {
    const lease = this.leases.get(key)!;
    lease.credits--;
    if (lease.credits === lease.lowWater) {
      const wanted = this.want(key, now);
      if (wanted > 0) this.topUp(key, wanted, lease.limit, lease.windowMs);
    }
    return {
      allowed: true,
      remaining: lease.remaining + lease.credits,
      resetMs: Math.max(0, Math.ceil(lease.fullAt - lease.credits * lease.interval - now)),
      retryAfterMs: 0,
    };
  }

  /** Credits to ask Redis for with this request's decision on the key. */
  want(key: string, now: number): number {
    const demand = this.demand.get(key);
    if (!demand) {
      this.demand.set(key, { size: 0, lastAskedAt: now, askingSince: null });
      return 0;
    }
    if (demand.askingSince !== null && now - demand.askingSince < CREDIT_LEASE_MS) return 0;
    if (now - demand.lastAskedAt < CREDIT_LEASE_MS) demand.size = Math.min(MAX_CREDITS, Math.max(1, demand.size * 2));
    demand.lastAskedAt = now;
    if (demand.size > 0) demand.askingSince = now;
    return demand.size;
  }

  /**
   * Keeps what Redis granted with a decision (`result` is that decision, credits excluded);
   * called for every Redis decision that asked for credits, granted or not.
   */
  granted(key: string, credits: number, result: GcraResult, limit: number, windowMs: number, now: number): void {
    const demand = this.demand.get(key);
    if (demand) demand.askingSince = null;
    if (credits <= 0) return;
    const total = credits + (this.leases.get(key)?.credits ?? 0);
    this.leases.set(key, {
      credits: total,
      lowWater: Math.floor(total / 4),
      remaining: result.remaining,
      fullAt: now + result.resetMs,
      interval: windowMs / limit,
      expiresAt: now + CREDIT_LEASE_MS,
      limit,
      windowMs,
    });
  }

  /** An ask for credits failed: the next request may ask again. */
  settled(key: string): void {
    const demand = this.demand.get(key);
    if (demand) demand.askingSince = null;
  }

  /** Drops the key's credits without giving them back (the key itself was reset). */
  forget(key: string): void {
    this.leases.delete(key);
    this.demand.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private sweep(now: number): void {
    for (const [key, lease] of this.leases) if (now >= lease.expiresAt) this.end(key, lease);
  }

  private end(key: string, lease: Lease): void {
    this.leases.delete(key);
    if (lease.credits <= 0) return;
    this.giveBack(key, lease.credits, lease.limit, lease.windowMs);
    const demand = this.demand.get(key);
    if (demand) demand.size = Math.floor(demand.size / 2);
  }
}
