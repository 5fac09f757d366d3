import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import { call, registerUser, startFakeUpstream, ThrowawayRedis, userWithToken, waitFor, type FakeUpstream, type RegisteredUser, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** `gpt-fake` at $1,000 per million tokens both ways: one fake answer (11 + 5 tokens) costs 1.6 credits. */
export const CALL_MICRO = 1_600_000;
/** Words per fake answer (its 5 completion tokens); also the calls' max_tokens. */
export const WORDS = 5;

export interface CreditInstances {
  upstream: FakeUpstream;
  /** A redis-server of the file's own, so a test can watch, kill or freeze it. */
  redis: ThrowawayRedis;
  /** A plain client of that Redis, for reading the cached balances. */
  inspector: Redis;
  env: Record<string, string>;
  redisPrefix: string;
  a: TestApp;
  /** On a's database and Redis prefix. */
  b: TestApp;
  /** An instance admin (ADMIN_EMAILS), who grants credits. */
  admin: RegisteredUser;
  /** A new user's own client, granted `granted` credits by the admin. */
  client(granted: number): Promise<TokenHolder>;
  /** The client's Redis key of its cached balance. */
  balanceKey(u: TokenHolder): string;
  /** The cached balance's available micro-credits (null: none cached). */
  cachedMicro(u: TokenHolder): Promise<number | null>;
  /** Waits (up to `withinMs`: what the cache is sent is sent without waiting) for the cached balance to equal the ledger's `sum`. */
  expectCacheMatchesLedger(u: TokenHolder, sum: number, withinMs: number): Promise<void>;
}

/** One chat call of `u` on `t` (a fake answer: CALL_MICRO); its status. */
export async function chat(t: TestApp, u: TokenHolder): Promise<number> {
  const res = await fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], max_tokens: WORDS }),
  });
  await res.text();
  return res.status;
}

/**
 * Two instances in credits mode sharing Postgres and a throwaway redis-server, for the tests of
 * what crosses instances (leases, a Redis outage). Debits are written when a test flushes them
 * (USAGE_FLUSH_INTERVAL_MS is a minute), so a test decides which are still unwritten. Call at a
 * test file's top level: it registers its own beforeAll and afterAll, and the fields are set once
 * its beforeAll has run.
 */
export function creditInstances(name: string): CreditInstances {
  const f = {
    async client(granted) {
      const u = await userWithToken(f.a.origin);
      const r = await call(f.a.origin, 'grantCredits', { params: { id: u.clientId }, body: { amount: granted }, as: { cookie: f.admin.cookie } });
      expect(r.status).toBe(200);
      return u;
    },
    balanceKey: (u) => `${f.redisPrefix}credits:${u.clientId}`,
    async cachedMicro(u) {
      const v = await f.inspector.hget(f.balanceKey(u), 'avail');
      return v === null ? null : Number(v);
    },
    async expectCacheMatchesLedger(u, sum, withinMs) {
      await waitFor(async () => (await f.cachedMicro(u)) === sum, withinMs, `the cached balance to equal the ledger's ${sum}`).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; it is ${await f.cachedMicro(u)}`);
      });
    },
  } as CreditInstances;
  beforeAll(async () => {
    f.upstream = await startFakeUpstream({ words: WORDS });
    f.redis = await ThrowawayRedis.start();
    f.inspector = f.redis.client();
    const admin = `${name}-admin@example.com`;
    f.env = {
      REDIS_URL: f.redis.url,
      UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: f.upstream.url, api_key: `sk-${name}-upstream` }]),
      ADMIN_EMAILS: admin,
      BILLING_MODE: 'credits',
      MODEL_PRICES: JSON.stringify({ 'gpt-fake': { input: 1000, output: 1000 }, '*': { input: 0, output: 0 } }),
      USAGE_FLUSH_INTERVAL_MS: '60000',
      RATE_LIMIT_TOKEN_PER_MINUTE: '1000000',
    };
    f.redisPrefix = `aius-test:${randomBytes(4).toString('hex')}:`;
    f.a = await startTestApp(f.env, { redisPrefix: f.redisPrefix });
    f.b = await startTestApp(f.env, { db: f.a.db, redisPrefix: f.redisPrefix });
    f.admin = await registerUser(f.a.origin, { email: admin });
  });
  afterAll(async () => {
    f.redis?.freeze(false);
    await f.b?.close();
    await f.a?.close();
    f.inspector?.disconnect();
    await f.redis?.kill();
    await f.upstream?.close();
  });
  return f;
}
