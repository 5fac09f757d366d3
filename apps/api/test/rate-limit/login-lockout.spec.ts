import { registerUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { expectCountdown } from './countdown.js';

let t: TestApp;
beforeAll(async () => {
  // Real per-account numbers; the per-IP credential limit is left high so only the account limit is in play.
  t = await startTestApp({ RATE_LIMIT_FAILED_LOGINS: '5', RATE_LIMIT_FAILED_LOGIN_WINDOW_SECONDS: '900' });
});
afterAll(async () => {
  await t?.close();
});

let ipCounter = 1;
/** Each attempt from another address: the lockout must follow the account, not the IP. */
function login(email: string, password: string) {
  return fetch(`${t.base}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${ipCounter++}` },
    body: JSON.stringify({ email, password }),
  }).then(async (res) => ({ status: res.status, headers: res.headers, body: await res.text() }));
}

describe('per-account failed-login limit', () => {
  it('after 5 wrong passwords the account answers 429 with Retry-After, even to the right password and from new IPs', async () => {
    const user = await registerUser(t.origin);
    const since = Date.now();
    for (let i = 0; i < 5; i++) {
      const r = await login(i % 2 ? user.email.toUpperCase() : user.email, 'wrong-Password-1!');
      expect(r.status).toBe(401);
    }
    const locked = await login(user.email, user.password);
    expect(locked.status).toBe(429);
    expect(locked.body).toBe('{"detail":"rate limit exceeded"}');
    expectCountdown(locked.headers.get('retry-after'), 180, since); // 5 per 900 s: one more every 3 minutes
    expect(locked.headers.get('ratelimit-policy')).toBe('"per-account";q=5;w=900');
    expect(locked.headers.get('ratelimit')).toMatch(/^"per-account";r=0;t=\d+$/);
    expectCountdown(locked.headers.get('ratelimit-reset'), 900, since);
    expect(locked.headers.get('set-cookie')).toBeNull();
  });

  it('a successful login clears earlier failures', async () => {
    const user = await registerUser(t.origin);
    for (let i = 0; i < 4; i++) expect((await login(user.email, 'wrong-Password-1!')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(user.email, 'wrong-Password-1!')).status).toBe(401);
    expect((await login(user.email, 'wrong-Password-1!')).status).toBe(429);
  });

  it('locking one account leaves the others alone', async () => {
    const [victim, bystander] = [await registerUser(t.origin), await registerUser(t.origin)];
    for (let i = 0; i < 6; i++) await login(victim.email, 'wrong-Password-1!');
    expect((await login(victim.email, victim.password)).status).toBe(429);
    expect((await login(bystander.email, bystander.password)).status).toBe(200);
  });
});
