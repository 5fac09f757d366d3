import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PrismaService } from '@aius/db';
import { call, callOk, FAKE_PROMPT_TOKENS, startFakeUpstream, type FakeUpstream, registerUser, type RegisteredUser, userWithToken, type TokenHolder } from '@aius/test-support';
import { BillingRepository } from '../../src/modules/billing/billing.repository.js';
import { CreditGate } from '../../src/modules/billing/credit-gate.js';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { scrapeMetric } from '../support/metrics.js';
import { startTestApp, type TestApp, ROOMY_LIMITS } from '../support/test-app.js';
import { UPSTREAM_KEY } from '../proxy/support.js';
import { ADMIN_EMAIL, RunClient, seedBuildAgent, sleep, userMessages } from '../runs/support.js';

/**
 * Spec §12 with BILLING_MODE=credits on two instances sharing Postgres and Redis. `gpt-fake` costs
 * $1,000 per million tokens both ways: a fake answer (11 prompt + 5 completion tokens) costs 16 ×
 * 1,000 × 100 micro-credits = 1.6 credits.
 */
const CALL_COST = 1.6;
const WORDS = 5;
const PRICES = JSON.stringify({ 'gpt-fake': { input: 1000, output: 1000 }, 'fake-endless': { input: 1000, output: 1000 }, '*': { input: 0, output: 0 } });

let upstream: FakeUpstream;
let a: TestApp;
let b: TestApp;
let off: TestApp;
let admin: RegisteredUser;

beforeAll(async () => {
  upstream = await startFakeUpstream({ words: WORDS });
  const env = {
    ...ROOMY_LIMITS,
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: UPSTREAM_KEY }]),
    ADMIN_EMAILS: ADMIN_EMAIL,
    BILLING_MODE: 'credits',
    MODEL_PRICES: PRICES,
    METRICS_PORT: '0',
  };
  const redisPrefix = `aius-test:${randomBytes(4).toString('hex')}:`;
  a = await startTestApp(env, { redisPrefix });
  b = await startTestApp(env, { db: a.db, redisPrefix });
  off = await startTestApp({ ...env, BILLING_MODE: 'off' }, { db: a.db, redisPrefix });
  admin = await registerUser(a.origin, { email: ADMIN_EMAIL });
});
afterAll(async () => {
  await off?.close();
  await b?.close();
  await a?.close();
  await upstream?.close();
});

const chat = (t: TestApp, token: string, extra: object = {}) =>
  fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], max_tokens: WORDS, ...extra }),
  });
const grant = (clientId: string, amount: number, as: RegisteredUser = admin) =>
  call(a.origin, 'grantCredits', { params: { id: clientId }, body: { amount, note: 'test grant' }, as: { cookie: as.cookie } });
const flushAll = async () => {
  await a.app.get(CreditGate).flush();
  await b.app.get(CreditGate).flush();
};
const creditsOf = (u: TokenHolder) => callOk(a.origin, 'getCredits', { params: { id: u.clientId }, as: { cookie: u.cookie } });
async function ledger(clientId: string) {
  return a.app.get(PrismaService).creditTransaction.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
}

describe('BILLING_MODE=off', () => {
  it('answers 404 Not Found on every credits route, and prices nothing', async () => {
    const u = await userWithToken(off.origin);
    const as = { cookie: u.cookie };
    for (const r of [
      await call(off.origin, 'getSubscription', { params: { id: u.clientId }, as }),
      await call(off.origin, 'getCredits', { params: { id: u.clientId }, as }),
      await call(off.origin, 'listCreditTransactions', { params: { id: u.clientId }, query: {}, as }),
      await call(off.origin, 'grantCredits', { params: { id: u.clientId }, body: { amount: 5 }, as: { cookie: admin.cookie } }),
    ]) {
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'Not Found' });
    }
    expect((await chat(off, u.token)).status).toBe(200);
  });
});

describe('plans, grants and the ledger', () => {
  it('only an instance admin grants or sets a plan; an unknown client is 404', async () => {
    const u = await userWithToken(a.origin);
    const r = await grant(u.clientId, 10, u);
    expect(r.status).toBe(403);
    expect((await grant('client_nope', 10)).status).toBe(404);
    const plan = await call(a.origin, 'setPlan', { params: { id: u.clientId }, body: { plan_name: 'team', monthly_quota_credits: 3 }, as: { cookie: u.cookie } });
    expect(plan.status).toBe(403);
  });

  it('takes a call from the period quota first, then from the top-ups; transactions page newest first', async () => {
    const u = await userWithToken(a.origin);
    const plan = await call(a.origin, 'setPlan', { params: { id: u.clientId }, body: { plan_name: 'team', monthly_quota_credits: 2 }, as: { cookie: admin.cookie } });
    expect(plan.ok && plan.body).toMatchObject({ org_id: u.clientId, plan_name: 'team', status: 'active', monthly_quota_credits: 2 });
    const granted = await grant(u.clientId, 10);
    expect(granted.ok && granted.body).toMatchObject({ kind: 'grant', amount: 10, balance_after: 12, note: 'test grant', estimated: false });
    expect(await creditsOf(u)).toMatchObject({ quota_remaining: 2, topup_balance: 10, total: 12 });
    expect((await chat(a, u.token)).status).toBe(200);
    expect((await chat(b, u.token)).status).toBe(200);
    await flushAll();
    expect(await creditsOf(u)).toMatchObject({ quota_remaining: 0, topup_balance: 12 - 2 * CALL_COST - 0, total: 12 - 2 * CALL_COST });
    const sub = await callOk(a.origin, 'getSubscription', { params: { id: u.clientId }, as: { cookie: u.cookie } });
    const start = new Date();
    expect(sub.current_period_start).toBe(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1) / 1000);
    const first = await callOk(a.origin, 'listCreditTransactions', { params: { id: u.clientId }, query: { limit: 2 }, as: { cookie: u.cookie } });
    expect(first.data.map((x) => x.kind)).toEqual(['usage', 'usage']);
    expect(first.data[0]).toMatchObject({ amount: -CALL_COST, model: 'gpt-fake', estimated: false });
    const rest = await callOk(a.origin, 'listCreditTransactions', { params: { id: u.clientId }, query: { limit: 10, before: first.next_before! }, as: { cookie: u.cookie } });
    expect(rest.data.map((x) => x.kind)).toEqual(['grant', 'adjustment']);
    expect(rest.next_before).toBeNull();
    const other = await userWithToken(a.origin);
    expect((await call(a.origin, 'getCredits', { params: { id: u.clientId }, as: { cookie: other.cookie } })).status).toBe(403);
  });

  it('a client with nothing left gets 402 INSUFFICIENT_CREDITS before any upstream call, counted as an error in its usage', async () => {
    const u = await userWithToken(a.origin);
    const calls = upstream.calls.length;
    const refused = await refusedHolds(a);
    const res = await chat(a, u.token);
    expect(res.status).toBe(402);
    expect(await refusedHolds(a)).toBe(refused + 1);
    expect(await res.json()).toEqual({ detail: { code: 'INSUFFICIENT_CREDITS', message: 'Insufficient credits' } });
    expect(upstream.calls.length).toBe(calls);
    await a.app.get(UsageRecorder).flush();
    const usage = await callOk(a.origin, 'usage', { query: { org_id: u.clientId }, as: { cookie: u.cookie } });
    expect(usage.totals).toMatchObject({ requests: 1, failed_requests: 1 });
  });

  it('a warm balance is checked without Postgres', async () => {
    const u = await userWithToken(a.origin);
    await grant(u.clientId, 100);
    expect((await chat(a, u.token)).status).toBe(200);
    const repository = a.app.get(BillingRepository);
    const reads = [vi.spyOn(repository, 'account'), vi.spyOn(repository, 'cacheSource')];
    try {
      for (let i = 0; i < 5; i++) expect((await chat(a, u.token)).status).toBe(200);
      for (const read of reads) expect(read).not.toHaveBeenCalled();
    } finally {
      for (const read of reads) read.mockRestore();
    }
  });
});

describe('two instances spending one balance', () => {
  it('N calls\' worth and 4N concurrent calls: at most N succeed, each in the ledger, which sums to the balance; then exactly N in all', async () => {
    const N = 6;
    const u = await userWithToken(a.origin);
    await grant(u.clientId, N * CALL_COST);
    const answers = await Promise.all(Array.from({ length: 4 * N }, (_, i) => chat(i % 2 ? a : b, u.token)));
    const statuses = answers.map((r) => r.status);
    const succeeded = statuses.filter((s) => s === 200).length;
    expect(statuses.every((s) => s === 200 || s === 402)).toBe(true);
    expect(succeeded).toBeGreaterThan(0);
    expect(succeeded).toBeLessThanOrEqual(N);
    await sleep(200);
    // What the burst's holds left unspent is spent one call at a time, alternating instances, until refused.
    let more = 0;
    while ((await chat(more % 2 ? a : b, u.token)).status === 200) more++;
    expect(succeeded + more).toBe(N);
    await flushAll();
    const rows = await ledger(u.clientId);
    expect(rows.filter((r) => r.kind === 'usage')).toHaveLength(N);
    const sum = rows.reduce((n, r) => n + Number(r.amount), 0) / 1e6;
    expect((await creditsOf(u)).total).toBeCloseTo(sum, 6);
    expect(sum).toBeCloseTo(0, 6);
  });
});

describe('metering what is billed', () => {
  it('a stream that did not ask for usage is billed its real tokens', async () => {
    const u = await userWithToken(a.origin);
    await grant(u.clientId, 50);
    const res = await chat(a, u.token, { stream: true });
    await res.text();
    await flushAll();
    const usage = (await ledger(u.clientId)).filter((r) => r.kind === 'usage');
    expect(usage.map((r) => [Number(r.amount), r.estimated])).toEqual([[-(FAKE_PROMPT_TOKENS + WORDS) * 1000 * 100, false]]);
  });

  it('a call whose client hangs up is still billed, its hold marked as an estimate', async () => {
    const u = await userWithToken(a.origin);
    await grant(u.clientId, 5000);
    const controller = new AbortController();
    const res = await fetch(`${a.base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fake-endless', messages: [], stream: true, max_tokens: 10 }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    const aborted = upstream.nextAbort();
    controller.abort();
    await aborted;
    await sleep(100);
    await flushAll();
    const usage = (await ledger(u.clientId)).filter((r) => r.kind === 'usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]).toMatchObject({ model: 'fake-endless', estimated: true });
  });

  it('the run loop sends the error frame "insufficient credits" when nothing is left', async () => {
    const adminToken = await userWithToken(a.origin, { holder: admin });
    await seedBuildAgent(a, adminToken.token);
    const u = await userWithToken(a.origin);
    const c = await RunClient.open(a);
    c.begin(u.token, { messages: userMessages, model: 'gpt-fake' });
    expect(await c.frame(1)).toEqual({ type: 'error', detail: 'insufficient credits' });
    expect((await c.closed).code).toBe(1011);
  });
});

/** The instance's `aius_credit_holds_total{decided="refused"}`, as its metrics port serves it. */
async function refusedHolds(t: TestApp): Promise<number> {
  const refused = await scrapeMetric(t, 'aius_credit_holds_total', { decided: 'refused' });
  expect(refused, 'the credit holds series').toBeDefined();
  return refused!;
}
