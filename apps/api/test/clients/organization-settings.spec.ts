import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { call, callOk, statusAndBody, startFakeUpstream, type FakeUpstream, registerUser, type RegisteredUser, userWithToken, problem } from '@aius/test-support';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { busyTraffic } from '../support/busy-instance.js';
import { startTestApp, type TestApp, ROOMY_LIMITS } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { sql } from '../support/sql.js';

/** Spec §13: an organization (client) renamed and deleted by its owners, left by its members; LAST_CLIENT and LAST_OWNER kept. */
let upstream: FakeUpstream;
let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const env = { ...ROOMY_LIMITS, ...upstreamsEnv(upstream), USAGE_FLUSH_INTERVAL_MS: '60000', AUDIT_FLUSH_INTERVAL_MS: '60000' };
  a = await startTestApp(env);
  b = await startTestApp(env, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await upstream?.close();
});
afterEach(async () => {
  await a.app.get(AuditLog).flush();
});

const as = (u: RegisteredUser) => ({ cookie: u.cookie });
const names = async (t: TestApp, u: RegisteredUser) => (await callOk(t.origin, 'listClients', { as: as(u) })).data.map((c) => c.name);

async function team() {
  const owner = await registerUser(a.origin);
  const admin = await registerUser(a.origin);
  const member = await registerUser(a.origin);
  const client = await callOk(a.origin, 'createClient', { body: { name: 'Team' }, as: as(owner) });
  await callOk(a.origin, 'addMember', { params: { id: client.id }, body: { email: admin.email, role: 'admin' }, as: as(owner) });
  await callOk(a.origin, 'addMember', { params: { id: client.id }, body: { email: member.email, role: 'member' }, as: as(owner) });
  return { owner, admin, member, clientId: client.id };
}

describe('PATCH /clients/{id}', () => {
  it('renames for an owner, and every member sees the new name on the other instance at once', async () => {
    const { owner, member, clientId } = await team();
    // Warm the member's list on b, so a stale copy would show.
    expect(await names(b, member)).toContain('Team');
    expect(await names(b, member)).toContain('Team');
    const renamed = await call(a.origin, 'updateClient', { params: { id: clientId }, body: { name: '  Platform team ' }, as: as(owner) });
    expect(renamed).toMatchObject({ status: 200, body: { id: clientId, name: 'Platform team', role: 'owner' } });
    expect(await names(b, member)).toContain('Platform team');
    expect(await names(b, member)).not.toContain('Team');
  });

  it('refuses admins and members (403), strangers (403), unknown ids (404) and bad names (400), changing nothing', async () => {
    const { owner, admin, member, clientId } = await team();
    const stranger = await registerUser(a.origin);
    const params = { id: clientId };
    expect(problem(await call(a.origin, 'updateClient', { params, body: { name: 'x' }, as: as(admin) }))).toEqual([403, 'NO_ACCESS']);
    expect(problem(await call(a.origin, 'updateClient', { params, body: { name: 'x' }, as: as(member) }))).toEqual([403, 'NO_ACCESS']);
    expect(problem(await call(a.origin, 'updateClient', { params, body: { name: 'x' }, as: as(stranger) }))).toEqual([403, 'NO_ACCESS']);
    expect(problem(await call(a.origin, 'updateClient', { params: { id: 'client_missing' }, body: { name: 'x' }, as: as(owner) }))).toEqual([404, 'NOT_FOUND']);
    expect(problem(await call(a.origin, 'updateClient', { params, body: { name: '   ' }, as: as(owner) }))).toEqual([400, 'MISSING_NAME']);
    expect(problem(await call(a.origin, 'updateClient', { params, body: { name: 'n'.repeat(256) }, as: as(owner) }))).toEqual([400, 'INVALID_REQUEST']);
    expect(problem(await call(a.origin, 'updateClient', { params, body: {} as never, as: as(owner) }))).toEqual([400, 'MISSING_NAME']);
    expect(await names(a, owner)).toContain('Team');
  });
});

describe('DELETE /clients/{id}', () => {
  it('deletes for an owner: its projects go, members lose it, and their tokens bound to it are refused on every instance by the time it answers', async () => {
    const { owner, member, clientId } = await team();
    const project = await callOk(a.origin, 'createProject', { body: { org_id: clientId, name: 'p' }, as: as(member) });
    const bound = await userWithToken(a.origin, { holder: member, request: { client_id: clientId } });
    const own = await userWithToken(a.origin, { holder: member });
    const chat = async (t: TestApp, token: string) =>
      statusAndBody(await call(t.origin, 'chatCompletions', { body: { model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] }, as: { bearer: token } }));
    for (const t of [a, b]) for (let i = 0; i < 3; i++) expect((await chat(t, bound.token)).status).toBe(200);
    const onB = busyTraffic(() => chat(b, bound.token));
    await new Promise((r) => setTimeout(r, 200));

    const deleted = await call(a.origin, 'deleteClient', { params: { id: clientId }, as: as(owner) });
    const returnedAt = performance.now();
    expect(deleted).toMatchObject({ status: 200, body: { deleted: true } });
    await new Promise((r) => setTimeout(r, 300));
    await onB.stop();
    const after = onB.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((r) => r.status !== 401)).toEqual([]);
    expect((await chat(b, own.token)).status).toBe(200);

    expect(await names(b, member)).not.toContain('Team');
    expect(await names(b, owner)).not.toContain('Team');
    expect(problem(await call(b.origin, 'getProject', { params: { id: project.id }, as: as(member) }))).toEqual([404, 'NOT_FOUND']);
    expect(problem(await call(b.origin, 'deleteClient', { params: { id: clientId }, as: as(owner) }))).toEqual([404, 'NOT_FOUND']);
    // Its history outlives it: the owner still reads the deletion in their own log.
    await a.app.get(AuditLog).flush();
    const log = await callOk(a.origin, 'myAuditLog', { query: { action: 'client.deleted' } as never, as: as(owner) });
    expect(log.data.map((e) => [e.action, e.client_id])).toEqual([['client.deleted', clientId]]);
  });

  it('refuses admins and members (403) and keeps the client', async () => {
    const { admin, member, clientId, owner } = await team();
    expect(problem(await call(a.origin, 'deleteClient', { params: { id: clientId }, as: as(admin) }))).toEqual([403, 'NO_ACCESS']);
    expect(problem(await call(a.origin, 'deleteClient', { params: { id: clientId }, as: as(member) }))).toEqual([403, 'NO_ACCESS']);
    expect(await names(a, owner)).toContain('Team');
  });

  it('answers 409 LAST_CLIENT for a user’s only client, or a client that is the only one of any member, and deletes nothing', async () => {
    const solo = await registerUser(a.origin);
    const [personal] = (await callOk(a.origin, 'listClients', { as: as(solo) })).data;
    expect(problem(await call(a.origin, 'deleteClient', { params: { id: personal!.id }, as: as(solo) }))).toEqual([409, 'LAST_CLIENT']);
    expect(await names(a, solo)).toEqual([personal!.name]);

    const { owner, member, clientId } = await team();
    // The member no longer has a client of their own: this one is their only one.
    await sql(a, `DELETE FROM clients WHERE id IN (SELECT client_id FROM memberships WHERE user_id = $1 AND client_id <> $2)`, [member.user.id, clientId]);
    expect(problem(await call(a.origin, 'deleteClient', { params: { id: clientId }, as: as(owner) }))).toEqual([409, 'LAST_CLIENT']);
    expect(await names(a, member)).toEqual(['Team']);
  });
});

describe('leaving a client', () => {
  it('is a member removing themself (DELETE /clients/{id}/members/{own id}); the last owner cannot leave (LAST_OWNER)', async () => {
    const { owner, member, clientId } = await team();
    expect(await call(a.origin, 'removeMember', { params: { id: clientId, user_id: member.user.id }, as: as(member) })).toMatchObject({ status: 200 });
    expect(await names(b, member)).not.toContain('Team');
    expect(problem(await call(a.origin, 'removeMember', { params: { id: clientId, user_id: owner.user.id }, as: as(owner) }))).toEqual([409, 'LAST_OWNER']);
    expect(await names(a, owner)).toContain('Team');
  });
});
