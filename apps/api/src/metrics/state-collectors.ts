import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import { PrismaService } from '@aius/db';
import { BEARER_VERIFIER } from '../common/principal.js';
import { RateLimitStore } from '../modules/rate-limit/rate-limit.store.js';
import type { BearerVerifier } from '../modules/tokens/bearer-verifier.js';
import { AuditLog } from '../modules/audit/audit-log.js';
import { UsageRecorder } from '../modules/usage/usage-recorder.js';
import { RedisService } from '../redis/redis.service.js';

const POSTGRES_PROBE_TIMEOUT_MS = 1_000;

/**
 * Metrics read at scrape time from the plain counters the hot paths keep anyway (limiter
 * decisions, token-cache outcomes, usage flushes), so recording them costs the request path
 * nothing beyond an integer increment, and the domain modules need not know about Prometheus.
 */
@Injectable()
export class StateCollectors {
  constructor(private readonly modules: ModuleRef) {}

  register(registry: Registry): void {
    const find = <T>(token: unknown): T | null => {
      try {
        return this.modules.get(token as never, { strict: false }) as T;
      } catch {
        return null;
      }
    };
    const limiter = find<RateLimitStore>(RateLimitStore);
    const bearer = find<BearerVerifier>(BEARER_VERIFIER);
    const usage = find<UsageRecorder>(UsageRecorder);
    const audit = find<AuditLog>(AuditLog);
    const redis = find<RedisService>(RedisService);
    const prisma = find<PrismaService>(PrismaService);
    const registers = [registry];

    counterFrom(registers, 'aius_rate_limit_decisions_total', 'Rate-limit decisions, by where they were taken: from credits held in memory, in Redis, or in memory while Redis is away', 'where', () => ({
      credits: limiter?.decisions.fromCredits ?? 0,
      redis: limiter?.decisions.inRedis ?? 0,
      memory: limiter?.decisions.inMemory ?? 0,
    }));
    counterFrom(registers, 'aius_token_cache_lookups_total', 'Bearer token cache outcomes: hit (no Postgres), miss (looked up), refused (a known-bad token)', 'result', () => ({
      hit: bearer?.cacheLookups.hit ?? 0,
      miss: bearer?.cacheLookups.miss ?? 0,
      refused: bearer?.cacheLookups.refused ?? 0,
    }));
    counterFrom(registers, 'aius_usage_flush_batches_total', 'Usage batches written to Postgres', null, () => ({ '': usage?.flushes.batches ?? 0 }));
    counterFrom(registers, 'aius_usage_flush_events_total', 'Usage events written to Postgres', null, () => ({ '': usage?.flushes.rows ?? 0 }));
    counterFrom(registers, 'aius_usage_flush_failures_total', 'Usage flushes that failed (kept for a retry when Postgres was unreachable)', null, () => ({ '': usage?.flushes.failures ?? 0 }));
    counterFrom(registers, 'aius_usage_events_dropped_total', 'Usage events dropped (a write error, or the retry buffer full)', null, () => ({ '': usage?.flushes.dropped ?? 0 }));
    gaugeFrom(registers, 'aius_usage_events_pending', 'Usage events buffered, not yet written', () => usage?.pending().events ?? 0);
    gaugeFrom(registers, 'aius_usage_oldest_pending_seconds', 'Age of the oldest usage event not yet written (0 when none): the metering lag', () => (usage?.pending().oldestAgeMs ?? 0) / 1000);
    gaugeFrom(registers, 'aius_usage_flush_lag_seconds', 'Age of the oldest event of the last batch written, when it was written', () => (usage?.flushes.lagMs ?? 0) / 1000);
    counterFrom(registers, 'aius_audit_flush_batches_total', 'Audit batches written to Postgres', null, () => ({ '': audit?.writes.stats.batches ?? 0 }));
    counterFrom(registers, 'aius_audit_events_dropped_total', 'Audit events dropped (a write error, or the retry buffer full)', null, () => ({ '': audit?.writes.stats.dropped ?? 0 }));
    gaugeFrom(registers, 'aius_audit_events_pending', 'Audit events buffered, not yet written', () => audit?.writes.pending().rows ?? 0);
    gaugeFrom(registers, 'aius_audit_flush_lag_seconds', 'Age of the oldest event of the last audit batch written, when it was written', () => (audit?.writes.stats.lagMs ?? 0) / 1000);

    new Gauge({
      name: 'aius_dependency_up',
      help: 'Whether a dependency answers: postgres (SELECT 1 within 1 s, at scrape), redis (connected; 0 when not configured)',
      labelNames: ['dependency'] as const,
      registers,
      async collect() {
        this.set({ dependency: 'redis' }, redis?.available ? 1 : 0);
        this.set({ dependency: 'postgres' }, prisma && (await answers(prisma)) ? 1 : 0);
      },
    });
  }
}

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
