import { afterEach, describe, expect, it } from 'vitest';
import { call, callRaw, errorKey, userWithToken, type ErrorEnvelope } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { challengeFor, freshCode, userWithTwoFactor, wrongCode, type TwoFactorUser } from './support.js';

/**
 * Wrong second-factor codes are counted per account (issue 12, item 3): across challenges,
 * across the routes that check a code (2fa/login, 2fa/disable, 2fa/recovery-codes), across
 * client IPs and across instances. Defaults: 10 per 15 minutes, 30 per 24 hours.
 */
let started: TestApp[] = [];
async function instances(env: Record<string, string> = {}) {
  const a = await startTestApp(env);
  const b = await startTestApp(env, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  started = [b, a];
  return { a, b };
}
afterEach(async () => {
  for (const app of started) await app.close();
  started = [];
});

const RATE_LIMITED = { detail: 'rate limit exceeded' };
let ip = 0;
/** Every attempt from another address (the test peer is a trusted proxy, so X-Forwarded-For is believed). */
const fromNewIp = () => ({ 'x-forwarded-for': `198.51.100.${++ip % 250}` });

/** One code checked for the user on route `i % 3`, on instance `t`. */
async function attempt(t: TestApp, user: TwoFactorUser, code: string, i: number) {
  const headers = fromNewIp();
  switch (i % 3) {
    case 0:
      return call(t.origin, 'twoFactorLogin', { body: { challenge_token: await challengeFor(t, user), code }, as: { headers } });
    case 1:
      return call(t.origin, 'twoFactorDisable', { body: { code }, as: { headers, cookie: user.cookie } });
    default:
      return call(t.origin, 'twoFactorRecoveryCodes', { body: { code }, as: { headers, cookie: user.cookie } });
  }
}

const isWrongCodeAnswer = (r: { ok: boolean; status: number; body: unknown }) => [400, 401].includes(r.status) && !r.ok && errorKey(r.body as ErrorEnvelope) === 'INVALID_CODE';

describe('wrong second-factor codes per account', () => {
  it('lock the account after 10, counted across challenges, routes, IPs and both instances; then even the right code waits', async () => {
    const { a, b } = await instances();
    const user = await userWithTwoFactor(a);
    const wrong = await wrongCode(user.secret);
    for (let i = 0; i < 10; i++) {
      const r = await attempt(i % 2 ? b : a, user, wrong, i);
      expect({ i, ok: isWrongCodeAnswer(r) }).toEqual({ i, ok: true });
    }
    for (const [i, t] of [[0, b], [1, a], [2, b]] as const) {
      const r = await attempt(t, user, await freshCode(a, user.user.id, user.secret), i);
      expect({ status: r.status, body: r.body }).toEqual({ status: 429, body: RATE_LIMITED });
      const retryAfter = Number(r.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(60);
      expect(retryAfter).toBeLessThanOrEqual(90);
      expect(r.headers.get('ratelimit-policy')).toBe('"per-account-2fa";q=10;w=900');
    }
    // Nothing changed behind the lock.
    expect((await call(a.origin, 'twoFactorStatus', { as: { cookie: user.cookie } })).body).toEqual({ enabled: true, recovery_codes_remaining: 10 });
    // Another account is not affected.
    const other = await userWithTwoFactor(b);
    expect(isWrongCodeAnswer(await attempt(a, other, await wrongCode(other.secret), 1))).toBe(true);
  });

  it('do not count a right code, nor forgive earlier wrong ones when a right one comes', async () => {
    const { a, b } = await instances();
    const user = await userWithTwoFactor(a);
    const wrong = await wrongCode(user.secret);
    for (let i = 0; i < 9; i++) expect(isWrongCodeAnswer(await attempt(a, user, wrong, i))).toBe(true);
    const login = await call(b.origin, 'twoFactorLogin', { body: { challenge_token: await challengeFor(b, user), code: await freshCode(b, user.user.id, user.secret) } });
    expect(login.status).toBe(200);
    expect(isWrongCodeAnswer(await attempt(b, user, wrong, 2))).toBe(true);
    expect((await attempt(a, user, wrong, 1)).status).toBe(429);
  });

  it('open one more attempt per window/limit after the lock, and at most the daily number per 24 h', async () => {
    const { a } = await instances({ RATE_LIMIT_2FA_FAILURES: '3', RATE_LIMIT_2FA_WINDOW_SECONDS: '3', RATE_LIMIT_2FA_DAILY_FAILURES: '5' });
    const user = await userWithTwoFactor(a);
    const wrong = await wrongCode(user.secret);
    for (let i = 0; i < 3; i++) expect(isWrongCodeAnswer(await attempt(a, user, wrong, i))).toBe(true);
    const locked = await attempt(a, user, wrong, 0);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('1');
    await new Promise((r) => setTimeout(r, 1_100));
    expect(isWrongCodeAnswer(await attempt(a, user, wrong, 1))).toBe(true);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(isWrongCodeAnswer(await attempt(a, user, wrong, 2))).toBe(true);
    // 5 wrong codes today: the daily quota now holds, however long the short window has been quiet.
    await new Promise((r) => setTimeout(r, 3_100));
    const daily = await attempt(a, user, await freshCode(a, user.user.id, user.secret), 0);
    expect(daily.status).toBe(429);
    expect(daily.headers.get('ratelimit-policy')).toBe('"per-account-2fa-daily";q=5;w=86400');
    expect(Number(daily.headers.get('retry-after'))).toBeGreaterThan(17_000);
  });

  it('without Redis, still lock the account on each instance', async () => {
    const { a } = await instances({ REDIS_URL: '' });
    const user = await userWithTwoFactor(a);
    const wrong = await wrongCode(user.secret);
    for (let i = 0; i < 10; i++) expect(isWrongCodeAnswer(await attempt(a, user, wrong, i))).toBe(true);
    expect((await attempt(a, user, wrong, 0)).status).toBe(429);
  });
});

describe('2FA changes are session-only (spec §4)', () => {
  it('refuse a bearer token on setup, enable, disable and recovery-codes; status still takes one', async () => {
    const { a } = await instances();
    const user = await userWithToken(a.origin, { request: { token_name: '2fa test' } });
    for (const route of ['twoFactorSetup', 'twoFactorEnable', 'twoFactorDisable', 'twoFactorRecoveryCodes'] as const) {
      const r = await callRaw(a.origin, route, { body: { code: '123456' }, as: { bearer: user.token } });
      expect({ route, status: r.status, body: r.body }).toEqual({ route, status: 401, body: { detail: 'no session cookie' } });
    }
    expect(await call(a.origin, 'twoFactorStatus', { as: { bearer: user.token } })).toMatchObject({ status: 200, body: { enabled: false, recovery_codes_remaining: 0 } });
    expect((await call(a.origin, 'twoFactorSetup', { as: { cookie: user.cookie } })).status).toBe(200);
  });
});
