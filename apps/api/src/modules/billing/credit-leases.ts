import { LRUCache } from 'lru-cache';
import type { CreditBalances, LeaseRenewal, TakeResult } from './credit-balances.js';

/** A lease is as large as this many of the holds that started it (and at most an eighth of the Redis balance at each take). */
const LEASE_HOLDS = 256;
/** No lease while the Redis balance is under this many holds' worth: near exhaustion every hold is decided in Redis. */
const LEASE_FLOOR_HOLDS = 64;
/** How often an instance confirms the balances its leases came from (and tops up, and gives back idle ones). */
export const LEASE_CHECK_MS = 40;
/** A lease is spent from only while a confirmation sent less than this long ago found its balance current. */
export const LEASE_TRUST_MS = 200;
/** A lease not spent from for this long goes back to its balance. */
export const LEASE_IDLE_MS = 1_000;

/** A chunk of one client's Redis balance that this instance holds calls from in memory. */
export interface Lease {
  readonly clientId: string;
  /** The generation of the balance it was taken from: holds from it carry it, so WRITTEN counts their debits once. */
  readonly gen: string;
  /** Micro-credits left to hold from. */
  left: number;
  /** A full lease: what it was granted first (at most LEASE_HOLDS of the hold that started it); topped up to it from a quarter of it. */
  readonly size: number;
  /** The Redis balance under which the lease is given back (LEASE_FLOOR_HOLDS of that hold). */
  readonly floor: number;
  /** When the balance's period ends (ms since the epoch): after that the balance is renewed, and the lease is over. */
  readonly periodEnd: number;
  /** performance.now() until which the balance it came from is known to be current. */
  trustedUntil: number;
  lastUsed: number;
  /** The renewal awaiting Redis's answer, if one is. */
  renewal?: Promise<void>;
  ended: boolean;
}

/** What a per-call take asks Redis for besides its hold: a lease of `want` micro-credits, if the balance is above `floor`. */
export interface LeaseAsk {
  want: number;
  floor: number;
}

/**
 * Per-instance leases of credit balances (issue 16, item 6): a busy client's holds are taken
 * from a chunk of its Redis balance that this instance took beforehand, in memory, with no Redis
 * command awaited by the call; settles give back into the chunk. Everything held from a lease
 * was taken from the shared balance first, so instances together never hold more than it.
 *
 * - Taken with a per-call hold (the Redis script that takes the hold takes the lease too) once a
 *   client's second call on this instance comes within LEASE_IDLE_MS of its first; at most LEASE_HOLDS
 *   holds' worth, at most an eighth of what the Redis balance has left, and none while that is
 *   under LEASE_FLOOR_HOLDS holds' worth, so near exhaustion every hold is decided in Redis one
 *   at a time, as without leases.
 * - Topped up in the background once down to a quarter; given back (to the same generation of the
 *   balance only, like a settle) after LEASE_IDLE_MS unused, when the Redis balance falls under the
 *   floor, when a hold does not fit (that hold then goes to Redis), and at shutdown.
 * - Ends with its balance. Every LEASE_CHECK_MS one script confirms, for every lease this instance
 *   holds, that the balance it came from is still the one in Redis (not dropped after an admin
 *   change, expired, rebuilt after an outage, or renewed); a lease is spent from only while such
 *   a confirmation, sent less than LEASE_TRUST_MS ago, found it current. So no lease is spent from
 *   later than LEASE_TRUST_MS after its balance was rebuilt, and then at most the lease itself;
 *   the calls it let through meanwhile are in the ledger, and are subtracted from the rebuilt
 *   balance once written (their debits carry the old generation), like calls in flight.
 *   An admin change waits LEASE_TRUST_MS before it answers (CreditGate.dropBalance), so once it
 *   has answered no instance spends a lease of the balance before it.
 * - While Redis is unreachable no lease is spent from, and leases are dropped without being
 *   given back; their clients' Redis balances are rebuilt from the ledger once it answers again.
 *   An instance that dies holding a lease leaves its balance that much short until the balance is
 *   next rebuilt (at most BILLING_CACHE_TTL_SECONDS).
 */
export class CreditLeases {
  private readonly leases = new Map<string, Lease>();
  /** When each client's last per-call hold was decided here, and whether one is asking for a lease now. */
  private readonly seen = new LRUCache<string, { at: number; asking: boolean }>({ max: 100_000 });
  private timer?: NodeJS.Timeout;
  private checking = false;
  private closed = false;
  /** Renewals and give-backs awaiting Redis: shutdown waits for them (a top-up granted meanwhile goes back too). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly balances: CreditBalances) {}

  start(): void {
    this.timer = setInterval(() => this.check(), LEASE_CHECK_MS);
    this.timer.unref();
  }

  /** Holds `amount` from the client's lease, in memory; null when there is no lease to hold it from now. */
  take(clientId: string, amount: number, now = performance.now()): Lease | null {
    const lease = this.leases.get(clientId);
    if (!lease || now >= lease.trustedUntil || !this.balances.sharing || Date.now() >= lease.periodEnd) return null;
    if (lease.left < amount) {
      this.end(lease, true);
      return null;
    }
    lease.left -= amount;
    lease.lastUsed = now;
    // Down to a quarter, or its confirmation late (a busy event loop runs the timer late): renewed now, by no call.
    if (!lease.renewal && (lease.left < lease.size / 4 || now > lease.trustedUntil - LEASE_TRUST_MS / 2)) void this.renew([lease], now);
    return lease;
  }

  /**
   * For a lease whose last confirmation is too old to hold from (its check is late: a busy
   * event loop runs timers late): a confirmation to wait for, shared by every call that finds it
   * so, instead of each call deciding in Redis itself. Undefined when there is no such lease.
   */
  confirming(clientId: string, now = performance.now()): Promise<void> | undefined {
    const lease = this.leases.get(clientId);
    if (!lease || now < lease.trustedUntil || !this.balances.sharing || Date.now() >= lease.periodEnd) return undefined;
    return lease.renewal ?? this.renew([lease], now);
  }

  /** A settled call's refund, into the lease its hold came from; false when that lease is over (refund the balance instead). */
  refund(lease: Lease, amount: number): boolean {
    if (lease.ended) return false;
    lease.left += amount;
    return true;
  }

  /** What a per-call hold of `amount` asks for besides: a lease once the client is busy here, else nothing. */
  ask(clientId: string, amount: number, now = performance.now()): LeaseAsk | undefined {
    if (this.closed || this.leases.has(clientId) || !this.balances.sharing) return undefined;
    const seen = this.seen.get(clientId);
    if (!seen || now - seen.at >= LEASE_IDLE_MS) {
      this.seen.set(clientId, { at: now, asking: false });
      return undefined;
    }
    seen.at = now;
    if (seen.asking) return undefined;
    seen.asking = true;
    return { want: LEASE_HOLDS * amount, floor: LEASE_FLOOR_HOLDS * amount };
  }

  /**
   * A per-call take (sent at `sentAt`, with `ask`) was answered: the balance's generation then,
   * and the lease it granted. A lease of another generation, or of a balance now absent, is over;
   * one of this generation is known current.
   */
  answered(clientId: string, taken: TakeResult, ask: LeaseAsk | undefined, sentAt: number): void {
    if (ask) {
      const seen = this.seen.get(clientId);
      if (seen) seen.asking = false;
    }
    const lease = this.leases.get(clientId);
    if (lease && lease.gen !== taken?.gen) this.end(lease, false);
    else if (lease) lease.trustedUntil = Math.max(lease.trustedUntil, sentAt + LEASE_TRUST_MS);
    if (!taken?.taken || taken.leased <= 0 || !ask) return;
    if (this.closed || this.leases.has(clientId)) {
      this.track(this.balances.giveBack(clientId, taken.gen, taken.leased));
      return;
    }
    this.leases.set(clientId, {
      clientId,
      gen: taken.gen,
      left: taken.leased,
      size: taken.leased,
      floor: ask.floor,
      periodEnd: taken.periodEnd,
      trustedUntil: sentAt + LEASE_TRUST_MS,
      lastUsed: performance.now(),
      ended: false,
    });
  }

  /** The client's balance was rebuilt here (loaded with generation `gen`, or dropped: no generation): a lease of another one is over. */
  rebuilt(clientId: string, gen?: string): void {
    const lease = this.leases.get(clientId);
    if (lease && lease.gen !== gen) this.end(lease, false);
  }

  /** Shutdown: every lease goes back to its balance. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const lease of this.leases.values()) this.end(lease, true);
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private check(): void {
    if (this.leases.size === 0 || this.checking) return;
    const now = performance.now();
    if (!this.balances.sharing) {
      // Redis is unreachable: what the leases took cannot be given back, so their balances are rebuilt once it answers.
      for (const lease of this.leases.values()) {
        this.end(lease, false);
        this.balances.missed(lease.clientId);
      }
      return;
    }
    const live: Lease[] = [];
    for (const lease of this.leases.values()) {
      if (now - lease.lastUsed >= LEASE_IDLE_MS) this.end(lease, true);
      else if (!lease.renewal) live.push(lease);
    }
    if (live.length === 0) return;
    this.checking = true;
    void this.renew(live, now).finally(() => (this.checking = false));
  }

  /** Confirms the leases' balances (sent at `sentAt`), topping up those down to a quarter. */
  private renew(leases: Lease[], sentAt: number): Promise<void> {
    const renewal = this.track(this.renewNow(leases, sentAt));
    for (const lease of leases) lease.renewal = renewal;
    return renewal;
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }

  private async renewNow(leases: Lease[], sentAt: number): Promise<void> {
    const renewals: LeaseRenewal[] = leases.map((lease) => ({
      clientId: lease.clientId,
      gen: lease.gen,
      want: lease.left < lease.size / 4 ? lease.size - lease.left : 0,
      floor: lease.floor,
    }));
    const answers = await this.balances.renew(renewals);
    leases.forEach((lease, i) => {
      lease.renewal = undefined;
      const answer = answers?.[i];
      if (answer === undefined) {
        // The command failed: Redis may have taken the top-up all the same, so the balance is rebuilt once it answers.
        this.end(lease, false);
        this.balances.missed(lease.clientId);
        return;
      }
      if (answer === 'gone') return this.end(lease, false);
      if (answer === 'low') return this.end(lease, true);
      if (lease.ended) {
        if (answer > 0) this.track(this.balances.giveBack(lease.clientId, lease.gen, answer));
        return;
      }
      lease.left += answer;
      lease.trustedUntil = Math.max(lease.trustedUntil, sentAt + LEASE_TRUST_MS);
    });
  }

  /** Ends the lease; `giveBack`: what is left of it goes back to its balance (if that is still the same generation). */
  private end(lease: Lease, giveBack: boolean): void {
    lease.ended = true;
    if (this.leases.get(lease.clientId) === lease) this.leases.delete(lease.clientId);
    const left = lease.left;
    lease.left = 0;
    if (giveBack && left !== 0) void this.track(this.balances.giveBack(lease.clientId, lease.gen, left));
  }
}
