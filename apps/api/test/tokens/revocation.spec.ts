import { describe, expect, it, vi } from 'vitest';
import { RedisService } from '../../src/redis/redis.service.js';
import { TokensRepository } from '../../src/modules/tokens/tokens.repository.js';
import { busyTraffic, countRedisCommand } from '../support/busy-instance.js';
import { call, statusAndBody, userWithToken } from '@aius/test-support';
import { ROOMY_LIMITS, instancesPerTest, type TestApp } from '../support/test-app.js';

/** Two API instances on one Postgres (and one Redis prefix, unless Redis is off). */
const instances = instancesPerTest();
const twoInstances = (env: Record<string, string> = {}) => instances.two({ ...ROOMY_LIMITS, ...env });

async function warmOn(b: TestApp, token: string) {
  const lookups = vi.spyOn(b.app.get(TokensRepository), 'findByHash');
  for (let i = 0; i < 5; i++) expect((await call(b.origin, 'listClients', { as: { bearer: token } })).status).toBe(200);
  // Warm: the token was looked up in Postgres once, then served from B's cache.
  expect(lookups).toHaveBeenCalledTimes(1);
  return lookups;
}

async function cutOffFromRevocationChannel(app: TestApp) {
  const subscribers = (app.app.get(RedisService) as unknown as { subscribers: { unsubscribe(): Promise<unknown> }[] }).subscribers;
  expect(subscribers.length).toBeGreaterThan(0);
  await Promise.all(subscribers.map((s) => s.unsubscribe()));
}

describe('revocation across instances', () => {
  it('revoked token is refused on the other instance on the very next request', async () => {
    const { a, b } = await twoInstances();
    const u = await userWithToken(a.origin);
    await warmOn(b, u.token);
    expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).status).toBe(200);
    const r = await call(b.origin, 'listClients', { as: { bearer: u.token } });
    expect(statusAndBody(r)).toEqual({ status: 401, body: { detail: 'invalid token' } });
  });

  it('a busy instance trusting its memory of the token refuses it from the moment the revoke returns', async () => {
    const { a, b } = await twoInstances();
    const u = await userWithToken(a.origin);
    await warmOn(b, u.token);
    await cutOffFromRevocationChannel(b); // only the marker and the epoch are left
    const markerReads = countRedisCommand(b, 'exists');
    const traffic = busyTraffic(async () => (await call(b.origin, 'listClients', { as: { bearer: u.token } })).status);
    // Busy (20 answers in), B checks the revocation marker a few times at most over the next 40, not once per request.
    await traffic.answered(20);
    const [readsBefore, answersBefore] = [markerReads(), traffic.answers.length];
    await traffic.answered(answersBefore + 40);
    expect(markerReads() - readsBefore).toBeLessThan((traffic.answers.length - answersBefore) / 5);
    expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).status).toBe(200);
    const returnedAt = performance.now();
    await new Promise((r) => setTimeout(r, 200));
    await traffic.stop();
    const after = traffic.sentAfter(returnedAt);
    expect(after.length).toBeGreaterThan(5);
    expect(after).toEqual(after.map(() => 401));
  });

  it('the refusal does not depend on the pub/sub message arriving first', async () => {
    const { a, b } = await twoInstances();
    const u = await userWithToken(a.origin);
    const lookups = await warmOn(b, u.token);
    // Cut B off from the invalidation channel: only the revocation marker is left.
    await cutOffFromRevocationChannel(b);
    expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).status).toBe(200);
    expect(statusAndBody(await call(b.origin, 'listClients', { as: { bearer: u.token } }))).toEqual({ status: 401, body: { detail: 'invalid token' } });
    // Refused from B's own cache and the marker, not by asking Postgres again.
    expect(lookups).toHaveBeenCalledTimes(1);
  });

  it('without Redis, the other instance refuses a revoked token within the fallback window', async () => {
    const { a, b } = await twoInstances({ REDIS_URL: '', TOKEN_CACHE_FALLBACK_MS: '1000' });
    const u = await userWithToken(a.origin);
    const lookups = vi.spyOn(b.app.get(TokensRepository), 'findByHash');
    expect((await call(b.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    expect((await call(b.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    expect(lookups).toHaveBeenCalledTimes(1); // inside the window: no re-check
    expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect(statusAndBody(await call(b.origin, 'listClients', { as: { bearer: u.token } }))).toEqual({ status: 401, body: { detail: 'invalid token' } });
  });

  it('with Redis configured but unreachable, bearers still work and a revoke still bites', async () => {
    const a = await instances.one({ ...ROOMY_LIMITS, REDIS_URL: 'redis://127.0.0.1:1' });
    const u = await userWithToken(a.origin);
    expect((await call(a.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    expect((await call(a.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).body).toEqual({ id: u.tokenId, revoked_at: expect.any(Number) });
    expect(statusAndBody(await call(a.origin, 'listClients', { as: { bearer: u.token } }))).toEqual({ status: 401, body: { detail: 'invalid token' } });
  });
});
