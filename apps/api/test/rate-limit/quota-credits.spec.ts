import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_LEASE_MS } from '../../src/modules/rate-limit/quota-credits.js';
import { RateLimitStore, type Quota } from '../../src/modules/rate-limit/rate-limit.store.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Two instances over one Redis prefix: two stores sharing every quota. */
let a: TestApp;
let b: TestApp;
let stores: [RateLimitStore, RateLimitStore];
beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  stores = [a.app.get(RateLimitStore), b.app.get(RateLimitStore)];
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** A quota with no refill worth counting during a test: one slot per 36 s. */
const hourly = (limit: number): Quota => ({ key: `credits:${randomBytes(6).toString('hex')}`, limit, windowMs: 3_600_000 * (limit / 100) });
/** Requests decided by a Redis call they waited for, so far, on one store. */
const inRedis = (store: RateLimitStore) => store.decisions.inRedis;
const allowed = async (store: RateLimitStore, quota: Quota) => (await store.consumeAll([quota]))[0]!.allowed;
const lookRemaining = async (quota: Quota) => (await stores[0].consume(quota.key, quota.limit, quota.windowMs, 0)).remaining;

describe('quota credits', () => {
  it('a busy quota far from its limit is decided mostly from memory', async () => {
    const quota = { key: `credits:${randomBytes(6).toString('hex')}`, limit: 1_000_000, windowMs: 60_000 };
    const before = inRedis(stores[0]);
    for (let i = 0; i < 1000; i++) expect(await allowed(stores[0], quota)).toBe(true);
    // 0, 1, 2, 4 … credits per call, then topped up in the background: a handful of waits for a thousand requests.
    expect(inRedis(stores[0]) - before).toBeLessThan(20);
  });

  it('a quota holding credits is decided in the same tick (no promise), one that does not is left to Redis', async () => {
    const quota = { key: `credits:${randomBytes(6).toString('hex')}`, limit: 1_000_000, windowMs: 60_000 };
    expect(stores[0].consumeAllFromCredits([quota])).toBeNull();
    // Busy enough to be granted credits (0, 1, 2, 4 … per Redis decision), then spent one by one.
    let decided = null;
    for (let i = 0; i < 200 && decided === null; i++) {
      await allowed(stores[0], quota);
      const fromCredits = stores[0].decisions.fromCredits;
      decided = stores[0].consumeAllFromCredits([quota]);
      if (decided) expect(stores[0].decisions.fromCredits).toBe(fromCredits + 1);
    }
    expect(decided).toMatchObject([{ allowed: true, retryAfterMs: 0 }]);
    // A small quota never holds credits: always Redis.
    expect(stores[0].consumeAllFromCredits([hourly(31)])).toBeNull();
  });

  it('a small quota hands out no credits: every request is decided in Redis', async () => {
    const quota = hourly(31);
    const before = inRedis(stores[0]);
    let passed = 0;
    for (let i = 0; i < 40; i++) if (await allowed(stores[0], quota)) passed++;
    expect(passed).toBe(31);
    expect(inRedis(stores[0]) - before).toBe(40);
  });

  it('two instances hammering one quota never allow more than the limit, and exactly the limit once leases end', async () => {
    const quota = hourly(400);
    let passed = 0;
    const hammer = async (n: number) => {
      const answers = await Promise.all(Array.from({ length: n }, (_, i) => allowed(stores[i % 2]!, quota)));
      passed += answers.filter(Boolean).length;
    };
    for (let round = 0; round < 10; round++) await hammer(60);
    expect(passed).toBeLessThanOrEqual(400);
    // Whatever one instance still holds unspent goes back when its lease ends.
    await new Promise((r) => setTimeout(r, 2 * CREDIT_LEASE_MS + 100));
    for (let round = 0; round < 5; round++) await hammer(60);
    expect(passed).toBe(400);
  });

  it('unspent credits are given back when the lease ends', async () => {
    const quota = hourly(1000);
    let passed = 0;
    for (let i = 0; i < 50; i++) if (await allowed(stores[0], quota)) passed++;
    expect(passed).toBe(50);
    // Credits held by this instance are already taken from the shared quota…
    expect(await lookRemaining(quota)).toBeLessThan(1000 - 50);
    await new Promise((r) => setTimeout(r, 2 * CREDIT_LEASE_MS + 100));
    // …and back once it stops spending them: the quota shows exactly what was let through.
    expect(await lookRemaining(quota)).toBe(1000 - 50);
  });

  it('a steadily busy key is topped up in the background: once warm, no request waits for Redis', async () => {
    const quota = { key: `credits:${randomBytes(6).toString('hex')}`, limit: 1_000_000, windowMs: 60_000 };
    // A steady stream of about a thousand requests a second warms the key up…
    const stream = async (n: number) => {
      for (let i = 0; i < n; i++) {
        expect(await allowed(stores[0], quota)).toBe(true);
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    await stream(300);
    // …after which the next ones are all let through from credits fetched ahead of need.
    const before = inRedis(stores[0]);
    await stream(1500);
    expect(inRedis(stores[0]) - before).toBe(0);
  });
});
