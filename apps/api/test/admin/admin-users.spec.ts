import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, startFakeUpstream, statusAndBody, type FakeUpstream, registerUser, type RegisteredUser, userWithToken, problem } from '@aius/test-support';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { busyTraffic } from '../support/busy-instance.js';
import { startTestApp, type TestApp, ROOMY_LIMITS } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { sql } from '../support/sql.js';

/** Spec §13: the instance admins' users list, disable and enable, across two instances. */
const ADMIN = `admin-${Date.now()}@example.com`;
let upstream: FakeUpstream;
let a: TestApp;
let b: TestApp;
let admin: RegisteredUser;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const env = { ...ROOMY_LIMITS, ...upstreamsEnv(upstream), ADMIN_EMAILS: ADMIN, USAGE_FLUSH_INTERVAL_MS: '60000', AUDIT_FLUSH_INTERVAL_MS: '60000' };
  a = await startTestApp(env);
  b = await startTestApp(env, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  admin = await registerUser(a.origin, { email: ADMIN });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await upstream?.close();
});

const as = (u: RegisteredUser) => ({ cookie: u.cookie });
const chat = async (t: TestApp, token: string) =>
  statusAndBody(await call(t.origin, 'chatCompletions', { body: { model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] }, as: { bearer: token } }));

describe('disabling a user', () => {
  it('ends their sessions and refuses their tokens on every instance by the time it answers; their login is 401 ACCOUNT_DISABLED until enabled', async () => {
    const user = await userWithToken(a.origin);
    const second = await callOk(a.origin, 'login', { body: { email: user.email, password: user.password } });
    const otherCookie = `__Host-aius_session=${(second as { session_token: string }).session_token}`;
    for (const t of [a, b]) for (let i = 0; i < 3; i++) expect((await chat(t, user.token)).status).toBe(200);
    const onB = busyTraffic(() => chat(b, user.token));
    await new Promise((r) => setTimeout(r, 200));

    const disabled = await call(a.origin, 'disableUser', { params: { id: user.user.id }, as: as(admin) });
    const returnedAt = performance.now();
    expect(disabled).toMatchObject({ status: 200, body: { id: user.user.id, email: user.email, disabled_at: expect.any(Number), is_admin: false } });
    await new Promise((r) => setTimeout(r, 300));
    await onB.stop();
    const after = onB.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((r) => r.status !== 401)).toEqual([]);
    expect(after[0]).toEqual({ status: 401, body: { detail: 'invalid token' } });

    for (const cookie of [user.cookie, otherCookie]) expect((await call(b.origin, 'me', { as: { cookie } })).status).toBe(401);
    const wrong = await call(b.origin, 'login', { body: { email: user.email, password: 'Wrong-password-1!' } });
    expect(problem(wrong)).toEqual([401, 'INVALID_CREDENTIALS']);
    const refused = await call(b.origin, 'login', { body: { email: user.email, password: user.password } });
    expect(problem(refused)).toEqual([401, 'ACCOUNT_DISABLED']);
    expect(refused.body).toEqual({ detail: { code: 'ACCOUNT_DISABLED', message: 'This account has been disabled by an administrator' } });
    // Disabling again keeps the first time.
    const again = await callOk(b.origin, 'disableUser', { params: { id: user.user.id }, as: as(admin) });
    expect(again.disabled_at).toBe((disabled.body as { disabled_at: number }).disabled_at);

    const enabled = await callOk(b.origin, 'enableUser', { params: { id: user.user.id }, as: as(admin) });
    expect(enabled.disabled_at).toBeNull();
    const back = await callOk(a.origin, 'login', { body: { email: user.email, password: user.password } });
    expect((back as { session_token?: string }).session_token).toEqual(expect.any(String));
    // Their old token stays revoked, and says why.
    expect((await chat(a, user.token)).status).toBe(401);
    const cookie = `__Host-aius_session=${(back as { session_token: string }).session_token}`;
    const tokens = await callOk(a.origin, 'listTokens', { as: { cookie } });
    expect(tokens.data.find((t) => t.id === user.tokenId)).toMatchObject({ revoked_reason: 'account_disabled' });

    // Each instance buffers what it recorded; the log is in the order events reached Postgres
    // (across instances, within one flush interval of when they happened): a's first.
    await a.app.get(AuditLog).flush();
    await b.app.get(AuditLog).flush();
    const log = await callOk(a.origin, 'myAuditLog', { query: { actor_id: admin.user.id }, as: { cookie } });
    expect(log.data.map((e) => [e.action, e.target_id])).toEqual([
      ['admin.user_enabled', user.user.id],
      ['admin.user_disabled', user.user.id],
      ['admin.user_disabled', user.user.id],
    ]);
  });

  it('refuses an admin’s own account (409 CANNOT_DISABLE_SELF), unknown users (404), and non-admins (403), changing nothing', async () => {
    expect(problem(await call(a.origin, 'disableUser', { params: { id: admin.user.id }, as: as(admin) }))).toEqual([409, 'CANNOT_DISABLE_SELF']);
    expect(problem(await call(a.origin, 'disableUser', { params: { id: 'usr_nobody' }, as: as(admin) }))).toEqual([404, 'USER_NOT_FOUND']);
    expect(problem(await call(a.origin, 'enableUser', { params: { id: 'x'.repeat(65) }, as: as(admin) }))).toEqual([404, 'USER_NOT_FOUND']);
    const plain = await registerUser(a.origin);
    const victim = await registerUser(a.origin);
    expect(problem(await call(a.origin, 'disableUser', { params: { id: victim.user.id }, as: as(plain) }))).toEqual([403, 'NO_ACCESS']);
    expect(problem(await call(a.origin, 'listUsers', { query: {}, as: as(plain) }))).toEqual([403, 'NO_ACCESS']);
    expect((await call(a.origin, 'me', { as: as(victim) })).status).toBe(200);
    const rows = await sql<{ disabled_at: Date | null }>(a, 'SELECT disabled_at FROM users WHERE id = ANY($1)', [[admin.user.id, victim.user.id]]);
    expect(rows.every((r) => r.disabled_at === null)).toBe(true);
  });
});

describe('the users list', () => {
  it('searches email and name case-insensitively (wildcards taken literally) and pages newest first', async () => {
    const tag = `Srch${Date.now()}`;
    const made: RegisteredUser[] = [];
    for (let i = 0; i < 5; i++) made.push(await registerUser(a.origin, { email: `${tag.toLowerCase()}-${i}@example.com`, name: i === 2 ? `Ann_${tag}` : 'Someone' }));
    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 5; pages++) {
      const page = await callOk(a.origin, 'listUsers', { query: { query: tag.toUpperCase(), limit: 2, ...(before ? { before } : {}) }, as: as(admin) });
      seen.push(...page.data.map((u) => u.email));
      if (!page.next_before) break;
      before = page.next_before;
    }
    expect(seen).toEqual(made.map((u) => u.email).reverse());
    const byName = await callOk(a.origin, 'listUsers', { query: { query: `ann_${tag}` }, as: as(admin) });
    expect(byName.data.map((u) => u.email)).toEqual([made[2]!.email]);
    const wildcard = await callOk(a.origin, 'listUsers', { query: { query: `${tag}%` }, as: as(admin) });
    expect(wildcard.data).toEqual([]);
    const me = await callOk(a.origin, 'listUsers', { query: { query: ADMIN }, as: as(admin) });
    expect(me.data).toMatchObject([{ email: ADMIN, is_admin: true, disabled_at: null }]);
  });

  it('answers 400 INVALID_REQUEST for a bad cursor or limit', async () => {
    for (const query of [{ before: 'nope' }, { limit: 0 }, { limit: 101 }, { query: 'x'.repeat(256) }]) {
      expect(problem(await call(a.origin, 'listUsers', { query: query, as: as(admin) })), JSON.stringify(query)).toEqual([400, 'INVALID_REQUEST']);
    }
  });
});
