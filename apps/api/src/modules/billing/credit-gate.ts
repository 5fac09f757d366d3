import { randomBytes, randomFillSync } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import { type BatchStats, BatchWriter } from '../../database/batch-writer.js';
import { RedisService } from '../../redis/redis.service.js';
import { BillingRepository, type Debit, type PlanDefaults } from './billing.repository.js';
import { CreditBalances, type LoadedBalance, type TakeResult, type WrittenCost } from './credit-balances.js';
import { CreditLeases, LEASE_TRUST_MS, type Lease } from './credit-leases.js';
import { ModelPrices, type Price, toMicro } from './model-prices.js';
import { UnwrittenDebits } from './unwritten-debits.js';

/**
 * A call's hold: what it took from the cached balance before it ran (`held`, micro-credits), from
 * which balance (`gen`, and the lease if one), at which price; and once settled, the call's debit
 * itself while it waits for its batch: its cost (`amount`), and its place among its client's
 * unwritten debits (UnwrittenDebits). One object per call from hold to ledger, not a hold, an
 * outcome and a debit: a debit waits up to a batch interval, long enough to be promoted out of
 * the young generation, and at saturation a thousand are settled a second. Its `requestId` is ''
 * until its first write: only the ledger reads it, and every retry of the write carries the same one.
 */
export class CreditHold implements Debit {
  requestId = '';
  /** The call's cost, once settled. */
  amount = 0;
  runId: string | null = null;
  estimated = false;
  /** When it was settled (ms since the epoch); 0 until then. */
  at = 0;
  seq = 0;

  constructor(
    readonly clientId: string,
    readonly tokenId: number | null,
    readonly model: string,
    readonly price: Price,
    readonly held: number,
    readonly gen: string,
    /** The lease it was held from (CreditLeases), which its settle refunds while the lease lasts. */
    readonly lease?: Lease,
  ) {}
}

/**
 * A call's id as its ledger row keeps it (request_id, a unique index: the row's idempotency key):
 * a UUIDv7, the time in its first 48 bits and random after, so each row's index entry lands at the
 * index's right edge instead of on a random page. Measured on Postgres alone (batches of 1,000 as INSERT_DEBITS
 * writes them): 13.3 µs of the backend's CPU per row against 18.0 with random (v4) ids. The rest
 * of a v4 id stays random (74 bits besides the time); an id is only ever compared.
 */
const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where the 18 random hex digits go (after the version digit 7; 19 is the variant digit, 18 and 23 dashes). */
const RANDOM_DIGITS = [15, 16, 17, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35];
/** Random bytes for ids, drawn from the CSPRNG a pool at a time (as randomUUID does) and used 10 per id. */
const pool = Buffer.alloc(10 * 512);
let poolAt = pool.length;
/** The id being built: its first 15 characters (the time and the version) change once per millisecond. */
const id = Buffer.alloc(36);
let idMs = -1;
export function callId(now = Date.now()): string {
  // Written into one buffer and read out as one flat string: `randomUUID().slice(15)` after a
  // prefix made three strings per id (the UUID, a slice of it and their concatenation), 3× the
  // time, and the batch builds ~1,000 of them at once on the event loop that serves the calls.
  if (now !== idMs) {
    const time = now.toString(16).padStart(12, '0');
    id.write(`${time.slice(0, 8)}-${time.slice(8)}-7`, 0, 'latin1');
    id[18] = id[23] = 0x2d;
    idMs = now;
  }
  if (poolAt + 10 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  for (let i = 0; i < 9; i++) {
    const byte = pool[poolAt + i]!;
    id[RANDOM_DIGITS[2 * i]!] = HEX[byte >> 4]!;
    id[RANDOM_DIGITS[2 * i + 1]!] = HEX[byte & 15]!;
  }
  id[19] = HEX[8 | (pool[poolAt + 9]! & 3)]!;
  poolAt += 10;
  return id.toString('latin1', 0, 36);
}

/** A load that lost to a newer write is read again; past this many tries the call is decided on the read alone. */
const LOAD_TRIES = 3;

/**
 * Credits on the hot path (spec §12). Before a metered call, `hold` takes the call's largest
 * possible cost from the client's cached balance (no Postgres on a warm balance; one Redis
 * script when Redis is configured, none while this instance holds a lease of the balance: see
 * CreditLeases) or refuses it with INSUFFICIENT_CREDITS when nothing is left;
 * after it, `settle` gives back what it did not cost and appends its one ledger row (keyed by the
 * call's own id) to a batch written off the request path, like usage, and kept while Postgres
 * is away. A Redis outage therefore loses no debit: debits never live only in Redis. Once a
 * batch is in the ledger its costs are applied to the cached balance (CreditBalances.written),
 * exactly once whichever balance their holds were taken from, so a balance rebuilt from the
 * ledger while debits were unwritten (on any instance) catches up with them when they are.
 */
@Injectable()
export class CreditGate implements OnModuleInit, OnModuleDestroy {
  readonly enabled: boolean;
  private readonly prices: ModelPrices;
  private readonly balances: CreditBalances;
  private readonly leases: CreditLeases;
  private readonly redisConfigured: boolean;
  private readonly writer: BatchWriter<CreditHold>;
  readonly defaults: PlanDefaults;
  /** Debits settled here and not yet written: a balance loaded meanwhile counts them as spent. */
  private readonly unwritten = new UnwrittenDebits();
  private readonly loading = new Map<string, Promise<LoadedBalance>>();
  private reconnectCheck?: NodeJS.Timeout;
  /**
   * How holds were decided, for the metrics: taken from this instance's lease (no Redis command),
   * from it after waiting for a late lease confirmation, from the cached balance (one Redis script
   * per call, or memory without Redis), after a ledger read (a miss); or refused. A busy client's
   * calls should be nearly all `lease`; many `balance` means its calls pay a Redis round trip each.
   */
  readonly holds = { lease: 0, confirmed: 0, balance: 0, ledger: 0, refused: 0 };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: BillingRepository,
    redis: RedisService,
  ) {
    this.enabled = config.BILLING_MODE === 'credits';
    this.prices = new ModelPrices(config.MODEL_PRICES);
    this.balances = new CreditBalances(redis, config.REDIS_PREFIX, config.BILLING_CACHE_TTL_SECONDS * 1000);
    this.leases = new CreditLeases(this.balances);
    this.redisConfigured = redis.client !== null;
    this.defaults = { planName: config.BILLING_DEFAULT_PLAN, monthlyQuota: BigInt(toMicro(config.BILLING_DEFAULT_MONTHLY_QUOTA_CREDITS)) };
    this.writer = new BatchWriter('credit debits', (rows) => this.write(rows), {
      intervalMs: config.USAGE_FLUSH_INTERVAL_MS,
      batch: config.USAGE_FLUSH_BATCH,
      onDropped: (rows) => rows.forEach((d) => this.unwritten.dropped(d)),
    });
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    this.writer.start();
    if (this.redisConfigured) this.leases.start();
    // An instance that falls idle after an outage still drops the Redis balances it missed.
    this.reconnectCheck = setInterval(() => this.balances.forgetOutage(), 1000);
    this.reconnectCheck.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.reconnectCheck);
    await this.leases.close();
    this.balances.close();
    await this.writer.stop();
  }

  /**
   * Takes the call's hold, or throws INSUFFICIENT_CREDITS. `requestBytes`: the request body's
   * size; `maxOutputTokens`: its max_tokens (else BILLING_HOLD_MAX_OUTPUT_TOKENS). Answered at
   * once, not as a promise, when this instance's lease covers the call: the busy client's usual
   * case, which then costs the call no promise and no event-loop hop.
   */
  hold(principal: Principal, model: string, requestBytes: number, maxOutputTokens: number | undefined): CreditHold | Promise<CreditHold> {
    const clientId = principal.tokenClientId!;
    const price = this.prices.of(model);
    const amount = this.prices.hold(price, requestBytes, maxOutputTokens ?? this.config.BILLING_HOLD_MAX_OUTPUT_TOKENS);
    const tokenId = principal.tokenId ?? null;
    const lease = this.leases.take(clientId, amount);
    if (lease) {
      this.holds.lease++;
      return new CreditHold(clientId, tokenId, model, price, amount, lease.gen, lease);
    }
    return this.holdUnleased(clientId, tokenId, model, price, amount);
  }

  /** A hold no lease covered now: after the lease's late confirmation if one is under way, else decided by the cached balance. */
  private async holdUnleased(clientId: string, tokenId: number | null, model: string, price: Price, amount: number): Promise<CreditHold> {
    const confirming = this.leases.confirming(clientId);
    if (confirming) {
      await confirming;
      const lease = this.leases.take(clientId, amount);
      if (lease) {
        this.holds.confirmed++;
        return new CreditHold(clientId, tokenId, model, price, amount, lease.gen, lease);
      }
    }
    let taken = await this.take(clientId, amount);
    const cached = taken !== null;
    if (taken === null) {
      const read = await this.loadBalance(clientId);
      // Not cached even now (every load lost to a newer write): the ledger read decides this call alone.
      taken = (await this.take(clientId, amount)) ?? (read.available > 0 ? { taken: true, gen: '', leased: 0, periodEnd: 0 } : { taken: false, gen: '' });
    }
    if (!taken.taken) {
      this.holds.refused++;
      throw new ApiError('INSUFFICIENT_CREDITS');
    }
    this.holds[cached ? 'balance' : 'ledger']++;
    return new CreditHold(clientId, tokenId, model, price, amount, taken.gen);
  }

  /** A hold decided by the cached balance itself (Redis, or memory), which may also start a lease. */
  private async take(clientId: string, amount: number): Promise<TakeResult> {
    const ask = this.leases.ask(clientId, amount);
    const sentAt = performance.now();
    const taken = await this.balances.take(clientId, amount, Date.now(), ask);
    this.leases.answered(clientId, taken, ask, sentAt);
    return taken;
  }

  /**
   * The call is over: bill its real cost (by `tokens`; without them the hold, marked estimated,
   * when `billable`: the upstream answered, or the client hung up mid-call) and give back the
   * rest. A hold is settled once; a second settle of it is ignored.
   */
  settle(hold: CreditHold, tokens: { promptTokens: number; completionTokens: number } | null, billable: boolean, runId: string | null = null): void {
    if (hold.at !== 0) return;
    const cost = tokens ? this.prices.cost(hold.price, tokens.promptTokens, tokens.completionTokens) : billable ? hold.held : 0;
    const refund = hold.held - cost;
    if (!hold.lease || !this.leases.refund(hold.lease, refund)) this.balances.settle(hold.clientId, hold.gen, refund);
    hold.at = Date.now();
    if (cost === 0) return;
    hold.amount = cost;
    hold.runId = runId;
    hold.estimated = tokens === null;
    this.unwritten.settled(hold);
    this.writer.add(hold);
  }

  /**
   * After an admin grant or plan change (written at ledger `version`): every instance rebuilds
   * this balance from the ledger. With Redis, this answers LEASE_TRUST_MS later: by then no
   * instance spends from a lease of the balance dropped (see CreditLeases).
   */
  async dropBalance(clientId: string, version: bigint): Promise<void> {
    this.leases.rebuilt(clientId);
    await this.balances.drop(clientId, version);
    if (this.redisConfigured) await new Promise((resolve) => setTimeout(resolve, LEASE_TRUST_MS));
  }

  /** The debit writer's counts and backlog, for the metrics. */
  get debitWrites(): { stats: BatchStats; pending: { rows: number; oldestAgeMs: number } } {
    return { stats: this.writer.stats, pending: this.writer.pending() };
  }

  /** Writes every buffered debit (tests; shutdown does it too). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Concurrent misses for one client share one ledger read. */
  private loadBalance(clientId: string): Promise<LoadedBalance> {
    let pending = this.loading.get(clientId);
    if (!pending) {
      pending = this.readAndLoad(clientId).finally(() => this.loading.delete(clientId));
      this.loading.set(clientId, pending);
    }
    return pending;
  }

  private async readAndLoad(clientId: string): Promise<LoadedBalance> {
    let balance!: LoadedBalance;
    for (let attempt = 0; attempt < LOAD_TRIES; attempt++) {
      const a = await this.repository.cacheSource(clientId, this.defaults);
      // From here to the load's command being sent nothing awaits: no write of this instance can
      // slip between choosing the unwritten debits it subtracts and the balance being installed.
      const gen = randomBytes(6).toString('hex');
      const spent = this.unwritten.loading(clientId, gen);
      balance = { available: Number(a.available) - spent, periodEnd: a.periodEnd.getTime(), version: a.version, gen };
      const loaded = await this.balances.load(clientId, balance);
      if (loaded === 'loaded') this.leases.rebuilt(clientId, gen);
      if (loaded !== 'stale') return balance;
    }
    return balance;
  }

  private async write(rows: readonly CreditHold[]): Promise<void> {
    for (const d of rows) if (d.requestId === '') d.requestId = callId(d.at);
    const versions = await this.repository.applyDebits(rows, this.defaults);
    const skipped = versions.skipped.size > 0 ? versions.skipped : null;
    // Summed per client and per the balances a debit counts in (all of a lease's debits count
    // alike): CreditBalances.written is linear in the costs, and a batch is then a few objects, not one per call.
    const byClient = new Map<string, Map<string, WrittenCost>>();
    for (const d of rows) {
      const countedIn = this.unwritten.written(d);
      if (skipped?.has(d.requestId)) continue;
      let sums = byClient.get(d.clientId);
      if (!sums) byClient.set(d.clientId, (sums = new Map()));
      const key = countedIn === '' ? d.gen : `${d.gen}|${countedIn}`;
      const sum = sums.get(key);
      if (sum) sum.amount += d.amount;
      else sums.set(key, { gen: d.gen, countedIn, amount: d.amount });
    }
    for (const [clientId, sums] of byClient) this.balances.written(clientId, versions.versions.get(clientId)!, [...sums.values()]);
  }
}
