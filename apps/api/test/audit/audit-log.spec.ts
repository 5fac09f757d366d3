import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, callRaw, errorKey, registerUser, type RegisteredUser } from '@aius/test-support';
import type { AuditAction, AuditLogResponse } from '@aius/contracts';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { userWithTwoFactor, freshCode } from '../two-factor/support.js';

/** Spec §13: the security events of every existing flow, readable per user and per client with a cursor and filters. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ AUDIT_FLUSH_INTERVAL_MS: '60000' });
});
afterAll(async () => {
  await t?.close();
});

const flush = () => t.app.get(AuditLog).flush();
const UA = { 'user-agent': 'audit-test/1.0' };

async function mine(user: RegisteredUser, query: Record<string, string | number> = {}): Promise<AuditLogResponse> {
  await flush();
  return callOk(t.origin, 'myAuditLog', { query: query, as: { cookie: user.cookie } });
}
const actions = (page: AuditLogResponse): AuditAction[] => page.data.map((e) => e.action);
const defaultClient = async (user: RegisteredUser) => (await callOk(t.origin, 'listClients', { as: { cookie: user.cookie } })).data[0]!.id;

describe('the events of the existing flows', () => {
  it('records register, login, a failed login, tokens and logout in the user’s own log, newest first, with IP and user agent and no secret', async () => {
    const user = await registerUser(t.origin);
    const wrong = await call(t.origin, 'login', { body: { email: user.email, password: 'not-the-password-1!' }, as: { headers: UA } });
    expect(wrong.status).toBe(401);
    // An unknown email is not recorded anywhere: what was typed may be a password.
    await call(t.origin, 'login', { body: { email: `nobody-${user.user.id}@example.com`, password: 'x' } });
    const login = await callOk(t.origin, 'login', { body: { email: user.email, password: user.password }, as: { headers: UA } });
    const cookie = `__Host-aius_session=${(login as { session_token: string }).session_token}`;
    const token = await callOk(t.origin, 'createToken', { body: { token_name: 'ci' }, as: { cookie } });
    await callOk(t.origin, 'revokeToken', { params: { id: String(token.id) }, as: { cookie } });
    await callOk(t.origin, 'logout', { as: { cookie, headers: UA } });

    const page = await mine(user);
    expect(actions(page)).toEqual(['logout', 'token.revoked', 'token.created', 'login.succeeded', 'login.failed', 'user.registered']);
    const failed = page.data[4]!;
    expect(failed).toMatchObject({ actor_id: null, actor_email: null, target_type: 'user', target_id: user.user.id, ip: '127.0.0.1', user_agent: 'audit-test/1.0' });
    const created = page.data[2]!;
    expect(created).toMatchObject({ actor_id: user.user.id, actor_email: user.email, target_type: 'token', target_id: String(token.id), client_id: token.client_id });
    expect(JSON.stringify(page)).not.toContain(token.token);
    expect(JSON.stringify(page)).not.toContain(user.password);
    expect(page.next_before).toBeNull();
  });

  it('records 2FA on, a recovery code used at login, codes regenerated and 2FA off', async () => {
    const user = await userWithTwoFactor(t);
    const challenge = (await callOk(t.origin, 'login', { body: { email: user.email, password: user.password } })) as { challenge_token: string };
    const wrong = await call(t.origin, 'twoFactorLogin', { body: { challenge_token: challenge.challenge_token, code: '000000' } });
    expect(wrong.status).toBe(401);
    await callOk(t.origin, 'twoFactorLogin', { body: { challenge_token: challenge.challenge_token, code: user.recoveryCodes[0]! } });
    await callOk(t.origin, 'twoFactorRecoveryCodes', { body: { code: await freshCode(t, user.user.id, user.secret) }, as: { cookie: user.cookie } });
    await callOk(t.origin, 'twoFactorDisable', { body: { code: await freshCode(t, user.user.id, user.secret) }, as: { cookie: user.cookie } });
    expect(actions(await mine(user))).toEqual([
      '2fa.disabled',
      '2fa.recovery_codes_regenerated',
      'login.succeeded',
      '2fa.recovery_code_used',
      'login.failed',
      '2fa.enabled',
      'user.registered',
    ]);
  });

  it('records members added, re-roled, removed and leaving, clients created and projects deleted in the client’s log, for its owners and admins only', async () => {
    const owner = await registerUser(t.origin);
    const admin = await registerUser(t.origin);
    const member = await registerUser(t.origin);
    const client = await callOk(t.origin, 'createClient', { body: { name: 'Team' }, as: { cookie: owner.cookie } });
    const params = { id: client.id };
    await callOk(t.origin, 'addMember', { params, body: { email: admin.email, role: 'member' }, as: { cookie: owner.cookie } });
    await callOk(t.origin, 'updateMember', { params: { id: client.id, user_id: admin.user.id }, body: { role: 'admin' }, as: { cookie: owner.cookie } });
    await callOk(t.origin, 'addMember', { params, body: { email: member.email, role: 'member' }, as: { cookie: admin.cookie } });
    const project = await callOk(t.origin, 'createProject', { body: { org_id: client.id, name: 'p' }, as: { cookie: member.cookie } });
    await callOk(t.origin, 'deleteProject', { params: { id: project.id }, as: { cookie: admin.cookie } });
    await callOk(t.origin, 'removeMember', { params: { id: client.id, user_id: member.user.id }, as: { cookie: member.cookie } });
    await callOk(t.origin, 'addMember', { params, body: { email: member.email, role: 'member' }, as: { cookie: owner.cookie } });
    await callOk(t.origin, 'removeMember', { params: { id: client.id, user_id: member.user.id }, as: { cookie: admin.cookie } });
    await flush();

    const log = await callOk(t.origin, 'clientAuditLog', { params, query: {}, as: { cookie: admin.cookie } });
    expect(log.data.map((e) => [e.action, e.actor_email, e.target_type, e.target_id])).toEqual([
      ['member.removed', admin.email, 'user', member.user.id],
      ['member.added', owner.email, 'user', member.user.id],
      ['member.left', member.email, 'user', member.user.id],
      ['project.deleted', admin.email, 'project', project.id],
      ['member.added', admin.email, 'user', member.user.id],
      ['member.role_changed', owner.email, 'user', admin.user.id],
      ['member.added', owner.email, 'user', admin.user.id],
      ['client.created', owner.email, 'client', client.id],
    ]);
    expect(log.data.every((e) => e.client_id === client.id)).toBe(true);
    // The member who was removed sees it in their own log (they are its target).
    expect(actions(await mine(member)).slice(0, 3)).toEqual(['member.removed', 'member.added', 'member.left']);

    const outsider = await registerUser(t.origin);
    await callOk(t.origin, 'addMember', { params, body: { email: outsider.email, role: 'member' }, as: { cookie: owner.cookie } });
    const plain = await call(t.origin, 'clientAuditLog', { params, query: {}, as: { cookie: outsider.cookie } });
    expect([plain.status, plain.ok ? null : errorKey(plain.body)]).toEqual([403, 'NO_ACCESS']);
    const stranger = await call(t.origin, 'clientAuditLog', { params, query: {}, as: { cookie: (await registerUser(t.origin)).cookie } });
    expect([stranger.status, stranger.ok ? null : errorKey(stranger.body)]).toEqual([403, 'NO_ACCESS']);
    const unknown = await call(t.origin, 'clientAuditLog', { params: { id: 'client_nope' }, query: {}, as: { cookie: owner.cookie } });
    expect([unknown.status, unknown.ok ? null : errorKey(unknown.body)]).toEqual([404, 'NOT_FOUND']);
  });
});

describe('reading the log', () => {
  it('pages with next_before until the end, and filters by action, actor and time', async () => {
    const owner = await registerUser(t.origin);
    const other = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    await callOk(t.origin, 'addMember', { params: { id: clientId }, body: { email: other.email, role: 'admin' }, as: { cookie: owner.cookie } });
    for (let i = 0; i < 3; i++) await callOk(t.origin, 'createToken', { body: { token_name: `t${i}` }, as: { cookie: owner.cookie } });
    await callOk(t.origin, 'createToken', { body: { token_name: 'theirs', client_id: clientId }, as: { cookie: other.cookie } });
    await flush();

    const seen: string[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await callOk(t.origin, 'clientAuditLog', { params: { id: clientId }, query: { limit: 2, ...(before ? { before } : {}) }, as: { cookie: owner.cookie } });
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      if (page.next_before === null) break;
      before = page.next_before;
    }
    // member.added + 4 tokens (the registration's own event has no client)
    expect(seen).toHaveLength(5);
    expect([...seen].sort((a, b) => Number(b) - Number(a))).toEqual(seen);
    expect(new Set(seen).size).toBe(5);

    const byAction = await callOk(t.origin, 'clientAuditLog', { params: { id: clientId }, query: { action: 'token.created' }, as: { cookie: owner.cookie } });
    expect(byAction.data).toHaveLength(4);
    const byActor = await callOk(t.origin, 'clientAuditLog', { params: { id: clientId }, query: { actor_id: other.user.id }, as: { cookie: owner.cookie } });
    expect(byActor.data.map((e) => e.action)).toEqual(['token.created']);
    const future = Math.floor(Date.now() / 1000) + 3600;
    const later = await callOk(t.origin, 'clientAuditLog', { params: { id: clientId }, query: { since: future }, as: { cookie: owner.cookie } });
    expect(later.data).toEqual([]);
    const earlier = await callOk(t.origin, 'clientAuditLog', { params: { id: clientId }, query: { until: future, since: future - 7200 }, as: { cookie: owner.cookie } });
    expect(earlier.data).toHaveLength(5);
  });

  it('answers 400 INVALID_REQUEST for a bad cursor, limit, action or time', async () => {
    const user = await registerUser(t.origin);
    // As they arrive on the wire (query values are text); callRaw, since the contract's types refuse them.
    const bad: Record<string, string>[] = [{ before: 'abc' }, { before: '0' }, { limit: '0' }, { limit: '101' }, { action: 'token.stolen' }, { since: '-1' }, { until: 'soon' }];
    for (const query of bad) {
      const r = await callRaw(t.origin, 'myAuditLog', { query, as: { cookie: user.cookie } });
      expect([r.status, r.ok ? null : errorKey(r.body)], JSON.stringify(query)).toEqual([400, 'INVALID_REQUEST']);
    }
    const anonymous = await call(t.origin, 'myAuditLog', { query: {} });
    expect(anonymous.status).toBe(401);
  });
});
