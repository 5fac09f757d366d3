import type { ErrorKey } from '@aius/contracts';
import { TEST_PASSWORD, call, callRaw, ok, registerUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const valid = (email: string) => ({ name: 'Ada Lovelace', email, password: TEST_PASSWORD });
const register = (body: ReturnType<typeof valid>) => call(t.origin, 'register', { body });
/** For bodies the register schema refuses (missing or mistyped fields). */
const registerRaw = (body: unknown) => callRaw(t.origin, 'register', { body });

describe('POST /register', () => {
  it('creates the user, answers with the spec body and sets the session cookie', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await register(valid('ada@example.com'));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      user: {
        id: expect.stringMatching(/^usr_[0-9A-Za-z]{22}$/),
        email: 'ada@example.com',
        name: 'Ada Lovelace',
        provider: 'email',
        provider_id: 'ada@example.com',
        created_at: expect.any(Number),
      },
      message: 'Registration successful',
      session_token: expect.stringMatching(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect(ok(r).user.created_at).toBeGreaterThanOrEqual(before - 1);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toBe(`__Host-aius_session=${ok(r).session_token}; Max-Age=604800; Path=/; Secure; HttpOnly; SameSite=Lax`);
    expect(cookie).not.toMatch(/Domain/i);
  });

  it('creates a default client the user owns, in the same transaction', async () => {
    const registered = ok(await register(valid('owner@example.com')));
    const [user] = await sql<{ default_client_id: string }>(t, 'SELECT default_client_id FROM users WHERE id = $1', [registered.user.id]);
    expect(user!.default_client_id).toMatch(/^client_[0-9A-Za-z]{22}$/);
    const members = await sql(t, 'SELECT user_id, role FROM memberships WHERE client_id = $1', [user!.default_client_id]);
    expect(members).toEqual([{ user_id: registered.user.id, role: 'owner' }]);
    const sessions = await sql(t, 'SELECT id FROM sessions WHERE user_id = $1', [registered.user.id]);
    expect(sessions).toHaveLength(1);
  });

  it('stores the email lower-cased and refuses it again in any case with 409 EMAIL_ALREADY_EXISTS', async () => {
    const first = await register(valid('Grace.Hopper@Example.COM'));
    expect(ok(first).user.email).toBe('grace.hopper@example.com');
    const again = await register(valid('GRACE.HOPPER@example.com'));
    expect(again.status).toBe(409);
    expect(again.body).toEqual(structured('EMAIL_ALREADY_EXISTS', 'An account with this email already exists'));
  });

  it('stores the password only as an argon2id hash', async () => {
    const r = ok(await register(valid('hash@example.com')));
    const [row] = await sql<{ password_hash: string }>(t, 'SELECT password_hash FROM users WHERE id = $1', [r.user.id]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(row!.password_hash).not.toContain(TEST_PASSWORD);
  });

  it('two concurrent registrations of one email make exactly one account and one 409', async () => {
    const results = await Promise.all([register(valid('race@example.com')), register(valid('RACE@example.com'))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(results.find((r) => r.status === 409)!.body).toMatchObject({ detail: { code: 'EMAIL_ALREADY_EXISTS' } });
    const users = await sql(t, "SELECT id FROM users WHERE email = 'race@example.com'");
    expect(users).toHaveLength(1);
    const clients = await sql(t, 'SELECT client_id FROM memberships WHERE user_id = $1', [users[0]!.id]);
    expect(clients).toHaveLength(1);
  });

  it('checks fields in the spec order: name, email, password presence, then email format, then strength', async () => {
    const cases: [unknown, ErrorKey, string][] = [
      [{}, 'MISSING_NAME', 'Name is required'],
      [{ name: '  ', email: '', password: '' }, 'MISSING_NAME', 'Name is required'],
      [{ name: 'A', email: '', password: 'x' }, 'MISSING_EMAIL', 'Email is required'],
      [{ name: 'A', email: 'not-an-email' }, 'MISSING_PASSWORD', 'Password is required'],
      [{ name: 'A', email: 'not-an-email', password: 'weak' }, 'INVALID_EMAIL', 'Invalid email address'],
      [{ name: 'A', email: `${'a'.repeat(250)}@x.com`, password: TEST_PASSWORD }, 'INVALID_EMAIL', 'Invalid email address'],
      [{ name: 'A', email: 'ok@example.com', password: 'short1!' }, 'PASSWORD_TOO_WEAK', 'Password must be at least 8 characters'],
      [{ name: 'A', email: 'ok@example.com', password: '12345678!' }, 'PASSWORD_TOO_WEAK', 'Password must contain at least one letter'],
      [{ name: 'A', email: 'ok@example.com', password: 'abcdefgh!' }, 'PASSWORD_TOO_WEAK', 'Password must contain at least one number'],
      [{ name: 'A', email: 'ok@example.com', password: 'abcdefgh1' }, 'PASSWORD_TOO_WEAK', 'Password must contain at least one special character'],
      [{ name: 7, email: 'ok@example.com', password: TEST_PASSWORD }, 'INVALID_REQUEST', 'Invalid request'],
    ];
    for (const [body, code, message] of cases) {
      const r = await registerRaw(body);
      expect({ body, status: r.status, reply: r.body }).toEqual({ body, status: 400, reply: structured(code, message) });
    }
    const taken = await registerUser(t.origin);
    const weakAndTaken = await register({ name: 'A', email: taken.email, password: 'weak' });
    expect(weakAndTaken.body).toMatchObject({ detail: { code: 'PASSWORD_TOO_WEAK' } });
    expect(await sql(t, "SELECT id FROM users WHERE email = 'ok@example.com'")).toEqual([]);
  });

  it('a failure in the middle of the transaction leaves nothing behind: 500 REGISTRATION_FAILED', async () => {
    // Sabotage the last step (the session insert) from outside the app: no code path of
    // the API can do this, so there is no backdoor to test with.
    await sql(t, `CREATE FUNCTION refuse_session() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'sabotaged'; END $$`);
    await sql(t, 'CREATE TRIGGER refuse_session BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION refuse_session()');
    const counts = async () =>
      (await sql<{ n: string }>(t, 'SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM clients) + (SELECT count(*) FROM memberships) AS n'))[0]!.n;
    const before = await counts();
    try {
      const r = await register(valid('doomed@example.com'));
      expect(r.status).toBe(500);
      expect(r.body).toEqual(structured('REGISTRATION_FAILED', 'Registration failed'));
      expect(r.headers.get('set-cookie')).toBeNull();
      expect(await counts()).toBe(before);
      expect(await sql(t, "SELECT id FROM users WHERE email = 'doomed@example.com'")).toEqual([]);
    } finally {
      await sql(t, 'DROP TRIGGER refuse_session ON sessions');
    }
    expect((await register(valid('doomed@example.com'))).status).toBe(200);
  });
});
