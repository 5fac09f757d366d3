import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { call, structured } from '../auth/support.js';
import { freshCode, wrongCode } from './support.js';

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

    const registered = await call(t, 'POST', '/register', { body: { name: 'Story', email, password } });
    expect(registered.status).toBe(200);
    const userId: string = registered.body.user.id;
    let cookie = `__Host-aius_session=${registered.body.session_token}`;

    const setup = await call(t, 'POST', '/2fa/setup', { cookie });
    expect(setup.status).toBe(200);
    const secret: string = setup.body.secret;

    const enabled = await call(t, 'POST', '/2fa/enable', { cookie, body: { code: await freshCode(t, userId, secret) } });
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    const recoveryCodes: string[] = enabled.body.recovery_codes;
    expect(recoveryCodes).toHaveLength(10);

    expect(await call(t, 'POST', '/logout', { cookie })).toMatchObject({ status: 200, body: { logged_out: true } });
    expect((await call(t, 'GET', '/me', { cookie })).status).toBe(401);

    const login = await call(t, 'POST', '/login', { body: { email, password } });
    expect(login).toMatchObject({ status: 200, body: { requires_2fa: true, email, message: 'Two-factor authentication required' } });
    expect(login.headers.get('set-cookie')).toBeNull();
    const challenge: string = login.body.challenge_token;

    const wrong = await call(t, 'POST', '/2fa/login', { body: { challenge_token: challenge, code: await wrongCode(secret) } });
    expect(wrong).toMatchObject({ status: 401, body: structured('INVALID_CODE', 'Invalid authentication code') });

    const right = await call(t, 'POST', '/2fa/login', { body: { challenge_token: challenge, code: await freshCode(t, userId, secret) } });
    expect(right).toMatchObject({ status: 200, body: { user: registered.body.user, message: 'Login successful' } });
    cookie = `__Host-aius_session=${right.body.session_token}`;
    expect(await call(t, 'GET', '/me', { cookie })).toMatchObject({ status: 200, body: { two_factor_enabled: true } });

    const secondLogin = await call(t, 'POST', '/login', { body: { email, password } });
    const viaRecovery = await call(t, 'POST', '/2fa/login', {
      body: { challenge_token: secondLogin.body.challenge_token, code: recoveryCodes[0] },
    });
    expect(viaRecovery.status).toBe(200);
    expect(viaRecovery.body.message).toBe('Login successful');

    const thirdLogin = await call(t, 'POST', '/login', { body: { email, password } });
    const reused = await call(t, 'POST', '/2fa/login', {
      body: { challenge_token: thirdLogin.body.challenge_token, code: recoveryCodes[0] },
    });
    expect(reused).toMatchObject({ status: 401, body: structured('INVALID_CODE', 'Invalid authentication code') });

    const disabled = await call(t, 'POST', '/2fa/disable', { cookie, body: { code: await freshCode(t, userId, secret) } });
    expect(disabled).toMatchObject({ status: 200, body: { enabled: false } });
    expect((await call(t, 'GET', '/2fa/status', { cookie })).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
    const plain = await call(t, 'POST', '/login', { body: { email, password } });
    expect(plain.body.message).toBe('Login successful');
  });
});
