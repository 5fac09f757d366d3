import { describe, expect, it } from 'vitest';
import { call, problem, userWithToken, type TokenHolder } from '@aius/test-support';
import { busyTraffic, namedQueries } from '../support/busy-instance.js';
import { ROOMY_LIMITS, instancesPerTest, type TestApp } from '../support/test-app.js';

const instances = instancesPerTest();
const twoInstances = () => instances.two(ROOMY_LIMITS);
const standingQueries = (app: TestApp) => namedQueries(app, 'clients.standing');

/** `member` joins `owner`'s client (through instance `a`) with `role`. */
async function join(a: TestApp, owner: TokenHolder, member: TokenHolder, role: 'member' | 'admin') {
  const added = await call(a.origin, 'addMember', { params: { id: owner.clientId }, body: { email: member.email, role }, as: { bearer: owner.token } });
  expect(added.status).toBe(200);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lets busy traffic run for at least 300 ms and 20 answers (a loaded machine answers slower). */
async function warmed(traffic: { answers: unknown[] }) {
  await pause(300);
  while (traffic.answers.length <= 20) await pause(20);
}

describe('the membership check of client-scoped reads, on a busy instance', () => {
  it('is answered without Postgres while nothing changed, and a removal made on another instance refuses every request sent after it returned', async () => {
    const { a, b } = await twoInstances();
    const owner = await userWithToken(a.origin);
    const member = await userWithToken(a.origin);
    await join(a, owner, member, 'member');
    const queries = standingQueries(b);
    const traffic = busyTraffic(async () => (await call(b.origin, 'usage', { query: { org_id: owner.clientId }, as: { bearer: member.token } })).status);
    await warmed(traffic);
    expect(traffic.answers.every((x) => x.answer === 200)).toBe(true);
    expect(queries()).toBeLessThan(traffic.answers.length / 5);

    const removed = await call(a.origin, 'removeMember', { params: { id: owner.clientId, user_id: member.user.id }, as: { bearer: owner.token } });
    expect(removed.status).toBe(200);
    const returnedAt = performance.now();
    await pause(200);
    await traffic.stop();
    const after = traffic.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((status) => status !== 403)).toEqual([]);
  });

  it('applies a role change made on another instance to every request sent after it returned', async () => {
    const { a, b } = await twoInstances();
    const owner = await userWithToken(a.origin);
    const member = await userWithToken(a.origin);
    await join(a, owner, member, 'admin');
    // The client's audit log is for owners and admins.
    const traffic = busyTraffic(async () => (await call(b.origin, 'clientAuditLog', { params: { id: owner.clientId }, query: {}, as: { bearer: member.token } })).status);
    await warmed(traffic);
    expect(traffic.answers.every((x) => x.answer === 200)).toBe(true);

    const demoted = await call(a.origin, 'updateMember', { params: { id: owner.clientId, user_id: member.user.id }, body: { role: 'member' }, as: { bearer: owner.token } });
    expect(demoted.status).toBe(200);
    const returnedAt = performance.now();
    await pause(200);
    await traffic.stop();
    const after = traffic.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((status) => status !== 403)).toEqual([]);
  });

  it('asks Postgres every time about a caller who is not a member, or a client that does not exist', async () => {
    const { a, b } = await twoInstances();
    const owner = await userWithToken(a.origin);
    const outsider = await userWithToken(a.origin);
    const queries = standingQueries(b);
    const traffic = busyTraffic(async () => (await call(b.origin, 'usage', { query: { org_id: owner.clientId }, as: { bearer: outsider.token } })).status);
    await warmed(traffic);
    await traffic.stop();
    expect(traffic.answers.every((x) => x.answer === 403)).toBe(true);
    expect(queries()).toBe(traffic.answers.length);
    // Once a member, they are let in on their next request.
    await join(a, owner, outsider, 'member');
    expect((await call(b.origin, 'usage', { query: { org_id: owner.clientId }, as: { bearer: outsider.token } })).status).toBe(200);
    expect(problem(await call(b.origin, 'usage', { query: { org_id: 'client_doesnotexist' }, as: { bearer: outsider.token } }))).toEqual([404, 'NOT_FOUND']);
  });

  it('is not used without Redis: every check goes to Postgres', async () => {
    const t = await instances.one({ ...ROOMY_LIMITS, REDIS_URL: '' });
    const u = await userWithToken(t.origin);
    const queries = standingQueries(t);
    for (let i = 0; i < 3; i++) expect((await call(t.origin, 'usage', { query: { org_id: u.clientId }, as: { bearer: u.token } })).status).toBe(200);
    expect(queries()).toBe(3);
  });
});
