import { call, callRaw, ok, registerUser, type RegisteredUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
let ada: RegisteredUser;
beforeAll(async () => {
  t = await startTestApp();
  ada = await registerUser(t.origin, { email: 'ada@example.com', name: 'Ada' });
});
afterAll(async () => {
  await t?.close();
});

const login = (body: unknown) => callRaw(t.origin, 'login', { body });
const INVALID_CREDENTIALS = structured('INVALID_CREDENTIALS', 'Invalid email or password');

describe('POST /login', () => {
  it('a right password starts a new session: body, cookie and a usable token', async () => {
    const r = await login({ email: 'ada@example.com', password: ada.password });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ user: ada.user, message: 'Login successful', session_token: expect.stringMatching(/^eyJ/) });
    const session = (r.body as { session_token: string }).session_token;
    expect(session).not.toBe(ada.sessionToken);
    expect(r.headers.get('set-cookie')).toBe(
      `__Host-aius_session=${session}; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax`,
    );
    const me = await call(t.origin, 'me', { as: { cookie: `__Host-aius_session=${session}` } });
    expect(me.status).toBe(200);
    expect(ok(me).user.id).toBe(ada.user.id);
  });

  it('emails compare case-insensitively', async () => {
    const r = await login({ email: '  ADA@Example.com ', password: ada.password });
    expect(r.status).toBe(200);
  });

  it('a wrong password is 401 INVALID_CREDENTIALS and writes nothing', async () => {
    const before = await sql(t, 'SELECT id FROM sessions');
    const r = await login({ email: 'ada@example.com', password: 'wrong-password-1!' });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(INVALID_CREDENTIALS);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await sql(t, 'SELECT id FROM sessions')).toHaveLength(before.length);
  });

  it('an unknown email gets the very same 401 as a wrong password', async () => {
    const r = await login({ email: 'nobody@example.com', password: ada.password });
    expect(r.status).toBe(401);
    expect(r.body).toEqual(INVALID_CREDENTIALS);
  });

  it('checks MISSING_EMAIL then MISSING_PASSWORD before anything else', async () => {
    expect(await login({})).toMatchObject({ status: 400, body: structured('MISSING_EMAIL', 'Email is required') });
    expect(await login({ password: 'x' })).toMatchObject({ status: 400, body: structured('MISSING_EMAIL', 'Email is required') });
    expect(await login({ email: ' ', password: '' })).toMatchObject({ status: 400, body: structured('MISSING_EMAIL', 'Email is required') });
    expect(await login({ email: 'ada@example.com' })).toMatchObject({
      status: 400,
      body: structured('MISSING_PASSWORD', 'Password is required'),
    });
    expect(await login({ email: 'not-an-email', password: 'x' })).toMatchObject({ status: 401, body: INVALID_CREDENTIALS });
  });
});
