import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { PrismaService } from '@aius/db';
import { BEARER_VERIFIER } from './common/principal.js';
import { MetricsService } from './metrics/metrics.service.js';
import { AuditLog } from './modules/audit/audit-log.js';
import { AuditModule } from './modules/audit/audit.module.js';
import { BillingModule } from './modules/billing/billing.module.js';
import { CreditGate } from './modules/billing/credit-gate.js';
import { RateLimitService } from './modules/rate-limit/rate-limit.service.js';
import type { BearerVerifier } from './modules/tokens/bearer-verifier.js';
import { TokensModule } from './modules/tokens/tokens.module.js';
import { UsageModule } from './modules/usage/usage.module.js';
import { UsageRecorder } from './modules/usage/usage-recorder.js';
import { RedisService } from './redis/redis.service.js';

const POSTGRES_PROBE_TIMEOUT_MS = 1_000;

/**
 * Metrics read at scrape time from the plain counters the hot paths keep anyway (limiter
 * decisions, token-cache outcomes, usage flushes, credit holds), so recording them costs the request path
 * nothing beyond an integer increment, and the domain modules need not know about Prometheus.
 * Wired here, beside AppModule, because it reads five domain modules: the metrics folder
 * stays below all of them.
 */
@Injectable()
export class StateMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly limiter: RateLimitService,
    @Inject(BEARER_VERIFIER) private readonly bearer: BearerVerifier,
    private readonly usage: UsageRecorder,
    private readonly audit: AuditLog,
    private readonly credits: CreditGate,
    private readonly redis: RedisService,
    private readonly prisma: PrismaService,
  ) {}

  // Before MetricsServer starts serving (onApplicationBootstrap); nothing when metrics are off.
  onModuleInit(): void {
    if (this.metrics.enabled) this.register(this.metrics.registry);
  }

  private register(registry: Registry): void {
    const { limiter, bearer, usage, audit, credits, redis, prisma } = this;
    const registers = [registry];

    counterFrom(registers, 'aius_rate_limit_decisions_total', 'Rate-limit decisions, by where they were taken: from credits held in memory, in Redis, or in memory while Redis is away', 'where', () => ({
      credits: limiter.decisions.fromCredits,
      redis: limiter.decisions.inRedis,
      memory: limiter.decisions.inMemory,
    }));
    counterFrom(registers, 'aius_token_cache_lookups_total', 'Bearer token cache outcomes: hit (no Postgres), miss (looked up), refused (a known-bad token)', 'result', () => ({
      hit: bearer.cacheLookups.hit,
      miss: bearer.cacheLookups.miss,
      refused: bearer.cacheLookups.refused,
    }));
    counterFrom(registers, 'aius_usage_flush_batches_total', 'Usage batches written to Postgres', null, () => ({ '': usage.flushes.batches }));
    counterFrom(registers, 'aius_usage_flush_events_total', 'Usage events written to Postgres', null, () => ({ '': usage.flushes.rows }));
    counterFrom(registers, 'aius_usage_flush_failures_total', 'Usage flushes that failed (kept for a retry when Postgres was unreachable)', null, () => ({ '': usage.flushes.failures }));
    counterFrom(registers, 'aius_usage_events_dropped_total', 'Usage events dropped (a write error, or the retry buffer full)', null, () => ({ '': usage.flushes.dropped }));
    gaugeFrom(registers, 'aius_usage_events_pending', 'Usage events buffered, not yet written', () => usage.pending().events);
    gaugeFrom(registers, 'aius_usage_oldest_pending_seconds', 'Age of the oldest usage event not yet written (0 when none): the metering lag', () => usage.pending().oldestAgeMs / 1000);
    gaugeFrom(registers, 'aius_usage_flush_lag_seconds', 'Age of the oldest event of the last batch written, when it was written', () => usage.flushes.lagMs / 1000);
    counterFrom(registers, 'aius_audit_flush_batches_total', 'Audit batches written to Postgres', null, () => ({ '': audit.writes.stats.batches }));
    counterFrom(registers, 'aius_audit_events_dropped_total', 'Audit events dropped (a write error, or the retry buffer full)', null, () => ({ '': audit.writes.stats.dropped }));
    gaugeFrom(registers, 'aius_audit_events_pending', 'Audit events buffered, not yet written', () => audit.writes.pending().rows);
    gaugeFrom(registers, 'aius_audit_flush_lag_seconds', 'Age of the oldest event of the last audit batch written, when it was written', () => audit.writes.stats.lagMs / 1000);
    if (credits.enabled) {
      counterFrom(registers, 'aius_credit_holds_total', "Credit holds (BILLING_MODE=credits), by how they were decided: from this instance's lease (no Redis), from it after a late lease confirmation, from the cached balance (Redis, or memory without it), after a ledger read; or refused", 'decided', () => ({ ...credits.holds }));
      counterFrom(registers, 'aius_credit_debit_batches_total', 'Credit debit batches written to the ledger', null, () => ({ '': credits.debitWrites.stats.batches }));
      counterFrom(registers, 'aius_credit_debits_dropped_total', 'Credit debits dropped (refused by Postgres, or past the retry buffer)', null, () => ({ '': credits.debitWrites.stats.dropped }));
      gaugeFrom(registers, 'aius_credit_debits_pending', 'Credit debits settled, not yet in the ledger', () => credits.debitWrites.pending.rows);
    }

    new Gauge({
      name: 'aius_dependency_up',
      help: 'Whether a dependency answers: postgres (SELECT 1 within 1 s, at scrape), redis (connected; 0 when not configured)',
      labelNames: ['dependency'] as const,
      registers,
      async collect() {
        this.set({ dependency: 'redis' }, redis.available ? 1 : 0);
        this.set({ dependency: 'postgres' }, (await answers(prisma)) ? 1 : 0);
      },
    });
  }
}

/** The state metrics; RateLimitService, MetricsService, RedisService and PrismaService come from global modules. */
@Module({ imports: [TokensModule, UsageModule, AuditModule, BillingModule], providers: [StateMetrics] })
export class StateMetricsModule {}

async function answers(prisma: PrismaService): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), POSTGRES_PROBE_TIMEOUT_MS)));
  try {
    return await Promise.race([prisma.$queryRaw`SELECT 1`.then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** A counter whose values are read from plain numbers at scrape time. */
function counterFrom(registers: Registry[], name: string, help: string, label: string | null, read: () => Record<string, number>): void {
  new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers,
    collect() {
      this.reset();
      for (const [value, count] of Object.entries(read())) {
        if (label) this.inc({ [label]: value }, count);
        else this.inc(count);
      }
    },
  });
}

function gaugeFrom(registers: Registry[], name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
}
