import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RedisService } from './redis.service.js';

/**
 * How long an instance may go on deciding from its own memory after it last heard from
 * Redis, and so how long a change waits before it is reported done (see SharedEpochs).
 */
export const LOCAL_TRUST_MS = 200;
/**
 * Re-read well before the trust runs out, so a busy instance never has to wait for it, even
 * while Redis takes a while to answer (up to LOCAL_TRUST_MS - REFRESH_AFTER_MS).
 */
const REFRESH_AFTER_MS = LOCAL_TRUST_MS / 5;

/** One named epoch: a Redis value that changes whenever some shared fact changes. */
export interface Epoch {
  /**
   * The epoch as read from Redis less than LOCAL_TRUST_MS ago, or null when there is no such
   * read (no Redis, Redis failing, or the instance was idle): then the caller must ask Redis.
   * Calling it is what keeps the value fresh on a busy instance.
   */
  current(): string | null;
  /**
   * Announces a change after it has been written: resolves once no instance can still be
   * trusting an epoch read before it. Rejects if Redis cannot take the new value.
   */
  advance(): Promise<void>;
}

/**
 * Epochs let a hot path skip its per-request Redis round trip (a revocation marker, a list
 * version) without giving up "a change made on one instance holds on every instance once the
 * call that made it has returned".
 *
 * A reader remembers, with each fact it checked in Redis, the epoch it had read *before* that
 * check, and decides from memory only while that epoch is still the current one, read from
 * Redis less than LOCAL_TRUST_MS ago (timed from when the read was sent). A writer first
 * writes its change where the per-request check reads it, then sets a fresh random epoch,
 * then waits LOCAL_TRUST_MS before it answers. Any read started after the new epoch was set
 * returns it, so after the wait no instance still holds a trusted read of the old epoch, and
 * every instance goes back to Redis for the fact, which it then finds changed.
 *
 * Epochs are random, never counters, so a Redis restart that loses the key cannot bring back
 * a value an old entry was filed under; a reconnect also starts a new local generation.
 * A busy instance pays one MGET per REFRESH_AFTER_MS for all epochs together, sent alongside
 * the traffic and awaited by no request; an idle one pays nothing and does its first request
 * the old way.
 *
 * Why not Redis's own client-side caching (CLIENT TRACKING) or pub/sub alone: both push
 * invalidations with no acknowledgement, so the writer cannot know when every reader has
 * applied them, and a reader whose message is late serves the old fact meanwhile (the
 * "revoked key still works on another replica" complaint). ioredis has no client-side cache
 * either. The bounded-staleness window is what makes "done" mean done everywhere.
 */
@Injectable()
export class SharedEpochs {
  private readonly keys: string[] = [];
  private values: (string | null)[] = [];
  /** performance.now() when the read behind `values` was sent. */
  private readSentAt = -Infinity;
  private reading = false;
  private generation = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    // Whatever was read over a connection that dropped may have missed a change.
    redis.client?.on('close', () => this.forgetReads());
  }

  /**
   * Registers an epoch; called by its owners when constructed. Two owners of one name (two
   * caches of facts that the same changes move) share the one epoch.
   */
  register(name: string): Epoch {
    const key = `${this.config.REDIS_PREFIX}epoch:${name}`;
    let index = this.keys.indexOf(key);
    if (index < 0) {
      index = this.keys.push(key) - 1;
      this.forgetReads();
    }
    return {
      current: () => this.current(index),
      advance: () => this.advance(index),
    };
  }

  private current(index: number): string | null {
    const age = performance.now() - this.readSentAt;
    if (age >= REFRESH_AFTER_MS) this.refresh();
    return age < LOCAL_TRUST_MS ? (this.values[index] ?? null) : null;
  }

  private async advance(index: number): Promise<void> {
    const client = this.redis.client;
    if (!client) return; // no shared state: nothing is decided from memory anywhere
    await client.set(this.keys[index]!, randomBytes(12).toString('base64url'));
    await sleep(LOCAL_TRUST_MS);
  }

  private refresh(): void {
    const client = this.redis.client;
    if (this.reading || !client || client.status !== 'ready') return;
    this.reading = true;
    const sentAt = performance.now();
    const generation = this.generation;
    client.mget(this.keys).then(
      async (values) => {
        this.reading = false;
        const missing = this.keys.filter((_, i) => values[i] === null);
        if (missing.length > 0) {
          // First use of this Redis (or it lost its data): start every missing epoch at a
          // random value and trust nothing until a read returns it.
          await Promise.all(missing.map((key) => client.set(key, randomBytes(12).toString('base64url'), 'NX'))).catch(() => {});
          return;
        }
        if (generation !== this.generation) return;
        this.values = values.map((v) => `${generation}:${v}`);
        this.readSentAt = sentAt;
      },
      (error: unknown) => {
        this.reading = false;
        this.redis.reportOutage(error);
      },
    );
  }

  private forgetReads(): void {
    this.generation++;
    this.values = [];
    this.readSentAt = -Infinity;
  }
}
