import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, ok } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { challengeToken, freshCode, wrongCode } from './support.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('the whole 2FA story over HTTP', () => {
  it('register → setup → enable → logout → challenge → wrong code → right code → recovery code once → disable', async () => {
    const email = 'story@example.com';
    const password = 'Story-time-42!';

    const registered = await call(t.origin, 'register', { body: { name: 'Story', email, password } });
    expect(registered.status).toBe(200);
    const userId: string = ok(registered).user.id;
    let cookie = `__Host-aius_session=${ok(registered).session_token}`;

    const setup = await call(t.origin, 'twoFactorSetup', { as: { cookie } });
    expect(setup.status).toBe(200);
    const secret: string = ok(setup).secret;

    const enabled = await call(t.origin, 'twoFactorEnable', { body: { code: await freshCode(t, userId, secret) }, as: { cookie } });
    expect(enabled.status).toBe(200);
    expect(ok(enabled).enabled).toBe(true);
    const recoveryCodes: string[] = ok(enabled).recovery_codes;
    expect(recoveryCodes).toHaveLength(10);

    expect(await call(t.origin, 'logout', { as: { cookie } })).toMatchObject({ status: 200, body: { logged_out: true } });
    expect((await call(t.origin, 'me', { as: { cookie } })).status).toBe(401);

    const login = await call(t.origin, 'login', { body: { email, password } });
    expect(login).toMatchObject({ status: 200, body: { requires_2fa: true, email, message: 'Two-factor authentication required' } });
    expect(login.headers.get('set-cookie')).toBeNull();
    const challenge: string = challengeToken(login);

    const wrong = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challenge, code: await wrongCode(secret) } });
    expect(wrong).toMatchObject({ status: 401, body: structured('INVALID_CODE', 'Invalid authentication code') });

    const right = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challenge, code: await freshCode(t, userId, secret) } });
    expect(right).toMatchObject({ status: 200, body: { user: ok(registered).user, message: 'Login successful' } });
    cookie = `__Host-aius_session=${ok(right).session_token}`;
    expect(await call(t.origin, 'me', { as: { cookie } })).toMatchObject({ status: 200, body: { two_factor_enabled: true } });

    const secondLogin = await call(t.origin, 'login', { body: { email, password } });
    const viaRecovery = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challengeToken(secondLogin), code: recoveryCodes[0]! } });
    expect(viaRecovery.status).toBe(200);
    expect(ok(viaRecovery).message).toBe('Login successful');

    const thirdLogin = await call(t.origin, 'login', { body: { email, password } });
    const reused = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challengeToken(thirdLogin), code: recoveryCodes[0]! } });
    expect(reused).toMatchObject({ status: 401, body: structured('INVALID_CODE', 'Invalid authentication code') });

    const disabled = await call(t.origin, 'twoFactorDisable', { body: { code: await freshCode(t, userId, secret) }, as: { cookie } });
    expect(disabled).toMatchObject({ status: 200, body: { enabled: false } });
    expect((await call(t.origin, 'twoFactorStatus', { as: { cookie } })).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
    const plain = await call(t.origin, 'login', { body: { email, password } });
    expect(ok(plain).message).toBe('Login successful');
  });
});
