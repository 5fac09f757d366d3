import { beforeAll, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '@aius/db';
import { call, callOk, waitFor, type TokenHolder } from '@aius/test-support';
import { CreditGate } from '../../src/modules/billing/credit-gate.js';
import { LEASE_CHECK_MS, LEASE_IDLE_MS, LEASE_TRUST_MS } from '../../src/modules/billing/credit-leases.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CALL_MICRO, chat, creditInstances } from './two-instances.js';

/**
 * Per-instance leases of a client's credit balance (issue 16, item 6): two instances share
 * Postgres and a redis-server of their own, so the commands sent about a balance can be watched.
 * Debits are written when the test flushes them (USAGE_FLUSH_INTERVAL_MS is a minute).
 * `gpt-fake` at $1,000 per million tokens both ways: one fake answer (11 + 5 tokens) costs 1.6
 * credits and holds about 8 (its request's bytes and max_tokens), so a lease (no lease under 64
 * holds' worth) needs a balance of a few hundred credits; these clients get thousands.
 */
const f = creditInstances('lease');
let { inspector, a, b, admin, env, redisPrefix } = f;
beforeAll(() => {
  ({ inspector, a, b, admin, env, redisPrefix } = f);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `n` calls, `concurrency` at a time; every one must succeed. */
const calls = async (t: TestApp, u: TokenHolder, n: number, concurrency = 1) => {
  for (let done = 0; done < n; done += concurrency) {
    const statuses = await Promise.all(Array.from({ length: Math.min(concurrency, n - done) }, () => chat(t, u)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  }
};
const flush = async (...apps: TestApp[]) => {
  for (const t of apps) await t.app.get(CreditGate).flush();
};
const { client, balanceKey, cachedMicro } = f;

/** Watches the calls settled on `t`, for the generation of the balance each was held against. */
const holdsSettled = (t: TestApp) => vi.spyOn(t.app.get(CreditGate), 'settle');
/** The generations of the first `n` holds settled (a call is settled just after its answer, hence the wait); stops watching. */
async function settledGens(spies: ReturnType<typeof holdsSettled>[], n: number): Promise<string[]> {
  const gens = () => spies.flatMap((spy) => spy.mock.calls.map(([hold]) => hold.gen));
  try {
    await waitFor(() => gens().length >= n, 2_000, `${n} calls settled`);
    return gens();
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

/** The ledger's sum (micro-credits), which the API's balance must equal; every usage row is one call. */
async function ledgerMicro(u: TokenHolder, usageRows?: number): Promise<number> {
  const rows = await a.app.get(PrismaService).creditTransaction.findMany({ where: { clientId: u.clientId } });
  const usage = rows.filter((r) => r.kind === 'usage');
  if (usageRows !== undefined) expect(usage).toHaveLength(usageRows);
  expect(usage.every((r) => Number(r.amount) === -CALL_MICRO)).toBe(true);
  const sum = rows.reduce((n, r) => n + Number(r.amount), 0);
  const credits = await callOk(a.origin, 'getCredits', { params: { id: u.clientId }, as: { cookie: u.cookie } });
  expect(Math.round(credits.total * 1_000_000)).toBe(sum);
  return sum;
}

/** Nothing is leased or held any more: the cached balance equals the ledger (give-backs are sent without waiting). */
const expectCacheMatchesLedger = (u: TokenHolder, sum: number) => f.expectCacheMatchesLedger(u, sum, 3_000);

/** Calls on `t` until one is held from a lease: afterwards the Redis balance is below the ledger by the lease. */
async function leaseOn(t: TestApp, u: TokenHolder): Promise<void> {
  await calls(t, u, 3);
  await flush(t);
  expect(await cachedMicro(u)).toBeLessThan(await ledgerMicro(u));
}

describe('credit leases', () => {
  it('a busy client is held from a lease: no Redis command per call, only the lease\'s own checks', async () => {
    const u = await client(10_000);
    await leaseOn(a, u);
    const holds = holdsSettled(a);
    const decided = { ...a.app.get(CreditGate).holds };
    const monitor = await inspector.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua' && args.includes(balanceKey(u))) seen.push(args.slice(0, 4).join(' '));
    });
    const started = performance.now();
    try {
      await calls(a, u, 400, 20);
    } finally {
      monitor.disconnect();
    }
    const elapsed = performance.now() - started;
    await waitFor(() => holds.mock.calls.length >= 400, 2_000, 'every call settled');
    const fromRedis = holds.mock.calls.filter(([hold]) => !hold.lease).length;
    holds.mockRestore();
    // Every call is held from the lease, unless the machine is so busy that the lease's
    // confirmation comes back more than LEASE_TRUST_MS late (then a call is decided in Redis).
    expect(fromRedis).toBeLessThanOrEqual(400 / 20);
    // The metrics' count of how holds were decided (aius_credit_holds_total) says the same.
    const now = a.app.get(CreditGate).holds;
    expect(now.lease + now.confirmed - decided.lease - decided.confirmed).toBe(400 - fromRedis);
    expect(now.balance + now.ledger - decided.balance - decided.ledger).toBe(fromRedis);
    expect(now.refused).toBe(decided.refused);
    // What Redis saw of the balance: the lease's check every LEASE_CHECK_MS (and a top-up or two), however many calls.
    expect(seen.length, seen.join('\n')).toBeLessThanOrEqual(Math.ceil(elapsed / LEASE_CHECK_MS) + 4 + 2 * fromRedis);
  });

  it('an idle lease goes back to its balance: the cached balance equals the ledger again', async () => {
    const u = await client(10_000);
    await leaseOn(a, u);
    await leaseOn(b, u);
    await calls(a, u, 10);
    await calls(b, u, 10);
    await sleep(LEASE_IDLE_MS + 3 * LEASE_CHECK_MS);
    await flush(a, b);
    await expectCacheMatchesLedger(u, await ledgerMicro(u, 26));
  });

  it('an admin change ends every lease of the balance before it answers, and the ledger still sums to the balance', async () => {
    const u = await client(10_000);
    await leaseOn(a, u);
    await leaseOn(b, u);
    await flush(a, b);
    const total = await ledgerMicro(u);
    // Leaves three calls' worth: the leases out on both instances hold far more.
    const adjusted = await call(a.origin, 'grantCredits', {
      params: { id: u.clientId },
      body: { amount: -(total - 3 * CALL_MICRO) / 1_000_000 },
      as: { cookie: admin.cookie },
    });
    expect(adjusted.status).toBe(200);
    // b's lease of the balance before the change is over: its next call is held against the rebuilt balance.
    const holds = holdsSettled(b);
    expect(await chat(b, u)).toBe(200);
    const [gen] = await settledGens([holds], 1);
    expect(gen).toBe(await inspector.hget(balanceKey(u), 'gen'));
    let more = 0;
    while ((await chat(more % 2 ? b : a, u)) === 200) more++;
    expect(1 + more).toBe(3);
    await flush(a, b);
    expect(await ledgerMicro(u, 6 + 3)).toBe(0);
    await expectCacheMatchesLedger(u, 0);
  });

  it(`a balance rebuilt under a lease (expired, or after an outage): from ${LEASE_TRUST_MS} ms later no call is held from the lease, and what it let through is counted once`, async () => {
    const u = await client(10_000);
    await leaseOn(a, u);
    await leaseOn(b, u);
    const leased = await inspector.hget(balanceKey(u), 'gen');
    await inspector.del(balanceKey(u)); // as when it expires, or once Redis is back after an outage
    await calls(a, u, 2); // may still be held from a's lease: within the bound
    await sleep(LEASE_TRUST_MS);
    const holds = [holdsSettled(a), holdsSettled(b)];
    await calls(b, u, 2); // rebuilds the balance from the ledger, with another generation
    await calls(a, u, 5, 5);
    const gens = await settledGens(holds, 7);
    const rebuilt = await inspector.hget(balanceKey(u), 'gen');
    expect(rebuilt).not.toBeNull();
    expect(rebuilt).not.toBe(leased);
    expect(gens).toEqual(Array.from({ length: 7 }, () => rebuilt));
    await sleep(LEASE_IDLE_MS + 3 * LEASE_CHECK_MS);
    await flush(a, b);
    await expectCacheMatchesLedger(u, await ledgerMicro(u, 3 + 3 + 2 + 2 + 5));
  });

  it('concurrent calls on two instances spend a leased balance exactly: 625 calls\' worth, 625 succeed in all', async () => {
    const u = await client(1_000); // 625 × 1.6 credits; a lease at first, none near the end
    const statuses: number[] = [];
    const spend = async (t: TestApp) => {
      for (;;) {
        const wave = await Promise.all(Array.from({ length: 8 }, () => chat(t, u)));
        statuses.push(...wave);
        expect(wave.every((s) => s === 200 || s === 402)).toBe(true);
        if (wave.includes(402)) return;
      }
    };
    await Promise.all([spend(a), spend(b)]);
    // What leases or holds kept back when a call was refused is spent one call at a time.
    await sleep(LEASE_IDLE_MS + 3 * LEASE_CHECK_MS);
    let more = 0;
    while ((await chat(more % 2 ? a : b, u)) === 200) more++;
    expect(statuses.filter((s) => s === 200).length + more).toBe(625);
    await flush(a, b);
    expect(await ledgerMicro(u, 625)).toBe(0);
    await expectCacheMatchesLedger(u, 0);
  });

  it('an instance that shuts down gives its lease back', async () => {
    const c = await startTestApp(env, { db: a.db, redisPrefix });
    const u = await client(10_000);
    try {
      await leaseOn(c, u);
      await calls(c, u, 10);
    } finally {
      await c.close();
    }
    await expectCacheMatchesLedger(u, await ledgerMicro(u, 13));
  });
});
