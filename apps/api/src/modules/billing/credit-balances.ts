import type { Redis } from 'ioredis';
import type { RedisService } from '../../redis/redis.service.js';

/**
 * What a hold found: taken (`gen` names the cached balance it was taken from; `leased`: what it
 * took besides for a lease, see CreditLeases; `periodEnd`: when the balance's period ends, ms),
 * refused, or no cached balance.
 */
export type TakeResult = { taken: true; gen: string; leased: number; periodEnd: number } | { taken: false; gen: string } | null;

/** A lease asking its balance whether it is still current (`gen`), and for `want` more while it is above `floor`. */
export interface LeaseRenewal {
  clientId: string;
  gen: string;
  want: number;
  floor: number;
}

/** A renewal's answer: what was added to the lease (0 or more); 'gone': its balance was rebuilt; 'low': the balance is under its floor. */
export type RenewalAnswer = number | 'gone' | 'low';

/**
 * A balance as read from the ledger: micro-credits available (less this instance's costs not yet
 * written), when its period ends (ms), and the ledger's version it was read at (the client's
 * newest ledger row id: rows of one client are written under its account lock, so ids grow in
 * commit order).
 */
export interface LoadedBalance {
  available: number;
  periodEnd: number;
  version: bigint;
  gen: string;
}

/** How a load went: installed; not needed (a current balance is cached); or refused, read before a newer write. */
export type LoadResult = 'loaded' | 'current' | 'stale';

/**
 * A written debit, as the cached balance must account for it: its cost counts once in a balance
 * taken by its hold (`gen`), subtracted as unwritten when the balance was loaded (`countedIn`: those
 * balances' gens, comma-separated, '' for none), or read from a ledger that already held it (the
 * balance's version is at least the write's).
 */
export interface WrittenCost {
  gen: string;
  countedIn: string;
  amount: number;
}

// A hold is taken while anything is left (a call may then take the balance below zero: spec §12,
// "only calls already in flight"); a balance whose period is over counts as absent (rebuilt, renewed).
// With ARGV[3] > 0 a lease is taken too (CreditLeases): at most ARGV[3] and an eighth of what is
// left after the hold, and none unless what is left after the lease is ARGV[4] (the floor) or more.
const TAKE = `
local v = redis.call('HMGET', KEYS[1], 'avail', 'end', 'gen')
if not v[1] or tonumber(v[2]) <= tonumber(ARGV[2]) then return false end
local avail = tonumber(v[1])
if avail <= 0 then return {0, v[3]} end
avail = avail - tonumber(ARGV[1])
local lease = 0
if tonumber(ARGV[3]) > 0 then
  lease = math.min(tonumber(ARGV[3]), math.floor(avail / 8))
  if avail - lease < tonumber(ARGV[4]) then lease = 0 end
end
redis.call('HINCRBY', KEYS[1], 'avail', -(tonumber(ARGV[1]) + lease))
return {1, v[3], lease, v[2]}`;
// For each lease (KEYS[i]; ARGV: now, then gen, want, floor per lease): -1 when the balance it came
// from is gone (dropped, expired, rebuilt with another gen, or its period is over), -2 when that
// balance is under the floor (the lease goes back), else what it took for the lease (0 when it
// wanted nothing): at most what was wanted and an eighth of the balance, leaving the floor.
const LEASES = `
local now = tonumber(ARGV[1])
local out = {}
for i, key in ipairs(KEYS) do
  local v = redis.call('HMGET', key, 'avail', 'end', 'gen')
  local want = tonumber(ARGV[3 * i])
  if not v[1] or v[3] ~= ARGV[3 * i - 1] or tonumber(v[2]) <= now then out[i] = -1
  elseif tonumber(v[1]) < tonumber(ARGV[3 * i + 1]) then out[i] = -2
  else
    local lease = math.min(want, math.floor(tonumber(v[1]) / 8))
    if tonumber(v[1]) - lease < tonumber(ARGV[3 * i + 1]) then lease = 0 end
    if lease > 0 then redis.call('HINCRBY', key, 'avail', -lease) end
    out[i] = lease
  end
end
return out`;
// Loaded only where no current balance is cached (two instances loading at once: the first wins),
// and never from a ledger read older than a write the cache was told of meanwhile ('wver').
const LOAD = `
local v = redis.call('HMGET', KEYS[1], 'end', 'wver')
if v[1] and tonumber(v[1]) > tonumber(ARGV[4]) then return 0 end
if v[2] and tonumber(v[2]) > tonumber(ARGV[6]) then return -1 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'avail', ARGV[1], 'end', ARGV[2], 'gen', ARGV[3], 'ver', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;
// A settle applies only to the balance its hold was taken from: a balance rebuilt from the ledger
// meanwhile already reflects what the ledger holds, and must not be refunded a hold it never gave.
const SETTLE = `
if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then redis.call('HINCRBY', KEYS[1], 'avail', ARGV[2]) end
return 0`;
// Debits just written (ARGV[1]: the ledger version after them; then gen, countedIn, amount per
// debit): each must count exactly once in the cached balance (see WrittenCost). With no balance
// cached, the version is remembered, so a load read before this write is refused.
const WRITTEN = `
local v = redis.call('HMGET', KEYS[1], 'avail', 'gen', 'ver', 'wver')
if not v[1] then
  if not v[4] or tonumber(v[4]) < tonumber(ARGV[1]) then
    redis.call('HSET', KEYS[1], 'wver', ARGV[1])
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
  return 0
end
local included = tonumber(v[3]) >= tonumber(ARGV[1])
local d = 0
for i = 3, #ARGV, 3 do
  local counted = ARGV[i] == v[2] or string.find(ARGV[i + 1], v[2], 1, true) ~= nil
  if counted and included then d = d + tonumber(ARGV[i + 2]) end
  if not counted and not included then d = d - tonumber(ARGV[i + 2]) end
end
if d ~= 0 then redis.call('HINCRBY', KEYS[1], 'avail', d) end
return d`;
// After an admin change (ledger version ARGV[1]): the next call loads the balance again, from a read that includes the change.
const DROP = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'wver', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`;

/** The scripts above as commands of the shared connection (EVALSHA: the script's text is not sent with every call). */
type CreditsClient = Redis & {
  creditsTake(key: string, amount: number, now: number, leaseWant: number, leaseFloor: number): Promise<[number, string, number?, string?] | null>;
  creditsLeases(keyCount: number, ...keysAndArgs: (string | number)[]): Promise<number[]>;
  creditsLoad(key: string, available: number, periodEnd: number, gen: string, now: number, ttlMs: number, version: string): Promise<number>;
  creditsSettle(key: string, gen: string, refund: number): Promise<number>;
  creditsWritten(key: string, ...args: (string | number)[]): Promise<number>;
  creditsDrop(key: string, version: string, ttlMs: number): Promise<number>;
};

/** After a failed command, Redis is probed this often, off the request path, until it answers again. */
const PROBE_INTERVAL_MS = 500;

interface Entry {
  available: number;
  periodEnd: number;
  gen: string;
  version: bigint;
  expiresAt: number;
}

/**
 * The cached balances the hot path reads (spec §12): in Redis, shared by every instance, when it
 * is configured; else, and while Redis is unreachable, in this process. The ledger in Postgres is
 * the truth: a balance is loaded from it when absent, expires after BILLING_CACHE_TTL_SECONDS, and
 * is dropped after an admin change and, for every client this instance served or wrote from
 * memory during a Redis outage, once Redis is back (its Redis copy missed those calls). Every
 * debit written to the ledger is applied to the cached balance once it is written (`written`),
 * so a balance rebuilt while other instances held unwritten debits catches up with them.
 */
export class CreditBalances {
  private readonly memory = new Map<string, Entry>();
  /** In-process counterpart of Redis's 'wver': the newest ledger version written where no balance was cached. */
  private readonly memoryWritten = new Map<string, bigint>();
  /** Clients whose Redis balance missed something this instance did in memory: dropped once Redis answers again. */
  private readonly missedByRedis = new Set<string>();
  /** Set by a failed command: calls decide in memory, and a background probe looks for Redis's return. */
  private probing?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {
    // defineCommand sends EVALSHA and falls back to EVAL once when Redis lost its script cache.
    const client = redis.client;
    client?.defineCommand('creditsTake', { lua: TAKE, numberOfKeys: 1 });
    client?.defineCommand('creditsLoad', { lua: LOAD, numberOfKeys: 1 });
    client?.defineCommand('creditsSettle', { lua: SETTLE, numberOfKeys: 1 });
    client?.defineCommand('creditsWritten', { lua: WRITTEN, numberOfKeys: 1 });
    client?.defineCommand('creditsDrop', { lua: DROP, numberOfKeys: 1 });
    client?.defineCommand('creditsLeases', { lua: LEASES });
  }

  private get client(): CreditsClient | null {
    return this.redis.client as CreditsClient | null;
  }

  private key(clientId: string): string {
    return `${this.prefix}credits:${clientId}`;
  }

  private get shared(): CreditsClient | null {
    const client = this.client;
    return client && client.status === 'ready' && !this.probing ? client : null;
  }

  /** True while calls are decided in Redis (configured, reachable, and not being probed after a failure). */
  get sharing(): boolean {
    return this.shared !== null;
  }

  /**
   * A command failed (a dead Redis fails at once; a stalled one only after its 1 s timeout, with
   * its socket still 'ready'): no call waits on Redis again until a probe has had an answer.
   */
  private failed(error: unknown): void {
    this.redis.reportOutage(error);
    if (this.probing) return;
    let inFlight = false;
    this.probing = setInterval(() => {
      const client = this.client;
      if (inFlight || !client || client.status !== 'ready') return;
      inFlight = true;
      client
        .ping()
        .then(() => {
          clearInterval(this.probing);
          this.probing = undefined;
          this.forgetOutage();
        })
        .catch(() => undefined)
        .finally(() => (inFlight = false));
    }, PROBE_INTERVAL_MS);
    this.probing.unref();
  }

  /** Stops the outage probe (shutdown). */
  close(): void {
    clearInterval(this.probing);
  }

  /** Takes a hold of `amount`; with `lease`, also a lease for CreditLeases (only from Redis: in memory there is nothing to lease). */
  async take(clientId: string, amount: number, now = Date.now(), lease?: { want: number; floor: number }): Promise<TakeResult> {
    const client = this.shared;
    if (client) {
      try {
        this.forgetOutage();
        const r = await client.creditsTake(this.key(clientId), amount, now, lease?.want ?? 0, lease?.floor ?? 0);
        if (r === null) return null;
        return r[0] === 1 ? { taken: true, gen: r[1], leased: r[2]!, periodEnd: Number(r[3]) } : { taken: false, gen: r[1] };
      } catch (error) {
        this.failed(error);
      }
    }
    if (this.redis.client) this.missedByRedis.add(clientId);
    const e = this.memory.get(clientId);
    if (!e || e.periodEnd <= now || e.expiresAt <= now) return null;
    if (e.available <= 0) return { taken: false, gen: e.gen };
    e.available -= amount;
    return { taken: true, gen: e.gen, leased: 0, periodEnd: e.periodEnd };
  }

  /** One command for every lease: is the balance it came from still current, and (`want`) more for it. Null when Redis did not answer. */
  async renew(leases: readonly LeaseRenewal[], now = Date.now()): Promise<RenewalAnswer[] | null> {
    const client = this.shared;
    if (!client) return null;
    const args: (string | number)[] = leases.map((l) => this.key(l.clientId));
    args.push(now);
    for (const l of leases) args.push(l.gen, l.want, l.floor);
    try {
      const r = await client.creditsLeases(leases.length, ...args);
      return r.map((n) => (n === -1 ? 'gone' : n === -2 ? 'low' : n));
    } catch (error) {
      this.failed(error);
      return null;
    }
  }

  /** A lease's rest back to the balance it came from (only that generation of it, like a settle). */
  async giveBack(clientId: string, gen: string, amount: number): Promise<void> {
    const client = this.shared;
    if (!client) return this.missed(clientId);
    await client.creditsSettle(this.key(clientId), gen, amount).catch((error: unknown) => {
      this.missed(clientId);
      this.failed(error);
    });
  }

  /** Redis's copy of the client's balance missed something (a lease it could not take back): rebuilt once Redis answers. */
  missed(clientId: string): void {
    if (this.redis.client) this.missedByRedis.add(clientId);
  }

  /**
   * Installs a balance read from the ledger. The command is sent before this returns its promise,
   * so a `written` called after it is applied after it (one connection keeps order).
   */
  async load(clientId: string, balance: LoadedBalance, now = Date.now()): Promise<LoadResult> {
    const client = this.shared;
    if (client) {
      try {
        const r = await client.creditsLoad(this.key(clientId), balance.available, balance.periodEnd, balance.gen, now, this.ttlMs, String(balance.version));
        return r === 1 ? 'loaded' : r === 0 ? 'current' : 'stale';
      } catch (error) {
        this.failed(error);
      }
    }
    const e = this.memory.get(clientId);
    if (e && e.periodEnd > now && e.expiresAt > now) return 'current';
    if ((this.memoryWritten.get(clientId) ?? 0n) > balance.version) return 'stale';
    this.memoryWritten.delete(clientId);
    this.memory.set(clientId, { available: balance.available, periodEnd: balance.periodEnd, gen: balance.gen, version: balance.version, expiresAt: now + this.ttlMs });
    return 'loaded';
  }

  /** Gives back what a hold took beyond the call's real cost (or takes the difference, when it cost more). */
  settle(clientId: string, gen: string, refund: number): void {
    if (refund === 0) return;
    const e = this.memory.get(clientId);
    if (e && e.gen === gen) e.available += refund;
    const client = this.shared;
    if (client) client.creditsSettle(this.key(clientId), gen, refund).catch((error: unknown) => this.failed(error));
  }

  /** A client's debits are in the ledger, up to `version`: the cached balance counts each exactly once. */
  written(clientId: string, version: bigint, costs: readonly WrittenCost[]): void {
    const client = this.shared;
    this.writtenInMemory(clientId, version, costs, client === null);
    if (!this.redis.client) return;
    if (!client) {
      this.missedByRedis.add(clientId);
      return;
    }
    // The costs come summed per balance they count in (CreditGate.write): a batch is a few
    // arguments, not three per call, for this instance to encode and for Redis's script to loop over.
    const args: (string | number)[] = [String(version), this.ttlMs];
    for (const c of costs) args.push(c.gen, c.countedIn, c.amount);
    client.creditsWritten(this.key(clientId), ...args).catch((error: unknown) => {
      this.missedByRedis.add(clientId);
      this.failed(error);
    });
  }

  /** `inUse`: memory is where this instance decides now (no Redis, or Redis unreachable). */
  private writtenInMemory(clientId: string, version: bigint, costs: readonly WrittenCost[], inUse: boolean): void {
    const e = this.memory.get(clientId);
    if (!e) {
      if (inUse && (this.memoryWritten.get(clientId) ?? 0n) < version) this.memoryWritten.set(clientId, version);
      return;
    }
    const included = e.version >= version;
    for (const c of costs) {
      // Gens are 12 hex digits: one is found in the list only as one of its items.
      const counted = c.gen === e.gen || c.countedIn.includes(e.gen);
      if (counted && included) e.available += c.amount;
      if (!counted && !included) e.available -= c.amount;
    }
  }

  /** After an admin change written at ledger `version`: the next call rebuilds the balance from a ledger read that includes it. */
  async drop(clientId: string, version: bigint): Promise<void> {
    this.memory.delete(clientId);
    this.memoryWritten.set(clientId, version);
    await this.client?.creditsDrop(this.key(clientId), String(version), this.ttlMs).catch((error: unknown) => {
      this.missedByRedis.add(clientId);
      this.failed(error);
    });
  }

  /** Once Redis answers again: its copies of the balances this instance decided or wrote in memory missed that, so they go. */
  forgetOutage(): void {
    if (this.missedByRedis.size === 0) return;
    const client = this.shared;
    if (!client) return;
    const clients = [...this.missedByRedis];
    for (const c of clients) this.memory.delete(c);
    this.missedByRedis.clear();
    client.del(...clients.map((c) => this.key(c))).catch((error: unknown) => {
      for (const c of clients) this.missedByRedis.add(c);
      this.failed(error);
    });
  }
}
