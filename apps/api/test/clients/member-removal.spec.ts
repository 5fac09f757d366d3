import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { sql } from '../auth/support.js';
import { registerUser, type RegisteredUser } from '../support/accounts.js';
import { busyTraffic } from '../support/busy-instance.js';
import { startFakeUpstream, type FakeUpstream } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { ROOMY_LIMITS, apiAt } from '../gateway/http.js';
import { upstreamsEnv, userWithToken, type TokenHolder } from '../proxy/support.js';

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

let started: TestApp[] = [];
async function twoInstances(env: Record<string, string> = {}) {
  const common = { ...ROOMY_LIMITS, ...upstreamsEnv(upstream), USAGE_FLUSH_INTERVAL_MS: '60000', ...env };
  const a = await startTestApp(common);
  const b = await startTestApp(common, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
  started = [b, a]; // b first: a owns the database
  return { a, b };
}
afterEach(async () => {
  for (const app of started) await app.close();
  started = [];
});

const chat = async (t: TestApp, token: string) => {
  const res = await fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'hi' }] }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
};

/** An owner's client with a plain member in it, who holds a token bound to it and one for their own client. */
async function memberWithTokens(a: TestApp) {
  const owner = await userWithToken(a);
  const member: RegisteredUser = await registerUser(a.base);
  const added = await apiAt(a.base).post(`/clients/${owner.clientId}/members`, { cookie: owner.cookie }, { email: member.email, role: 'member' });
  expect(added.status).toBe(200);
  const bound: TokenHolder = await userWithToken(a, owner.clientId, member);
  const own: TokenHolder = await userWithToken(a, undefined, member);
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
  const list = (await apiAt(a.base).get('/tokens', { cookie: s.member.cookie })).body.data as { id: number; revoked_at: number | null; revoked_reason: string | null }[];
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
    await removalIsFinalEverywhere((s, a) => apiAt(a.base).delete(`/clients/${s.owner.clientId}/members/${s.member.user.id}`, { cookie: s.owner.cookie }));
  });

  it('who leaves on their own loses those tokens the same way', async () => {
    await removalIsFinalEverywhere((s, a) => apiAt(a.base).delete(`/clients/${s.owner.clientId}/members/${s.member.user.id}`, { cookie: s.member.cookie }));
  });

  it('keeps the tokens revoked when added back: a new membership needs a new token', async () => {
    const { a, b } = await twoInstances();
    const s = await memberWithTokens(a);
    expect((await chat(b, s.bound.token)).status).toBe(200);
    await apiAt(a.base).delete(`/clients/${s.owner.clientId}/members/${s.member.user.id}`, { cookie: s.owner.cookie });
    await apiAt(a.base).post(`/clients/${s.owner.clientId}/members`, { cookie: s.owner.cookie }, { email: s.member.email, role: 'member' });
    expect(await chat(b, s.bound.token)).toEqual({ status: 401, body: { detail: 'invalid token' } });
    const fresh = await userWithToken(a, s.owner.clientId, s.member);
    expect((await chat(b, fresh.token)).status).toBe(200);
  });

  it('without Redis, loses the tokens on the instance that removed them at once and on the other within the fallback window', async () => {
    const { a, b } = await twoInstances({ REDIS_URL: '', TOKEN_CACHE_FALLBACK_MS: '1000' });
    const s = await memberWithTokens(a);
    expect((await chat(b, s.bound.token)).status).toBe(200);
    expect((await chat(a, s.bound.token)).status).toBe(200);
    await apiAt(a.base).delete(`/clients/${s.owner.clientId}/members/${s.member.user.id}`, { cookie: s.owner.cookie });
    expect((await chat(a, s.bound.token)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await chat(b, s.bound.token)).toEqual({ status: 401, body: { detail: 'invalid token' } });
  });
});

describe('minting a token for a client', () => {
  it('is refused once the membership is gone, even for a client the user was in', async () => {
    const { a } = await twoInstances();
    const s = await memberWithTokens(a);
    await apiAt(a.base).delete(`/clients/${s.owner.clientId}/members/${s.member.user.id}`, { cookie: s.owner.cookie });
    const r = await apiAt(a.base).post('/tokens', { cookie: s.member.cookie }, { token_name: 'again', client_id: s.owner.clientId });
    expect(r).toEqual({ status: 403, body: { detail: { code: 'NO_ACCESS', message: expect.any(String) } } });
  });
});
