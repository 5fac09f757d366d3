import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisService } from '../../src/redis/redis.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { captureLogs } from './log-capture.js';
import { ThrowawayRedis, waitFor } from '@aius/test-support';

const LIMIT = 8;
let redis: ThrowawayRedis;
let inspector: Redis;
let t: TestApp;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  inspector = redis.client();
  logs = captureLogs();
  t = await startTestApp({ REDIS_URL: redis.url, LOG_LEVEL: 'log', RATE_LIMIT_DEFAULT_PER_MINUTE: String(LIMIT) });
});
afterAll(async () => {
  logs?.stop();
  await t?.close();
  inspector?.disconnect();
  await redis?.kill();
});

const get = (ip: string) => fetch(`${t.base}/nope`, { headers: { 'x-forwarded-for': ip } });
const limiterKeys = () => inspector.keys(`${t.config.REDIS_PREFIX}rl:*`).catch(() => [] as string[]);
const OUTAGE_LOG = /Redis unreachable/;
const BACK_LOG = /Redis is back/;

describe('Redis outage', () => {
  it('limits live in Redis while it is up', async () => {
    const res = await get('192.0.2.1');
    expect(res.status).toBe(404);
    expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect(await limiterKeys()).toEqual([`${t.config.REDIS_PREFIX}rl:ip:192.0.2.1`]);
  });

  it('with Redis killed the API keeps answering, limits per instance in memory, and logs the outage once', async () => {
    await redis.kill();
    const started = Date.now();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await get('192.0.2.2');
      statuses.push(res.status);
      expect(res.headers.get('ratelimit-policy')).toBe(`"per-ip";q=${LIMIT};w=60`);
    }
    // Fast: no request waits on the dead server.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(statuses).toEqual([...Array(LIMIT).fill(404), 429, 429]);
    // Keep traffic flowing through a few reconnect attempts: still one line.
    for (let i = 0; i < 10; i++) {
      expect((await get(`192.0.2.${10 + i}`)).status).toBe(404);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs.count(OUTAGE_LOG)).toBe(1);
    expect(t.app.get(RedisService).available).toBe(false);
  });

  it('when Redis returns the API goes back to shared limits by itself', async () => {
    await redis.restart();
    await waitFor(() => t.app.get(RedisService).available, 10_000, 'the API to reconnect');
    expect(logs.count(BACK_LOG)).toBe(1);
    const res = await get('192.0.2.3');
    expect(res.status).toBe(404);
    expect(await limiterKeys()).toEqual([`${t.config.REDIS_PREFIX}rl:ip:192.0.2.3`]);
    expect(logs.count(OUTAGE_LOG)).toBe(1);
  });

  it('a stalled Redis (socket open, no answers) costs at most a short wait now and then, is logged once, and is left when it answers again', async () => {
    redis.freeze(true);
    const latencies: number[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const res = await get(`192.0.2.${40 + i}`);
        latencies.push(performance.now() - started);
        expect(res.status).toBe(404);
        expect(res.headers.get('ratelimit-remaining')).toBe(String(LIMIT - 1));
      }
    } finally {
      redis.freeze(false);
    }
    // The first request waits out the command timeout (1 s); the next ones go to memory at once.
    expect(latencies.filter((ms) => ms > 500).length).toBeLessThanOrEqual(2);
    expect(logs.count(OUTAGE_LOG)).toBe(2); // the kill above, and this stall
    await waitFor(async () => {
      await get('192.0.2.99');
      return logs.count(BACK_LOG) === 2;
    }, 10_000, 'the limiter to use Redis again');
    await get('192.0.2.100');
    expect(await limiterKeys()).toContain(`${t.config.REDIS_PREFIX}rl:ip:192.0.2.100`);
  });
});
