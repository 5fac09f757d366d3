import { Controller, Module } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { PrismaService } from '@aius/db';
import { Endpoint } from '../../src/common/endpoint.decorator.js';
import { LastUsedRecorder } from '../../src/modules/tokens/last-used.recorder.js';
import { TokensRepository } from '../../src/modules/tokens/tokens.repository.js';
import { isWellFormedToken } from '../../src/modules/tokens/token-format.js';
import { call, callOk, callRaw, ok, registerUser, send, statusAndBody, userWithToken } from '@aius/test-support';
import { coded } from '../support/envelopes.js';
import { gatewayApp } from '../support/test-app.js';

/** A bearer-only route of this spec's own (the chat proxy's are another module's). */
@Controller()
class BearerOnlyProbe {
  @Endpoint({ method: 'GET', path: '/test/bearer-only', auth: 'bearer', rate: 'none' })
  probe() {
    return { ok: true };
  }
}
@Module({ controllers: [BearerOnlyProbe] })
class BearerOnlyProbeModule {}

const spec = gatewayApp({ TOKEN_LAST_USED_FLUSH_MS: '600000' }, { extraModules: [BearerOnlyProbeModule] });

describe('POST /tokens', () => {
  it('mints an aius_ token once, for the default client, with its 12-character prefix', async () => {
    const u = await registerUser(spec.t.origin);
    const as = { cookie: u.cookie };
    const clients = await callOk(spec.t.origin, 'listClients', { as });
    const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'ci' }, as });
    expect(r.status).toBe(200);
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    expect(Object.keys(r.body).sort()).toEqual(['client_id', 'created_at', 'expires_at', 'id', 'models', 'prefix', 'token', 'token_name']);
    expect(r.body).toMatchObject({ expires_at: null, models: null });
    expect(r.body.token).toMatch(/^aius_[0-9A-Za-z]{38}$/);
    expect(isWellFormedToken(r.body.token)).toBe(true);
    expect(r.body.prefix).toBe(r.body.token.slice(0, 12));
    expect(r.body.token_name).toBe('ci');
    expect(r.body.client_id).toBe(clients.data[0]!.id);
    expect(Number.isInteger(r.body.id)).toBe(true);
    expect(Math.abs(r.body.created_at - Date.now() / 1000)).toBeLessThan(60);
  });

  it('stores only the SHA-256 of the secret, never the secret', async () => {
    const u = await userWithToken(spec.t.origin);
    const rows = await spec.t.app.get(PrismaService).apiToken.findMany({ where: { id: u.tokenId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(u.token);
  });

  it('mints for a named client the caller belongs to', async () => {
    const u = await registerUser(spec.t.origin);
    const created = ok(await call(spec.t.origin, 'createClient', { body: { name: 'Second' }, as: { cookie: u.cookie } }));
    const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'x', client_id: created.id }, as: { cookie: u.cookie } });
    expect(r.status).toBe(200);
    expect(ok(r).client_id).toBe(created.id);
  });

  it('refuses a client the caller is not in, or that does not exist, with NO_ACCESS', async () => {
    const [u, other] = [await registerUser(spec.t.origin), await userWithToken(spec.t.origin)];
    for (const client_id of [other.clientId, 'client_doesnotexist']) {
      const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'x', client_id }, as: { cookie: u.cookie } });
      expect(r.status).toBe(403);
      expect(r.body).toEqual(coded('NO_ACCESS'));
    }
  });

  it('without token_name is 400 "token_name is required"', async () => {
    const u = await registerUser(spec.t.origin);
    for (const body of [{}, { token_name: '' }, { token_name: '   ' }, undefined]) {
      const r = await callRaw(spec.t.origin, 'createToken', { body, as: { cookie: u.cookie } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: 'token_name is required' });
    }
  });

  it('without the session cookie is 401 "no session cookie", even with a valid bearer', async () => {
    const u = await userWithToken(spec.t.origin);
    for (const as of [{}, { bearer: u.token }]) {
      const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'x' }, as });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ detail: 'no session cookie' });
    }
    expect((await call(spec.t.origin, 'listTokens', { as: { bearer: u.token } })).body).toEqual({ detail: 'no session cookie' });
  });

  it('with a bad session cookie is 401 "invalid session"', async () => {
    const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'x' }, as: { cookie: '__Host-aius_session=eyJnope' } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'invalid session' });
  });
});

describe('GET /tokens', () => {
  it('lists the caller\'s tokens with metadata and never the secret or its hash', async () => {
    const u = await userWithToken(spec.t.origin, { request: { token_name: 'first' } });
    await call(spec.t.origin, 'createToken', { body: { token_name: 'second' }, as: { cookie: u.cookie } });
    await userWithToken(spec.t.origin, { request: { token_name: 'someone else' } });
    const r = await call(spec.t.origin, 'listTokens', { as: { cookie: u.cookie } });
    expect(r.status).toBe(200);
    const listed = ok(r);
    expect(listed.data.map((x) => x.token_name)).toEqual(['first', 'second']);
    for (const row of listed.data) {
      expect(Object.keys(row).sort()).toEqual(['client_id', 'created_at', 'expires_at', 'id', 'last_used_at', 'models', 'prefix', 'revoked_at', 'revoked_reason', 'token_name']);
      expect(row.prefix).toMatch(/^aius_.{7}$/);
    }
    expect(JSON.stringify(r.body)).not.toContain(u.token);
    expect(listed.data[0]).toMatchObject({ id: u.tokenId, last_used_at: null, revoked_at: null, revoked_reason: null, prefix: u.token.slice(0, 12) });
  });

  it('keeps last_used_at with one batched write, not one per request', async () => {
    const u = await userWithToken(spec.t.origin);
    const recorder = spec.t.app.get(LastUsedRecorder);
    await recorder.flush(); // start from an empty batch
    const markUsed = vi.spyOn(spec.t.app.get(TokensRepository), 'markUsed');
    try {
      const replies = await Promise.all(Array.from({ length: 30 }, () => call(spec.t.origin, 'listClients', { as: { bearer: u.token } })));
      expect(replies.every((r) => r.status === 200)).toBe(true);
      expect(markUsed).not.toHaveBeenCalled();
      expect(ok(await call(spec.t.origin, 'listTokens', { as: { cookie: u.cookie } })).data[0]!.last_used_at).toBeNull();
      await recorder.flush();
      expect(markUsed).toHaveBeenCalledTimes(1);
      expect(markUsed.mock.calls[0]![0]).toEqual([u.tokenId]);
      const used = ok(await call(spec.t.origin, 'listTokens', { as: { cookie: u.cookie } })).data[0]!.last_used_at;
      expect(Math.abs(used! - Date.now() / 1000)).toBeLessThan(60);
    } finally {
      markUsed.mockRestore();
    }
  });
});

describe('DELETE /tokens/:id', () => {
  it('revokes, is idempotent, and the bearer then gets "invalid token"', async () => {
    const u = await userWithToken(spec.t.origin);
    expect((await call(spec.t.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    const first = await call(spec.t.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ id: u.tokenId, revoked_at: expect.any(Number) });
    const again = await call(spec.t.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } });
    expect(again.body).toEqual(first.body);
    const r = await call(spec.t.origin, 'listClients', { as: { bearer: u.token } });
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ detail: 'invalid token' });
    const listed = ok(await call(spec.t.origin, 'listTokens', { as: { cookie: u.cookie } })).data[0]!;
    expect(listed.revoked_at).toBe(ok(first).revoked_at);
    expect(listed.revoked_reason).toBe('revoked');
  });

  it('a non-integer id is 400 "invalid token id"', async () => {
    const u = await registerUser(spec.t.origin);
    for (const id of ['abc', '1.5', '-1', '1e3', '99999999999']) {
      const r = await callRaw(spec.t.origin, 'revokeToken', { params: { id }, as: { cookie: u.cookie } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual({ detail: 'invalid token id' });
    }
  });

  it("someone else's or an unknown id is 404 \"token not found\", and the token keeps working", async () => {
    const [u, other] = [await registerUser(spec.t.origin), await userWithToken(spec.t.origin)];
    for (const id of [other.tokenId, 2_000_000_000]) {
      const r = await call(spec.t.origin, 'revokeToken', { params: { id: String(id) }, as: { cookie: u.cookie } });
      expect(r.status).toBe(404);
      expect(r.body).toEqual({ detail: 'token not found' });
    }
    expect((await call(spec.t.origin, 'listClients', { as: { bearer: other.token } })).status).toBe(200);
  });
});

describe('bearer strings', () => {
  it('each malformed Authorization header gets its own gateway string', async () => {
    const sendWith = (authorization: string) => call(spec.t.origin, 'listClients', { as: { headers: { authorization } } });
    const cases: [string, string][] = [
      ['Basic dXNlcjpwYXNz', 'invalid authorization header'],
      ['aius_abc', 'invalid authorization header'],
      ['Bearer ', 'invalid bearer token'],
      ['Bearer    ', 'invalid bearer token'],
      ['Bearer aius_not_a_real_token', 'invalid token'],
      ['Bearer sk-1234', 'invalid token'],
    ];
    for (const [header, detail] of cases) {
      const res = await sendWith(header);
      expect(res.status, header).toBe(401);
      expect(res.body, header).toEqual({ detail });
    }
  });

  it('a bearer-only route without Authorization is 401 "missing bearer token", even with a session cookie', async () => {
    const u = await userWithToken(spec.t.origin);
    for (const as of [{}, { cookie: u.cookie }]) {
      const r = await send(`${spec.t.base}/test/bearer-only`, 'GET', as);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ detail: 'missing bearer token' });
    }
    expect(statusAndBody(await send(`${spec.t.base}/test/bearer-only`, 'GET', { bearer: u.token }))).toEqual({ status: 200, body: { ok: true } });
  });

  it('an account route with no credential at all is UNAUTHENTICATED', async () => {
    const r = await call(spec.t.origin, 'listClients');
    expect(r.status).toBe(401);
    expect(r.body).toEqual(coded('UNAUTHENTICATED'));
  });
});
