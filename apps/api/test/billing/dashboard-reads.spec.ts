import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, registerUser, startFakeUpstream, userWithToken, type FakeUpstream, type RegisteredUser, type TokenHolder } from '@aius/test-support';
import { CreditGate } from '../../src/modules/billing/credit-gate.js';
import { ROOMY_LIMITS, startTestApp, type TestApp } from '../support/test-app.js';

/**
 * What the dashboard reads besides the §12 routes: GET /instance's billing_mode, credits spent
 * per day (the Billing page's chart), and the model list a token's allowlist is picked from.
 * `gpt-fake` costs $1,000 per million tokens both ways: a fake answer (11 + 5 tokens) costs 1.6 credits.
 */
const ADMIN = 'billing-reads-admin@example.com';
let upstream: FakeUpstream;
let on: TestApp;
let off: TestApp;
let admin: RegisteredUser;

beforeAll(async () => {
  upstream = await startFakeUpstream({ words: 5 });
  const env = {
    ...ROOMY_LIMITS,
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstream.url, api_key: 'sk-up', models: ['gpt-fake', 'gpt-free'] }]),
    ADMIN_EMAILS: ADMIN,
    BILLING_MODE: 'credits',
    MODEL_PRICES: JSON.stringify({ 'gpt-fake': { input: 1000, output: 1000 }, '*': { input: 0, output: 0 } }),
  };
  on = await startTestApp(env);
  off = await startTestApp({ ...env, BILLING_MODE: 'off' }, { db: on.db });
  admin = await registerUser(on.origin, { email: ADMIN });
});
afterAll(async () => {
  await off?.close();
  await on?.close();
  await upstream?.close();
});

const chat = (u: TokenHolder) =>
  fetch(`${on.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }),
  });

describe('GET /instance', () => {
  it('says which billing mode the instance runs', async () => {
    expect(await callOk(on.origin, 'instanceInfo')).toMatchObject({ billing_mode: 'credits' });
    expect(await callOk(off.origin, 'instanceInfo')).toMatchObject({ billing_mode: 'off' });
  });
});

describe('GET /clients/{id}/credits/daily', () => {
  it('lists every day of the range with what its calls cost, grants left out', async () => {
    const u = await userWithToken(on.origin);
    await callOk(on.origin, 'grantCredits', { params: { id: u.clientId }, body: { amount: 10 }, as: { cookie: admin.cookie } });
    for (let i = 0; i < 2; i++) expect((await chat(u)).status).toBe(200);
    await on.app.get(CreditGate).flush();

    const today = new Date().toISOString().slice(0, 10);
    const month = await callOk(on.origin, 'creditsDaily', { params: { id: u.clientId }, query: {}, as: { bearer: u.token } });
    expect(month.daily).toHaveLength(30);
    expect(month.daily.at(-1)).toEqual({ date: today, spent: 3.2 });
    expect(month.daily.slice(0, -1).every((d) => d.spent === 0)).toBe(true);
    expect(month.total_spent).toBe(3.2);
    expect(month.org_id).toBe(u.clientId);
  });

  it('refuses a reversed range, a non-member, and answers 404 with billing off', async () => {
    const u = await userWithToken(on.origin);
    const stranger = await registerUser(on.origin);
    // 2020 to today is longer than a query may ask for (366 days).
    const long = await call(on.origin, 'creditsDaily', { params: { id: u.clientId }, query: { from: '2020-01-01' }, as: { cookie: u.cookie } });
    expect(long.status).toBe(400);
    const reversed = await call(on.origin, 'creditsDaily', { params: { id: u.clientId }, query: { from: '2026-02-02', to: '2026-02-01' }, as: { cookie: u.cookie } });
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ detail: { code: 'INVALID_REQUEST' } });
    const foreign = await call(on.origin, 'creditsDaily', { params: { id: u.clientId }, query: {}, as: { cookie: stranger.cookie } });
    expect(foreign.status).toBe(403);
    const gone = await call(off.origin, 'creditsDaily', { params: { id: u.clientId }, query: {}, as: { cookie: u.cookie } });
    expect(gone).toMatchObject({ status: 404, body: { detail: 'Not Found' } });
  });
});

describe('GET /tokens/models', () => {
  it('lists the configured models to a session, and takes no bearer', async () => {
    const u = await userWithToken(on.origin);
    const list = await callOk(on.origin, 'tokenModelChoices', { as: { cookie: u.cookie } });
    expect(list.data.map((m) => m.id)).toEqual(['gpt-fake', 'gpt-free']);
    const bearer = await call(on.origin, 'tokenModelChoices', { as: { bearer: u.token } });
    expect(bearer.status).toBe(401);
  });
});
