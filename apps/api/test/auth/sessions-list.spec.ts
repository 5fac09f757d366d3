import { call, callOk, registerUser, type RegisteredUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionService } from '../../src/modules/identity/session.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

/** GET /sessions, DELETE /sessions/{id}, POST /sessions/end-others (spec §13), on two instances. */
let t: TestApp;
let u: TestApp;
beforeAll(async () => {
  // last_seen_at is flushed only when the test says so (the longest interval allowed).
  t = await startTestApp({ SESSION_LAST_SEEN_FLUSH_MS: '600000' });
  u = await startTestApp({ SESSION_LAST_SEEN_FLUSH_MS: '600000' }, { db: t.db });
});
afterAll(async () => {
  await u?.close();
  await t?.close();
});

async function loginFrom(user: RegisteredUser, userAgent: string): Promise<{ cookie: string; id: string }> {
  const r = await callOk(t.origin, 'login', { body: { email: user.email, password: user.password }, as: { headers: { 'user-agent': userAgent } } });
  const token = (r as { session_token: string }).session_token;
  const sid = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;
  return { cookie: `__Host-aius_session=${token}`, id: sid };
}

const sidOf = (user: RegisteredUser) => JSON.parse(Buffer.from(user.sessionToken.split('.')[1]!, 'base64url').toString()).sid as string;
const meOn = (app: TestApp, cookie: string) => call(app.origin, 'me', { as: { cookie } });

describe('sessions', () => {
  it('lists the live sessions with IP, user agent, last seen and which one is the caller', async () => {
    const ada = await registerUser(t.origin);
    const phone = await loginFrom(ada, 'PhoneBrowser/1.0');
    const r = await callOk(t.origin, 'listSessions', { as: { cookie: ada.cookie } });
    expect(r.data).toHaveLength(2);
    const mine = r.data.find((s) => s.current)!;
    expect(mine.id).toBe(sidOf(ada));
    expect(r.data.find((s) => s.id === phone.id)).toMatchObject({ current: false, ip: '127.0.0.1', user_agent: 'PhoneBrowser/1.0' });
    expect(mine.created_at).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('last seen is written in batches, not per request', async () => {
    const ada = await registerUser(t.origin);
    for (let i = 0; i < 5; i++) expect((await meOn(t, ada.cookie)).status).toBe(200);
    const before = await sql<{ last_seen_at: Date | null }>(t, 'SELECT last_seen_at FROM sessions WHERE id = $1', [sidOf(ada)]);
    expect(before[0]!.last_seen_at).toBeNull();
    await t.app.get(SessionService).seen.flush();
    const after = await sql<{ last_seen_at: Date | null }>(t, 'SELECT last_seen_at FROM sessions WHERE id = $1', [sidOf(ada)]);
    expect(after[0]!.last_seen_at).toBeInstanceOf(Date);
    const listed = await callOk(t.origin, 'listSessions', { as: { cookie: ada.cookie } });
    expect(listed.data[0]!.last_seen_at).toBe(Math.floor(after[0]!.last_seen_at!.getTime() / 1000));
  });

  it('ending one session refuses it at once on every instance', async () => {
    const ada = await registerUser(t.origin);
    const laptop = await loginFrom(ada, 'Laptop');
    expect((await meOn(u, laptop.cookie)).status).toBe(200);
    const r = await call(t.origin, 'endSession', { params: { id: laptop.id }, as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 200, body: { revoked: true } });
    expect(await meOn(u, laptop.cookie)).toMatchObject({ status: 401, body: { detail: 'invalid session' } });
    expect(await meOn(t, laptop.cookie)).toMatchObject({ status: 401, body: { detail: 'invalid session' } });
    expect((await meOn(u, ada.cookie)).status).toBe(200);
    const listed = await callOk(t.origin, 'listSessions', { as: { cookie: ada.cookie } });
    expect(listed.data.map((s) => s.id)).toEqual([sidOf(ada)]);
    // Ending it again, or an unknown id: NOT_FOUND.
    expect(await call(t.origin, 'endSession', { params: { id: laptop.id }, as: { cookie: ada.cookie } })).toMatchObject({ status: 404, body: structured('NOT_FOUND', 'Not found') });
    expect(await call(t.origin, 'endSession', { params: { id: 'ses_nope' }, as: { cookie: ada.cookie } })).toMatchObject({ status: 404 });
    expect(await call(t.origin, 'endSession', { params: { id: 'x'.repeat(65) }, as: { cookie: ada.cookie } })).toMatchObject({ status: 404, body: structured('NOT_FOUND', 'Not found') });
  });

  it("someone else's session is NOT_FOUND and stays alive", async () => {
    const ada = await registerUser(t.origin);
    const bob = await registerUser(t.origin);
    const r = await call(t.origin, 'endSession', { params: { id: sidOf(bob) }, as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 404, body: structured('NOT_FOUND', 'Not found') });
    expect((await meOn(t, bob.cookie)).status).toBe(200);
  });

  it('ending the current session signs the caller out and clears the cookie', async () => {
    const ada = await registerUser(t.origin);
    const r = await call(t.origin, 'endSession', { params: { id: sidOf(ada) }, as: { cookie: ada.cookie } });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toMatch(/^__Host-aius_session=; Max-Age=0/);
    expect((await meOn(t, ada.cookie)).status).toBe(401);
  });

  it('end-others ends every other session on every instance and keeps the caller', async () => {
    const ada = await registerUser(t.origin);
    const a = await loginFrom(ada, 'A');
    const b = await loginFrom(ada, 'B');
    const bob = await registerUser(t.origin);
    const r = await call(u.origin, 'endOtherSessions', { as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 200, body: { revoked: 2 } });
    expect((await meOn(t, a.cookie)).status).toBe(401);
    expect((await meOn(u, b.cookie)).status).toBe(401);
    expect((await meOn(t, ada.cookie)).status).toBe(200);
    expect((await meOn(t, bob.cookie)).status).toBe(200);
    expect(await call(t.origin, 'endOtherSessions', { as: { cookie: ada.cookie } })).toMatchObject({ status: 200, body: { revoked: 0 } });
  });

  it('takes the session cookie only', async () => {
    const ada = await registerUser(t.origin);
    const token = await callOk(t.origin, 'createToken', { body: { token_name: 'ci' }, as: { cookie: ada.cookie } });
    expect(await call(t.origin, 'listSessions', { as: { bearer: token.token } })).toMatchObject({ status: 401, body: { detail: 'no session cookie' } });
    expect(await call(t.origin, 'endOtherSessions', { as: { bearer: token.token } })).toMatchObject({ status: 401, body: { detail: 'no session cookie' } });
    expect((await meOn(t, ada.cookie)).status).toBe(200);
  });
});
