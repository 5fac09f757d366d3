import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, ok, callRaw, errorKey, type ErrorEnvelope } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { challengeFor, challengeToken, codeAt, freshCode, userWithTwoFactor, wrongCode, type TwoFactorUser } from './support.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const INVALID_CODE = structured('INVALID_CODE', 'Invalid authentication code');
const INVALID_CHALLENGE = structured('INVALID_CHALLENGE', 'Invalid or expired two-factor challenge');
const secondStep = (challenge_token: unknown, code: unknown) => callRaw(t.origin, 'twoFactorLogin', { body: { challenge_token, code } });
const sessionCount = async (user: TwoFactorUser) =>
  (await sql(t, 'SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL', [user.user.id])).length;

describe('login with 2FA on', () => {
  it('the password earns a challenge, not a session', async () => {
    const ada = await userWithTwoFactor(t);
    const before = await sessionCount(ada);
    const r = await call(t.origin, 'login', { body: { email: ada.email.toUpperCase(), password: ada.password } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      requires_2fa: true,
      challenge_token: expect.stringMatching(/^[\w-]{43}$/),
      email: ada.email,
      message: 'Two-factor authentication required',
    });
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await sessionCount(ada)).toBe(before);
    const [row] = await sql<{ token_hash: string }>(t, 'SELECT token_hash FROM two_factor_challenges WHERE user_id = $1', [ada.user.id]);
    expect(row!.token_hash).not.toBe(challengeToken(r));
  });

  it('a wrong password still gets INVALID_CREDENTIALS and no challenge', async () => {
    const ada = await userWithTwoFactor(t);
    const r = await call(t.origin, 'login', { body: { email: ada.email, password: 'wrong-password-1!' } });
    expect(r).toMatchObject({ status: 401, body: structured('INVALID_CREDENTIALS', 'Invalid email or password') });
  });

  it('the right TOTP code completes the login like a login without 2FA', async () => {
    const ada = await userWithTwoFactor(t);
    const r = await secondStep(await challengeFor(t, ada), await freshCode(t, ada.user.id, ada.secret));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ user: ada.user, message: 'Login successful', session_token: expect.stringMatching(/^eyJ/) });
    expect(r.headers.get('set-cookie')).toBe(
      `__Host-aius_session=${ok(r).session_token}; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax`,
    );
    const me = await call(t.origin, 'me', { as: { cookie: `__Host-aius_session=${ok(r).session_token}` } });
    expect(me.body).toEqual({ user: ada.user, two_factor_enabled: true, is_admin: false });
  });

  it('a wrong code is 401 INVALID_CODE and the challenge survives it', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    expect(await secondStep(challenge, await wrongCode(ada.secret))).toMatchObject({ status: 401, body: INVALID_CODE });
    expect(await secondStep(challenge, 'zzzzz-zzzzz')).toMatchObject({ status: 401, body: INVALID_CODE });
    expect((await secondStep(challenge, await freshCode(t, ada.user.id, ada.secret))).status).toBe(200);
  });

  it('checks the challenge before the code: missing, malformed or unknown token is 401 INVALID_CHALLENGE', async () => {
    const ada = await userWithTwoFactor(t);
    const code = await freshCode(t, ada.user.id, ada.secret);
    const unknown = 'A'.repeat(43);
    expect(await callRaw(t.origin, 'twoFactorLogin', { body: {} })).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    expect(await callRaw(t.origin, 'twoFactorLogin', { body: { code } })).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    for (const token of ['', 'short', unknown, `${unknown}!`, 'x'.repeat(5000)]) {
      expect(await secondStep(token, code)).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    }
    expect(await secondStep(unknown, 'wrong')).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    expect(await secondStep(await challengeFor(t, ada), undefined)).toMatchObject({ status: 401, body: INVALID_CODE });
  });

  it('a challenge is single-use', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    expect((await secondStep(challenge, ada.recoveryCodes[0])).status).toBe(200);
    expect(await secondStep(challenge, ada.recoveryCodes[1])).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
  });

  it('a challenge older than 5 minutes is 401 INVALID_CHALLENGE even with the right code', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    await sql(t, "UPDATE two_factor_challenges SET expires_at = now() - interval '1 millisecond' WHERE user_id = $1", [ada.user.id]);
    expect(await secondStep(challenge, ada.recoveryCodes[0])).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
  });

  it('lives exactly 5 minutes', async () => {
    const ada = await userWithTwoFactor(t);
    await challengeFor(t, ada);
    const [row] = await sql<{ ms: string }>(
      t,
      'SELECT (EXTRACT(EPOCH FROM (expires_at - created_at)) * 1000)::bigint AS ms FROM two_factor_challenges WHERE user_id = $1',
      [ada.user.id],
    );
    expect(Number(row!.ms)).toBe(300_000);
  });

  it('dies after 5 wrong codes: the right code is refused after that', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    const wrong = await wrongCode(ada.secret);
    for (let i = 0; i < 5; i++) expect(await secondStep(challenge, wrong)).toMatchObject({ status: 401, body: INVALID_CODE });
    expect(await secondStep(challenge, await freshCode(t, ada.user.id, ada.secret))).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    expect(await secondStep(challenge, ada.recoveryCodes[0])).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
    expect(ok(await call(t.origin, 'twoFactorStatus', { as: { cookie: ada.cookie } })).recovery_codes_remaining).toBe(10);
  });

  it('four wrong codes still leave the fifth try', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    for (let i = 0; i < 4; i++) expect((await secondStep(challenge, await wrongCode(ada.secret))).status).toBe(401);
    expect((await secondStep(challenge, ada.recoveryCodes[0])).status).toBe(200);
  });

  it('five concurrent wrong codes kill the challenge too (every attempt is counted)', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    const wrong = await wrongCode(ada.secret);
    const results = await Promise.all(Array.from({ length: 5 }, () => secondStep(challenge, wrong)));
    expect(results.map((r) => errorKey(r.body as ErrorEnvelope))).toEqual(Array(5).fill('INVALID_CODE'));
    expect(await secondStep(challenge, ada.recoveryCodes[0])).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
  });

  it('turning 2FA off kills outstanding challenges', async () => {
    const ada = await userWithTwoFactor(t);
    const challenge = await challengeFor(t, ada);
    expect((await call(t.origin, 'twoFactorDisable', { body: { code: ada.recoveryCodes[0]! }, as: { cookie: ada.cookie } })).status).toBe(200);
    expect(await secondStep(challenge, ada.recoveryCodes[1])).toMatchObject({ status: 401, body: INVALID_CHALLENGE });
  });
});

describe('TOTP replay', () => {
  it('a code accepted once is refused the second time, on a new challenge', async () => {
    const ada = await userWithTwoFactor(t);
    const code = await freshCode(t, ada.user.id, ada.secret);
    expect((await secondStep(await challengeFor(t, ada), code)).status).toBe(200);
    expect(await secondStep(await challengeFor(t, ada), code)).toMatchObject({ status: 401, body: INVALID_CODE });
  });

  it('once a step is used, the codes of earlier steps are refused too', async () => {
    const ada = await userWithTwoFactor(t);
    const [row] = await sql<{ last_used_step: string }>(t, 'SELECT last_used_step FROM two_factor WHERE user_id = $1', [ada.user.id]);
    const enabledAt = Number(row!.last_used_step);
    const later = await freshCode(t, ada.user.id, ada.secret);
    expect((await secondStep(await challengeFor(t, ada), later)).status).toBe(200);
    const earlier = await codeAt(ada.secret, enabledAt);
    expect(await secondStep(await challengeFor(t, ada), earlier)).toMatchObject({ status: 401, body: INVALID_CODE });
  });

  it('two concurrent logins with one code: exactly one succeeds', async () => {
    const ada = await userWithTwoFactor(t);
    const [a, b] = [await challengeFor(t, ada), await challengeFor(t, ada)];
    const code = await freshCode(t, ada.user.id, ada.secret);
    const results = await Promise.all([secondStep(a, code), secondStep(b, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(results.find((r) => r.status === 401)!.body).toEqual(INVALID_CODE);
  });
});

describe('recovery codes at login', () => {
  it('each works once, in any case and with or without the dash', async () => {
    const ada = await userWithTwoFactor(t);
    const [first, second] = ada.recoveryCodes as [string, string];
    expect((await secondStep(await challengeFor(t, ada), ` ${first.toUpperCase()} `)).status).toBe(200);
    expect(await secondStep(await challengeFor(t, ada), first)).toMatchObject({ status: 401, body: INVALID_CODE });
    expect((await secondStep(await challengeFor(t, ada), second.replace('-', ''))).status).toBe(200);
    expect((await call(t.origin, 'twoFactorStatus', { as: { cookie: ada.cookie } })).body).toEqual({ enabled: true, recovery_codes_remaining: 8 });
  });

  it('two concurrent logins with one recovery code: exactly one succeeds', async () => {
    const ada = await userWithTwoFactor(t);
    const [a, b] = [await challengeFor(t, ada), await challengeFor(t, ada)];
    const code = ada.recoveryCodes[5];
    const results = await Promise.all([secondStep(a, code), secondStep(b, code)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('another user’s recovery code is refused', async () => {
    const ada = await userWithTwoFactor(t);
    const bob = await userWithTwoFactor(t);
    expect(await secondStep(await challengeFor(t, ada), bob.recoveryCodes[0])).toMatchObject({ status: 401, body: INVALID_CODE });
  });
});

describe('2FA login racing 2FA changes', () => {
  it('a 2FA login and a disable at the same moment never end in a 500', async () => {
    for (let round = 0; round < 3; round++) {
      const ada = await userWithTwoFactor(t);
      const challenge = await challengeFor(t, ada);
      const [login, disable] = await Promise.all([
        secondStep(challenge, ada.recoveryCodes[0]),
        call(t.origin, 'twoFactorDisable', { body: { code: ada.recoveryCodes[1]! }, as: { cookie: ada.cookie } }),
      ]);
      expect(disable.status).toBe(200);
      // Whichever came first: the login either completed or found its challenge gone.
      expect([200, 401]).toContain(login.status);
      if (login.status === 401) expect(login.body).toEqual(INVALID_CHALLENGE);
    }
  });
});
