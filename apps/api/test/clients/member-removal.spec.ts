import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { call, ok, registerUser, startFakeUpstream, statusAndBody, userWithToken, type FakeUpstream, type RegisteredUser, type TokenHolder } from '@aius/test-support';
import { busyTraffic } from '../support/busy-instance.js';
import { coded } from '../support/envelopes.js';
import { sql } from '../support/sql.js';
import { ROOMY_LIMITS, instancesPerTest, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';

/**
 * A token is usable only while its user is a member of the client it is bound to (issue 12,
 * item 2): removing a member, or a member leaving, stops every token of theirs bound to that
 * client, on every instance, by the time the removal has answered.
 */
let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream?.close();
});

const instances = instancesPerTest();
const twoInstances = (env: Record<string, string> = {}) =>
  instances.two({ ...ROOMY_LIMITS, ...upstreamsEnv(upstream), USAGE_FLUSH_INTERVAL_MS: '60000', ...env });

const chat = async (t: TestApp, token: string) =>
  statusAndBody(await call(t.origin, 'chatCompletions', { body: { model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] }, as: { bearer: token } }));

/** An owner's client with a plain member in it, who holds a token bound to it and one for their own client. */
async function memberWithTokens(a: TestApp) {
  const owner = await userWithToken(a.origin);
  const member: RegisteredUser = await registerUser(a.origin);
  const added = await call(a.origin, 'addMember', { params: { id: owner.clientId }, body: { email: member.email, role: 'member' }, as: { cookie: owner.cookie } });
  expect(added.status).toBe(200);
  const bound: TokenHolder = await userWithToken(a.origin, { holder: member, request: { client_id: owner.clientId } });
  const own: TokenHolder = await userWithToken(a.origin, { holder: member });
  expect(bound.clientId).toBe(owner.clientId);
  expect(own.clientId).not.toBe(owner.clientId);
  return { owner, member, bound, own };
}

async function removalIsFinalEverywhere(removedBy: (s: Awaited<ReturnType<typeof memberWithTokens>>, a: TestApp) => Promise<{ status: number }>) {
  const { a, b } = await twoInstances();
  const s = await memberWithTokens(a);
  // Warm on both instances: each now trusts its memory of the token.
  for (const t of [a, b]) for (let i = 0; i < 3; i++) expect((await chat(t, s.bound.token)).status).toBe(200);
  const onB = busyTraffic(() => chat(b, s.bound.token));
  const onA = busyTraffic(() => chat(a, s.bound.token));
  await new Promise((r) => setTimeout(r, 300));
  expect((await removedBy(s, a)).status).toBe(200);
  const returnedAt = performance.now();
  await new Promise((r) => setTimeout(r, 300));
  await Promise.all([onA.stop(), onB.stop()]);
  const after = [...onA.sentAfter(returnedAt), ...onB.sentAfter(returnedAt)];
  expect(onB.sentAfter(returnedAt).length).toBeGreaterThan(3);
  expect(after.filter((r) => r.status !== 401)).toEqual([]);
  expect(after[0]).toEqual({ status: 401, body: { detail: 'invalid token' } });
  // Their token for their own client is untouched.
  expect((await chat(b, s.own.token)).status).toBe(200);
  // The token list shows why the bound token stopped.
  const list = ok(await call(a.origin, 'listTokens', { as: { cookie: s.member.cookie } })).data;
  expect(list.find((t) => t.id === s.bound.tokenId)).toMatchObject({ revoked_at: expect.any(Number), revoked_reason: 'membership_ended' });
  expect(list.find((t) => t.id === s.own.tokenId)).toMatchObject({ revoked_at: null, revoked_reason: null });
  // Nothing after the removal was billed to the client.
  for (const t of [a, b]) await t.app.get(UsageRecorder).flush();
  const [billed] = await sql<{ n: string }>(a, `SELECT count(*)::text AS n FROM usage_events WHERE token_id = $1 AND status = 200`, [s.bound.tokenId]);
  const answered200 = [...onA.answers, ...onB.answers].filter((x) => x.answer.status === 200).length + 6;
  expect(Number(billed!.n)).toBe(answered200);
}

describe('a member removed from a client', () => {
  it('has every token bound to that client refused on both instances from the moment the removal answers', async () => {
    await removalIsFinalEverywhere((s, a) => call(a.origin, 'removeMember', { params: { id: s.owner.clientId, user_id: s.member.user.id }, as: { cookie: s.owner.cookie } }));
  });

  it('who leaves on their own loses those tokens the same way', async () => {
    await removalIsFinalEverywhere((s, a) => call(a.origin, 'removeMember', { params: { id: s.owner.clientId, user_id: s.member.user.id }, as: { cookie: s.member.cookie } }));
  });

  it('keeps the tokens revoked when added back: a new membership needs a new token', async () => {
    const { a, b } = await twoInstances();
    const s = await memberWithTokens(a);
    expect((await chat(b, s.bound.token)).status).toBe(200);
    await call(a.origin, 'removeMember', { params: { id: s.owner.clientId, user_id: s.member.user.id }, as: { cookie: s.owner.cookie } });
    await call(a.origin, 'addMember', { params: { id: s.owner.clientId }, body: { email: s.member.email, role: 'member' }, as: { cookie: s.owner.cookie } });
    expect(await chat(b, s.bound.token)).toEqual({ status: 401, body: { detail: 'invalid token' } });
    const fresh = await userWithToken(a.origin, { holder: s.member, request: { client_id: s.owner.clientId } });
    expect((await chat(b, fresh.token)).status).toBe(200);
  });

  it('without Redis, loses the tokens on the instance that removed them at once and on the other within the fallback window', async () => {
    const { a, b } = await twoInstances({ REDIS_URL: '', TOKEN_CACHE_FALLBACK_MS: '1000' });
    const s = await memberWithTokens(a);
    expect((await chat(b, s.bound.token)).status).toBe(200);
    expect((await chat(a, s.bound.token)).status).toBe(200);
    await call(a.origin, 'removeMember', { params: { id: s.owner.clientId, user_id: s.member.user.id }, as: { cookie: s.owner.cookie } });
    expect((await chat(a, s.bound.token)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await chat(b, s.bound.token)).toEqual({ status: 401, body: { detail: 'invalid token' } });
  });
});

describe('minting a token for a client', () => {
  it('is refused once the membership is gone, even for a client the user was in', async () => {
    const { a } = await twoInstances();
    const s = await memberWithTokens(a);
    await call(a.origin, 'removeMember', { params: { id: s.owner.clientId, user_id: s.member.user.id }, as: { cookie: s.owner.cookie } });
    const r = await call(a.origin, 'createToken', { body: { token_name: 'again', client_id: s.owner.clientId }, as: { cookie: s.member.cookie } });
    expect(statusAndBody(r)).toEqual({ status: 403, body: coded('NO_ACCESS') });
  });
});
