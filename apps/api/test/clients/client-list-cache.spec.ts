import { describe, expect, it } from 'vitest';
import { busyTraffic, countRedisCommand, namedQueries } from '../support/busy-instance.js';
import { call, ok, userWithToken } from '@aius/test-support';
import { ROOMY_LIMITS, instancesPerTest, type TestApp } from '../support/test-app.js';

const instances = instancesPerTest();
const twoInstances = () => instances.two(ROOMY_LIMITS);
const listQueries = (app: TestApp) => namedQueries(app, 'clients.list');

describe('GET /clients from the per-instance cache', () => {
  it('is answered without Postgres while nothing changed, and every change made through another instance shows on the next request', async () => {
    const { a, b } = await twoInstances();
    const owner = await userWithToken(a.origin);
    const member = await userWithToken(a.origin);
    const listOnB = () => call(b.origin, 'listClients', { as: { bearer: member.token } });
    const onB = async () => ok(await listOnB());
    const queries = listQueries(b);

    expect((await onB()).data.map((c) => c.id)).toEqual([member.clientId]);
    for (let i = 0; i < 5; i++) expect((await listOnB()).status).toBe(200);
    expect(queries()).toBe(1);

    // Added to the owner's client, on the other instance.
    const added = await call(a.origin, 'addMember', { params: { id: owner.clientId }, body: { email: member.email, role: 'member' }, as: { bearer: owner.token } });
    expect(added.status).toBe(200);
    expect((await onB()).data.find((c) => c.id === owner.clientId)?.role).toBe('member');

    const promoted = await call(a.origin, 'updateMember', { params: { id: owner.clientId, user_id: member.user.id }, body: { role: 'admin' }, as: { bearer: owner.token } });
    expect(promoted.status).toBe(200);
    expect((await onB()).data.find((c) => c.id === owner.clientId)?.role).toBe('admin');

    const created = await call(a.origin, 'createClient', { body: { name: 'Side project' }, as: { bearer: member.token } });
    expect(created.status).toBe(200);
    expect((await onB()).data.map((c) => c.id)).toContain(ok(created).id);

    const left = await call(a.origin, 'removeMember', { params: { id: owner.clientId, user_id: member.user.id }, as: { bearer: member.token } });
    expect(left.status).toBe(200);
    expect((await onB()).data.map((c) => c.id)).not.toContain(owner.clientId);

    // One query per change, none for the repeated reads in between.
    const before = queries();
    for (let i = 0; i < 3; i++) await onB();
    expect(queries()).toBe(before);
    // Another user's list is theirs alone.
    expect(ok(await call(b.origin, 'listClients', { as: { bearer: owner.token } })).data.map((c) => c.id)).toEqual([owner.clientId]);
  });

  it('on a busy instance, is served without any Redis read and shows a change from the moment it has returned', async () => {
    const { a, b } = await twoInstances();
    const owner = await userWithToken(a.origin);
    const member = await userWithToken(a.origin);
    const versionReads = countRedisCommand(b, 'get');
    const traffic = busyTraffic(async () => ok(await call(b.origin, 'listClients', { as: { bearer: member.token } })).data.map((c) => c.id));
    // Busy (20 answers in), the instance reads the list's version a few times at most over the next 40, not once per request.
    await traffic.answered(20);
    const [readsBefore, answersBefore] = [versionReads(), traffic.answers.length];
    await traffic.answered(answersBefore + 40);
    expect(versionReads() - readsBefore).toBeLessThan((traffic.answers.length - answersBefore) / 5);
    const added = await call(a.origin, 'addMember', { params: { id: owner.clientId }, body: { email: member.email, role: 'member' }, as: { bearer: owner.token } });
    expect(added.status).toBe(200);
    const returnedAt = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    await traffic.stop();
    const after = traffic.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((ids) => !ids.includes(owner.clientId))).toEqual([]);
  });

  it('is not used without Redis: every read goes to Postgres', async () => {
    const t = await instances.one({ ...ROOMY_LIMITS, REDIS_URL: '' });
    const u = await userWithToken(t.origin);
    const queries = listQueries(t);
    for (let i = 0; i < 3; i++) expect((await call(t.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    expect(queries()).toBe(3);
  });
});
