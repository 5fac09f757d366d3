import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '@aius/db';
import { callOk, waitFor, type TokenHolder } from '@aius/test-support';
import { CreditGate } from '../../src/modules/billing/credit-gate.js';
import { RedisService } from '../../src/redis/redis.service.js';
import type { TestApp } from '../support/test-app.js';
import { CALL_MICRO, chat, creditInstances } from './two-instances.js';

/**
 * A Redis outage does not lose a debit (issue 16, item 2): two instances share Postgres and a
 * redis-server of their own, which is killed (or frozen) between calls. Debits are written by
 * each instance's batch writer, which the test flushes by hand (USAGE_FLUSH_INTERVAL_MS is a
 * minute), so it decides which debits are still unwritten when the balance is rebuilt.
 * `gpt-fake` at $1,000 per million tokens both ways: one fake answer (11 + 5 tokens) costs 1.6 credits.
 */
const f = creditInstances('outage');
let { redis, a, b } = f;
beforeAll(() => {
  ({ redis, a, b } = f);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const calls = async (t: TestApp, u: TokenHolder, n: number) => {
  for (let i = 0; i < n; i++) expect(await chat(t, u)).toBe(200);
};
const flush = (t: TestApp) => t.app.get(CreditGate).flush();
const redisUp = (t: TestApp) => t.app.get(RedisService).available;
const { client, cachedMicro } = f;

/** Every call is one usage row with its own id, and the ledger sums to the balance the API reports. */
async function expectLedger(u: TokenHolder, granted: number, usageRows: number): Promise<number> {
  const rows = await a.app.get(PrismaService).creditTransaction.findMany({ where: { clientId: u.clientId } });
  const usage = rows.filter((r) => r.kind === 'usage');
  expect(usage).toHaveLength(usageRows);
  expect(new Set(usage.map((r) => r.requestId)).size).toBe(usageRows);
  expect(usage.every((r) => Number(r.amount) === -CALL_MICRO && !r.estimated)).toBe(true);
  const sum = rows.reduce((n, r) => n + Number(r.amount), 0);
  expect(sum).toBe(granted * 1_000_000 - usageRows * CALL_MICRO);
  const credits = await callOk(a.origin, 'getCredits', { params: { id: u.clientId }, as: { cookie: u.cookie } });
  expect(Math.round(credits.total * 1_000_000)).toBe(sum);
  return sum;
}

/** Every settled call is in the cached balance exactly once: it equals the ledger (settles are sent without waiting). */
const expectCacheMatchesLedger = (u: TokenHolder, sum: number) => f.expectCacheMatchesLedger(u, sum, 2_000);

describe('credits through a Redis outage', () => {
  it('a killed Redis: calls before, during and after are each in the ledger once, and the cache is rebuilt from the ledger with every debit', async () => {
    const u = await client(100);
    await calls(a, u, 2);
    await calls(b, u, 2);
    await flush(a); // b's two debits stay unwritten through the outage

    await redis.kill();
    await waitFor(() => !redisUp(a) && !redisUp(b), 10_000, 'both instances to see Redis gone');
    await calls(a, u, 3);
    await calls(b, u, 3);
    await flush(a); // written while Redis is down; b's three more stay unwritten

    await redis.restart();
    await waitFor(() => redisUp(a) && redisUp(b), 10_000, 'both instances to reconnect');
    // Within a second of its return each instance drops the Redis balances it served from memory.
    await sleep(2_000);
    expect(await cachedMicro(u)).toBeNull(); // the restarted Redis remembers nothing
    await calls(a, u, 1); // rebuilds the shared balance from the ledger, without b's five debits
    await flush(b); // ...which reach the ledger now, and must reach the rebuilt balance too
    await flush(a);
    await expectCacheMatchesLedger(u, await expectLedger(u, 100, 11));
    await calls(a, u, 2);
    await calls(b, u, 2);
    await flush(a);
    await flush(b);

    await expectCacheMatchesLedger(u, await expectLedger(u, 100, 15));
  });

  it('a stalled Redis keeps a stale balance: once it answers again the balance is rebuilt from the ledger, with what was spent meanwhile', async () => {
    const u = await client(50);
    await calls(a, u, 2);
    await calls(b, u, 1);
    await flush(a);
    await flush(b);
    const before = await cachedMicro(u);
    expect(before).toBe(50_000_000 - 3 * CALL_MICRO);

    // Only the first call of each instance may wait on the stalled Redis for its credits (its
    // command's 1 s timeout); after that the instance decides in memory until a probe gets an answer.
    // Counted as the script commands the instances send while Redis is frozen.
    const scripts = ['creditsTake', 'creditsLoad', 'creditsSettle', 'creditsWritten'] as const;
    const evals = [a, b].map((t) => {
      const client = t.app.get(RedisService).client as unknown as Record<(typeof scripts)[number], () => Promise<unknown>>;
      return scripts.map((name) => vi.spyOn(client, name));
    });
    redis.freeze(true);
    try {
      await calls(a, u, 4);
      await calls(b, u, 4);
      await flush(a);
      // One call's command counts twice here (ioredis's auto-pipelining calls the command's
      // function again on its pipeline): one command per instance, not one per call (4 each).
      for (const spies of evals) expect(spies.reduce((n, e) => n + e.mock.calls.length, 0)).toBeLessThanOrEqual(2);
    } finally {
      redis.freeze(false);
      for (const e of evals.flat()) e.mockRestore();
    }
    // Redis kept its copy, which knows nothing of the eight calls decided in memory: it must not be used again.
    await sleep(2_000); // the probes (every 500 ms) find Redis answering again, and each instance drops what it missed
    await calls(a, u, 1);
    await calls(b, u, 1);
    await flush(a);
    await flush(b);
    await expectCacheMatchesLedger(u, await expectLedger(u, 50, 13));
  });
});
