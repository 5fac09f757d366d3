import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callRaw, ok, registerUser, type RegisteredUser } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { challengeToken, freshCode, sessionToken, userWithTwoFactor, wrongCode } from './support.js';
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
const NOT_STARTED = structured('2FA_NOT_STARTED', 'Two-factor setup has not been started');
const NOT_ENABLED = structured('2FA_NOT_ENABLED', 'Two-factor authentication is not enabled');
const ALREADY_ENABLED = structured('2FA_ALREADY_ENABLED', 'Two-factor authentication is already enabled');
const RECOVERY_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;

type SessionRoute = 'twoFactorSetup' | 'twoFactorEnable' | 'twoFactorDisable' | 'twoFactorRecoveryCodes';
/** A 2FA route with the user's session; the body as given (some tests send a wrong one). */
const post = <N extends SessionRoute>(route: N, user: RegisteredUser, body?: unknown) => callRaw(t.origin, route, { as: { cookie: user.cookie }, body });
const status = (user: RegisteredUser) => call(t.origin, 'twoFactorStatus', { as: { cookie: user.cookie } });
const secondSession = async (user: RegisteredUser) => {
  const r = await call(t.origin, 'login', { body: { email: user.email, password: user.password } });
  return `__Host-aius_session=${sessionToken(r)}`;
};

describe('2FA setup', () => {
  it('a fresh account has 2FA off and no recovery codes', async () => {
    const ada = await registerUser(t.origin);
    expect(await status(ada)).toMatchObject({ status: 200, body: { enabled: false, recovery_codes_remaining: 0 } });
  });

  it('answers a base32 secret and the otpauth URL of the spec, and keeps the secret only encrypted', async () => {
    const ada = await registerUser(t.origin, { email: 'ada+2fa@example.com' });
    const r = await post('twoFactorSetup', ada);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ secret: expect.stringMatching(/^[A-Z2-7]{32}$/), otpauth_url: expect.any(String) });
    expect(ok(r).otpauth_url).toBe(`otpauth://totp/AIUS:ada%2B2fa@example.com?secret=${ok(r).secret}&issuer=AIUS`);
    const [row] = await sql<{ pending_secret_enc: string; secret_enc: string | null; enabled_at: Date | null }>(
      t,
      'SELECT pending_secret_enc, secret_enc, enabled_at FROM two_factor WHERE user_id = $1',
      [ada.user.id],
    );
    expect(row!.pending_secret_enc).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.pending_secret_enc).not.toContain(ok(r).secret);
    expect(row!.secret_enc).toBeNull();
    expect(row!.enabled_at).toBeNull();
    expect((await status(ada)).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
  });

  it('a second setup replaces the pending secret: only the new one enables', async () => {
    const ada = await registerUser(t.origin);
    const first = ok(await post('twoFactorSetup', ada)).secret;
    const second = ok(await post('twoFactorSetup', ada)).secret;
    expect(second).not.toBe(first);
    expect(await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, first) })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect((await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, second) })).status).toBe(200);
  });

  it('concurrent setups (a double click) all succeed, and one of the secrets handed out enables', async () => {
    const users = await Promise.all([registerUser(t.origin), registerUser(t.origin), registerUser(t.origin)]);
    const replies = await Promise.all(users.map((u) => Promise.all(Array.from({ length: 6 }, () => post('twoFactorSetup', u)))));
    expect(replies.flat().map((r) => r.status)).toEqual(Array(18).fill(200));
    const [ada] = users;
    let enabled = 0;
    for (const r of replies[0]!) {
      if ((await post('twoFactorEnable', ada!, { code: await freshCode(t, ada!.user.id, ok(r).secret) })).status === 200) enabled++;
    }
    expect(enabled).toBe(1);
  });

  it('setup while 2FA is on is 409 2FA_ALREADY_ENABLED and leaves the secret alone', async () => {
    const ada = await userWithTwoFactor(t);
    expect(await post('twoFactorSetup', ada)).toMatchObject({ status: 409, body: ALREADY_ENABLED });
    expect((await post('twoFactorDisable', ada, { code: await freshCode(t, ada.user.id, ada.secret) })).status).toBe(200);
  });

  it('management routes need a credential: changes the session cookie (spec §4), status either credential', async () => {
    expect(await call(t.origin, 'twoFactorSetup')).toMatchObject({ status: 401, body: { detail: 'no session cookie' } });
    expect(await call(t.origin, 'twoFactorStatus')).toMatchObject({ status: 401, body: structured('UNAUTHENTICATED', 'Authentication required') });
  });
});

describe('2FA enable', () => {
  it('checks in order: 2FA_NOT_STARTED, INVALID_CODE (400), 2FA_ALREADY_ENABLED', async () => {
    const ada = await registerUser(t.origin);
    expect(await post('twoFactorEnable', ada, { code: '123456' })).toMatchObject({ status: 400, body: NOT_STARTED });
    const { secret } = ok(await post('twoFactorSetup', ada));
    expect(await post('twoFactorEnable', ada, { code: await wrongCode(secret) })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await post('twoFactorEnable', ada, { code: 'not-a-code' })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await post('twoFactorEnable', ada, {})).toMatchObject({ status: 400, body: INVALID_CODE });
    expect((await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, secret) })).status).toBe(200);
    expect(await post('twoFactorEnable', ada, { code: await wrongCode(secret) })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, secret) })).toMatchObject({ status: 409, body: ALREADY_ENABLED });
  });

  it('turns 2FA on and shows ten recovery codes once, stored only as hashes', async () => {
    const ada = await registerUser(t.origin);
    const { secret } = ok(await post('twoFactorSetup', ada));
    const r = await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, secret) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ enabled: true, recovery_codes: expect.any(Array) });
    const codes: string[] = ok(r).recovery_codes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    expect((await status(ada)).body).toEqual({ enabled: true, recovery_codes_remaining: 10 });
    expect(ok(await call(t.origin, 'me', { as: { cookie: ada.cookie } })).two_factor_enabled).toBe(true);

    const stored = await sql<{ code_hash: string }>(t, 'SELECT code_hash FROM recovery_codes WHERE user_id = $1', [ada.user.id]);
    expect(stored).toHaveLength(10);
    const dump = JSON.stringify(await sql(t, 'SELECT * FROM recovery_codes')) + JSON.stringify(await sql(t, 'SELECT * FROM two_factor'));
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace('-', ''));
    }
    expect(dump).not.toContain(secret);
  });

  it('a code used to enable cannot be used again', async () => {
    const ada = await registerUser(t.origin);
    const { secret } = ok(await post('twoFactorSetup', ada));
    const code = await freshCode(t, ada.user.id, secret);
    expect((await post('twoFactorEnable', ada, { code })).status).toBe(200);
    expect(await post('twoFactorDisable', ada, { code })).toMatchObject({ status: 400, body: INVALID_CODE });
  });

  it('ends the user’s other sessions and keeps the caller’s', async () => {
    const ada = await registerUser(t.origin);
    const other = await secondSession(ada);
    const { secret } = ok(await post('twoFactorSetup', ada));
    expect((await post('twoFactorEnable', ada, { code: await freshCode(t, ada.user.id, secret) })).status).toBe(200);
    expect(await call(t.origin, 'me', { as: { cookie: other } })).toMatchObject({ status: 401, body: { detail: 'invalid session' } });
    expect((await call(t.origin, 'me', { as: { cookie: ada.cookie } })).status).toBe(200);
  });
});

describe('2FA disable', () => {
  it('checks in order: 2FA_NOT_ENABLED, then INVALID_CODE (400)', async () => {
    const ada = await registerUser(t.origin);
    expect(await post('twoFactorDisable', ada, { code: 'whatever' })).toMatchObject({ status: 400, body: NOT_ENABLED });
    await post('twoFactorSetup', ada);
    expect(await post('twoFactorDisable', ada, { code: '123456' })).toMatchObject({ status: 400, body: NOT_ENABLED });
    const on = await userWithTwoFactor(t);
    expect(await post('twoFactorDisable', on, { code: await wrongCode(on.secret) })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(await post('twoFactorDisable', on, { code: 'aaaaa-aaaaa' })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect(ok(await status(on)).enabled).toBe(true);
  });

  it('a TOTP code turns 2FA off, forgets secret and codes, and ends other sessions', async () => {
    const ada = await userWithTwoFactor(t);
    const other = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challengeToken(await call(t.origin, 'login', { body: { email: ada.email, password: ada.password } })), code: ada.recoveryCodes[0]! } });
    expect(other.status).toBe(200);
    const r = await post('twoFactorDisable', ada, { code: await freshCode(t, ada.user.id, ada.secret) });
    expect(r).toMatchObject({ status: 200, body: { enabled: false } });
    expect((await status(ada)).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
    expect(await sql(t, 'SELECT user_id FROM two_factor WHERE user_id = $1', [ada.user.id])).toEqual([]);
    expect(await sql(t, 'SELECT id FROM recovery_codes WHERE user_id = $1', [ada.user.id])).toEqual([]);
    expect((await call(t.origin, 'me', { as: { cookie: `__Host-aius_session=${ok(other).session_token}` } })).status).toBe(401);
    expect((await call(t.origin, 'me', { as: { cookie: ada.cookie } })).status).toBe(200);
    const login = await call(t.origin, 'login', { body: { email: ada.email, password: ada.password } });
    expect(ok(login).message).toBe('Login successful');
  });

  it('a recovery code turns 2FA off too', async () => {
    const ada = await userWithTwoFactor(t);
    expect(await post('twoFactorDisable', ada, { code: ada.recoveryCodes[3]!.toUpperCase() })).toMatchObject({ status: 200, body: { enabled: false } });
  });
});

describe('2FA recovery codes', () => {
  it('checks in order: 2FA_NOT_ENABLED, then INVALID_CODE (400)', async () => {
    const ada = await registerUser(t.origin);
    expect(await post('twoFactorRecoveryCodes', ada, { code: '123456' })).toMatchObject({ status: 400, body: NOT_ENABLED });
    const on = await userWithTwoFactor(t);
    expect(await post('twoFactorRecoveryCodes', on, { code: await wrongCode(on.secret) })).toMatchObject({ status: 400, body: INVALID_CODE });
  });

  it('regenerating gives ten new codes, kills the old set and ends other sessions', async () => {
    const ada = await userWithTwoFactor(t);
    const used = ada.recoveryCodes[0]!;
    const otherLogin = await call(t.origin, 'login', { body: { email: ada.email, password: ada.password } });
    const other = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challengeToken(otherLogin), code: used } });
    expect(ok(await status(ada)).recovery_codes_remaining).toBe(9);

    const r = await post('twoFactorRecoveryCodes', ada, { code: await freshCode(t, ada.user.id, ada.secret) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ recovery_codes: expect.any(Array) });
    expect(ok(r).recovery_codes).toHaveLength(10);
    for (const code of ok(r).recovery_codes) expect(ada.recoveryCodes).not.toContain(code);
    expect((await status(ada)).body).toEqual({ enabled: true, recovery_codes_remaining: 10 });
    expect((await call(t.origin, 'me', { as: { cookie: `__Host-aius_session=${ok(other).session_token}` } })).status).toBe(401);
    expect(await post('twoFactorDisable', ada, { code: ada.recoveryCodes[1]! })).toMatchObject({ status: 400, body: INVALID_CODE });
    expect((await post('twoFactorDisable', ada, { code: ok(r).recovery_codes[0] })).status).toBe(200);
  });

  it('a recovery code is accepted to regenerate (and is spent by it)', async () => {
    const ada = await userWithTwoFactor(t);
    const r = await post('twoFactorRecoveryCodes', ada, { code: ada.recoveryCodes[2]! });
    expect(r.status).toBe(200);
    expect(await post('twoFactorRecoveryCodes', ada, { code: ada.recoveryCodes[2]! })).toMatchObject({ status: 400, body: INVALID_CODE });
  });
});

describe('2FA under concurrency', () => {
  it('two concurrent disables with two different recovery codes both end with 2FA off, never a 500', async () => {
    const ada = await userWithTwoFactor(t);
    const results = await Promise.all([
      post('twoFactorDisable', ada, { code: ada.recoveryCodes[0]! }),
      post('twoFactorDisable', ada, { code: ada.recoveryCodes[1]! }),
    ]);
    for (const r of results) expect([200, 400]).toContain(r.status);
    expect(results.some((r) => r.status === 200)).toBe(true);
    expect((await status(ada)).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
  });
});
