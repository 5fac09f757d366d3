import { call, registerUser } from '@aius/test-support';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sessionToken } from '../two-factor/support.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const INVALID_SESSION = { detail: 'invalid session' };
const cookieOf = (token: string) => `__Host-aius_session=${token}`;

async function signed(claims: { sub: string; sid: string; iat: number; exp: number }, secret = t.config.SESSION_SECRET) {
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt(claims.iat)
    .setExpirationTime(claims.exp)
    .sign(new TextEncoder().encode(secret));
}

describe('sessions', () => {
  it('GET /me answers the user and 2FA state for the session cookie, over plain HTTP', async () => {
    const ada = await registerUser(t.origin, { name: 'Ada' });
    expect(t.base.startsWith('http://')).toBe(true);
    const r = await call(t.origin, 'me', { as: { cookie: ada.cookie } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ user: ada.user, two_factor_enabled: false, is_admin: false });
  });

  it('the cookie is found among other cookies', async () => {
    const ada = await registerUser(t.origin);
    const r = await call(t.origin, 'me', { as: { cookie: `theme=dark; ${ada.cookie}; other=1` } });
    expect(r.status).toBe(200);
  });

  it('the session token is a JWT naming the user and the session row', async () => {
    const ada = await registerUser(t.origin);
    const [header, payload] = ada.sessionToken.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: ada.user.id, sid: expect.any(String), iat: expect.any(Number), exp: expect.any(Number) });
    expect(payload.exp - payload.iat).toBe(t.config.SESSION_TTL_SECONDS);
    const rows = await sql(t, 'SELECT user_id FROM sessions WHERE id = $1 AND revoked_at IS NULL', [payload.sid]);
    expect(rows).toEqual([{ user_id: ada.user.id }]);
  });

  it('GET /me without any credential is 401 UNAUTHENTICATED', async () => {
    const r = await call(t.origin, 'me');
    expect(r.status).toBe(401);
    expect(r.body).toEqual(structured('UNAUTHENTICATED', 'Authentication required'));
  });

  it('logout ends the session at once and clears the cookie', async () => {
    const ada = await registerUser(t.origin);
    const out = await call(t.origin, 'logout', { as: { cookie: ada.cookie } });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ logged_out: true });
    expect(out.headers.get('set-cookie')).toBe('__Host-aius_session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax');
    expect(await call(t.origin, 'me', { as: { cookie: ada.cookie } })).toMatchObject({ status: 401, body: INVALID_SESSION });
    expect(await call(t.origin, 'logout', { as: { cookie: ada.cookie } })).toMatchObject({ status: 401, body: INVALID_SESSION });
  });

  it('logout ends only that session, not the user’s others', async () => {
    const ada = await registerUser(t.origin);
    const second = await call(t.origin, 'login', { body: { email: ada.email, password: ada.password } });
    await call(t.origin, 'logout', { as: { cookie: ada.cookie } });
    expect((await call(t.origin, 'me', { as: { cookie: cookieOf(sessionToken(second)) } })).status).toBe(200);
  });

  it('logout without the session cookie is 401 no session cookie', async () => {
    const r = await call(t.origin, 'logout');
    expect(r).toMatchObject({ status: 401, body: { detail: 'no session cookie' } });
  });

  it('a forged token (other key, tampered payload, garbage, empty) is 401 invalid session', async () => {
    const ada = await registerUser(t.origin);
    const [h, p, s] = ada.sessionToken.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const otherKey = await signed({ ...payload, iat: now, exp: now + 60 }, 'another-secret-that-is-long-enough-0123456789');
    const otherUser = Buffer.from(JSON.stringify({ ...payload, sub: 'usr_someoneelse' })).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    for (const token of [otherKey, `${h}.${otherUser}.${s}`, unsigned, 'not-a-jwt', '']) {
      const r = await call(t.origin, 'me', { as: { cookie: cookieOf(token) } });
      expect({ token, status: r.status, body: r.body }).toEqual({ token, status: 401, body: INVALID_SESSION });
    }
  });

  it('an expired token is 401 invalid session even though its row is live', async () => {
    const ada = await registerUser(t.origin);
    const { sid } = JSON.parse(Buffer.from(ada.sessionToken.split('.')[1]!, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const expired = await signed({ sub: ada.user.id, sid, iat: now - 3600, exp: now - 10 });
    expect(await call(t.origin, 'me', { as: { cookie: cookieOf(expired) } })).toMatchObject({ status: 401, body: INVALID_SESSION });
  });

  it('a session whose row has expired is 401 invalid session even with a valid signature', async () => {
    const ada = await registerUser(t.origin);
    await sql(t, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1", [ada.user.id]);
    expect(await call(t.origin, 'me', { as: { cookie: ada.cookie } })).toMatchObject({ status: 401, body: INVALID_SESSION });
  });

  it('a validly signed token naming a session that does not exist is 401 invalid session', async () => {
    const ada = await registerUser(t.origin);
    const now = Math.floor(Date.now() / 1000);
    const ghost = await signed({ sub: ada.user.id, sid: 'ses_doesnotexist', iat: now, exp: now + 60 });
    expect(await call(t.origin, 'me', { as: { cookie: cookieOf(ghost) } })).toMatchObject({ status: 401, body: INVALID_SESSION });
  });

  it('the /v1 alias serves the same session routes', async () => {
    const ada = await registerUser(t.origin);
    const res = await fetch(`${t.origin}/v1/me`, { headers: { cookie: ada.cookie } });
    expect(res.status).toBe(200);
  });
});
