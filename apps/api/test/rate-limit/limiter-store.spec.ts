import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gcraStep } from '../../src/modules/rate-limit/gcra.js';
import { LoginThrottle } from '../../src/modules/rate-limit/login-throttle.service.js';
import { RateLimitedError } from '../../src/modules/rate-limit/rate-limited.error.js';
import { RateLimitStore } from '../../src/modules/rate-limit/rate-limit.store.js';
import { RedisService } from '../../src/redis/redis.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let store: RateLimitStore;
beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_FAILED_LOGINS: '5', RATE_LIMIT_FAILED_LOGIN_WINDOW_SECONDS: '900' });
  store = t.app.get(RateLimitStore);
  expect(t.app.get(RedisService).available).toBe(true);
});
afterAll(async () => {
  await t?.close();
});
const key = () => `test:${randomBytes(6).toString('hex')}`;

describe('GCRA in Redis', () => {
  it('gives no second burst at a fixed-window edge (virtual clock on the Redis script)', async () => {
    const k = key();
    const minute = 60_000 * 29_000_000; // an exact minute boundary, as a fixed window would cut it
    let before = 0;
    for (let i = 0; i < 600; i++) if ((await store.consume(k, 600, 60_000, 1, minute - 100)).allowed) before++;
    let after = 0;
    for (let i = 0; i < 600; i++) if ((await store.consume(k, 600, 60_000, 1, minute + 100)).allowed) after++;
    expect(before).toBe(600);
    expect(after).toBe(2); // 200 ms at one slot per 100 ms, not a fresh 600
  });

  it('the Redis script and the in-memory fallback take the same decisions', async () => {
    const k = key();
    let tat: number | undefined;
    let now = 1_700_000_000_000;
    // Deterministic pseudo-random gaps, including bursts and long pauses.
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      now += Math.floor(next() < 0.7 ? next() * 50 : next() * 20_000);
      const limit = 7;
      const windowMs = 60_000;
      const mem = gcraStep(tat, now, limit, windowMs, 1);
      if (mem.allowed) tat = mem.tat;
      const redis = await store.consume(k, limit, windowMs, 1, now);
      expect(redis).toEqual({
        allowed: mem.allowed,
        remaining: mem.remaining,
        resetMs: mem.resetMs,
        retryAfterMs: mem.retryAfterMs,
      });
    }
  });

  it('takes several quotas in one step, in order, and leaves the later ones alone once one refuses (Redis and memory alike)', async () => {
    const [first, second] = [key(), key()];
    const quotas = [
      { key: first, limit: 2, windowMs: 60_000 },
      { key: second, limit: 5, windowMs: 60_000 },
    ];
    const now = 1_700_000_000_000;
    const memory: { tat: [number | undefined, number | undefined] } = { tat: [undefined, undefined] };
    for (let i = 0; i < 4; i++) {
      const results = await store.consumeAll(quotas, 1, now);
      // The in-memory twin: the same steps, stopping at the first refusal.
      const expected = [];
      for (const [j, q] of quotas.entries()) {
        const r = gcraStep(memory.tat[j], now, q.limit, q.windowMs, 1);
        expected.push({ allowed: r.allowed, remaining: r.remaining, resetMs: r.resetMs, retryAfterMs: r.retryAfterMs });
        if (!r.allowed) break;
        memory.tat[j] = r.tat;
      }
      expect(results).toEqual(expected);
    }
    // Two calls passed the first quota, so the second was charged exactly twice: 3 of 5 left.
    expect((await store.consume(second, 5, 60_000, 0, now)).remaining).toBe(3);
  });

  it('keys expire once their quota is full again (nothing left behind in Redis)', async () => {
    const k = key();
    await store.consume(k, 10, 1_000);
    const ttl = await t.app.get(RedisService).client!.pttl(`${t.config.REDIS_PREFIX}rl:${k}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(100);
  });
});

describe(LoginThrottle.name, () => {
  it('locks an account after 5 attempts, whatever the case of the email, with Retry-After', async () => {
    const throttle = t.app.get(LoginThrottle);
    const email = `${randomBytes(4).toString('hex')}@example.com`;
    for (let i = 0; i < 5; i++) await throttle.assertAllowed(i % 2 ? email.toUpperCase() : email);
    const error = await throttle.assertAllowed(email).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    const headers = (error as RateLimitedError).headers;
    expect(headers['retry-after']).toBe('180'); // 5 per 900 s: one more attempt every 3 minutes
    expect(headers['ratelimit-policy']).toBe('"per-account";q=5;w=900');
    expect(headers.ratelimit).toBe('"per-account";r=0;t=900');
    // Other accounts are unaffected.
    await expect(throttle.assertAllowed(`other-${email}`)).resolves.toBeUndefined();
  });

  it('a successful login clears the count', async () => {
    const throttle = t.app.get(LoginThrottle);
    const email = `${randomBytes(4).toString('hex')}@example.com`;
    for (let i = 0; i < 5; i++) await throttle.assertAllowed(email);
    await throttle.reset(email);
    for (let i = 0; i < 5; i++) await throttle.assertAllowed(email);
    await expect(throttle.assertAllowed(email)).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('a parallel burst of guesses cannot pass more than the limit', async () => {
    const throttle = t.app.get(LoginThrottle);
    const email = `${randomBytes(4).toString('hex')}@example.com`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => throttle.assertAllowed(email)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
  });
});
