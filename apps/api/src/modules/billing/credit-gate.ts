import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import { BatchWriter } from '../../database/batch-writer.js';
import { RedisService } from '../../redis/redis.service.js';
import { BillingRepository, type Debit, type PlanDefaults } from './billing.repository.js';
import { CreditBalances } from './credit-balances.js';
import { ModelPrices, toMicro } from './model-prices.js';

/** A call's hold: what it took from the cached balance before it ran (micro-credits). */
export interface CreditHold {
  id: string;
  clientId: string;
  tokenId: number | null;
  model: string;
  amount: number;
  gen: string;
}

/** How a held call ended: its real tokens, or none (then the hold is billed as an estimate when `billable`). */
export interface HoldOutcome {
  tokens: { promptTokens: number; completionTokens: number } | null;
  /** The upstream answered (or the client hung up mid-call): the call is billed even without usage. */
  billable: boolean;
  runId?: string | null;
}

/**
 * Credits on the hot path (spec §12). Before a metered call, `hold` takes the call's largest
 * possible cost from the client's cached balance (no Postgres on a warm balance; one Redis
 * script when Redis is configured) or refuses it with INSUFFICIENT_CREDITS when nothing is left;
 * after it, `settle` gives back what it did not cost and appends its one ledger row (keyed by the
 * call's own id) to a batch written off the request path, like usage, and kept while Postgres
 * is away. A Redis outage therefore loses no debit: debits never live only in Redis.
 */
@Injectable()
export class CreditGate implements OnModuleInit, OnModuleDestroy {
  readonly enabled: boolean;
  private readonly prices: ModelPrices;
  private readonly balances: CreditBalances;
  private readonly writer: BatchWriter<Debit>;
  readonly defaults: PlanDefaults;
  /** Costs settled here and not yet in the ledger, per client: a balance loaded meanwhile must not count them as unspent. */
  private readonly unwritten = new Map<string, number>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: BillingRepository,
    redis: RedisService,
  ) {
    this.enabled = config.BILLING_MODE === 'credits';
    this.prices = new ModelPrices(config.MODEL_PRICES);
    this.balances = new CreditBalances(redis, config.REDIS_PREFIX, config.BILLING_CACHE_TTL_SECONDS * 1000);
    this.defaults = { planName: config.BILLING_DEFAULT_PLAN, monthlyQuota: BigInt(toMicro(config.BILLING_DEFAULT_MONTHLY_QUOTA_CREDITS)) };
    this.writer = new BatchWriter('credit debits', (rows) => this.write(rows), {
      intervalMs: config.USAGE_FLUSH_INTERVAL_MS,
      batch: config.USAGE_FLUSH_BATCH,
    });
  }

  onModuleInit(): void {
    if (this.enabled) this.writer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.writer.stop();
  }

  /**
   * Takes the call's hold, or throws INSUFFICIENT_CREDITS. `requestBytes`: the request body's
   * size; `maxOutputTokens`: its max_tokens (else BILLING_HOLD_MAX_OUTPUT_TOKENS).
   */
  async hold(principal: Principal, model: string, requestBytes: number, maxOutputTokens: number | undefined): Promise<CreditHold> {
    const clientId = principal.tokenClientId!;
    const amount = this.prices.hold(model, requestBytes, maxOutputTokens ?? this.config.BILLING_HOLD_MAX_OUTPUT_TOKENS);
    let taken = await this.balances.take(clientId, amount);
    if (taken === null) {
      await this.loadBalance(clientId);
      taken = await this.balances.take(clientId, amount);
    }
    if (!taken?.taken) throw new ApiError('INSUFFICIENT_CREDITS');
    return { id: randomUUID(), clientId, tokenId: principal.tokenId ?? null, model, amount, gen: taken.gen };
  }

  /** The call is over: bill its real cost (or its hold, marked estimated) and give back the rest. */
  settle(hold: CreditHold, outcome: HoldOutcome): void {
    const cost = outcome.tokens
      ? this.prices.cost(hold.model, outcome.tokens.promptTokens, outcome.tokens.completionTokens)
      : outcome.billable
        ? hold.amount
        : 0;
    this.balances.settle(hold.clientId, hold.gen, hold.amount - cost);
    if (cost === 0) return;
    this.unwritten.set(hold.clientId, (this.unwritten.get(hold.clientId) ?? 0) + cost);
    this.writer.add({
      requestId: hold.id,
      clientId: hold.clientId,
      amount: cost,
      model: hold.model,
      runId: outcome.runId ?? null,
      tokenId: hold.tokenId,
      estimated: outcome.tokens === null,
      at: Date.now(),
    });
  }

  /** After an admin grant or plan change: every instance rebuilds this balance from the ledger. */
  dropBalance(clientId: string): Promise<void> {
    return this.balances.drop(clientId);
  }

  /** Writes every buffered debit (tests; shutdown does it too). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Concurrent misses for one client share one ledger read. */
  private loadBalance(clientId: string): Promise<void> {
    let pending = this.loading.get(clientId);
    if (!pending) {
      pending = (async () => {
        const a = await this.repository.account(clientId, this.defaults);
        const available = Number(a.quotaRemaining + a.topupBalance) - (this.unwritten.get(clientId) ?? 0);
        await this.balances.load(clientId, { available, periodEnd: a.periodEnd.getTime() });
      })().finally(() => this.loading.delete(clientId));
      this.loading.set(clientId, pending);
    }
    return pending;
  }

  private async write(rows: readonly Debit[]): Promise<void> {
    await this.repository.applyDebits(rows, this.defaults);
    for (const d of rows) {
      const left = (this.unwritten.get(d.clientId) ?? 0) - d.amount;
      if (left > 0) this.unwritten.set(d.clientId, left);
      else this.unwritten.delete(d.clientId);
    }
  }
}
