import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { call, callOk, callRaw, registerUser, startFakeUpstream, type FakeUpstream, type RegisteredUser } from '@aius/test-support';
import { TokensRepository } from '../../src/modules/tokens/tokens.repository.js';
import { ROOMY_LIMITS, startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { ADMIN_EMAIL, RunClient, seedBuildAgent, sleep, userMessages } from '../runs/support.js';

/** Spec §12's token limits: `expires_at` and a model allowlist, minted, listed and enforced. */
let upstream: FakeUpstream;
let t: TestApp;
let owner: RegisteredUser;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestApp({ ...ROOMY_LIMITS, ...upstreamsEnv(upstream), ADMIN_EMAILS: ADMIN_EMAIL });
  owner = await registerUser(t.origin);
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const mint = (body: Record<string, unknown>, as: RegisteredUser = owner) =>
  callRaw(t.origin, 'createToken', { body: { token_name: 'limited', ...body }, as: { cookie: as.cookie } });
const chat = (token: string, model: string) =>
  fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('POST /tokens with limits', () => {
  it('keeps expires_at and models, answers them at mint and lists them', async () => {
    const expires = now() + 3600;
    const r = await mint({ expires_at: expires, models: ['gpt-fake', 'gpt-fake', 'router/x'] });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    expect(r.body).toMatchObject({ expires_at: expires, models: ['gpt-fake', 'router/x'] });
    const plain = await mint({});
    if (!plain.ok) throw new Error(JSON.stringify(plain.body));
    expect(plain.body).toMatchObject({ expires_at: null, models: null });
    const list = await callOk(t.origin, 'listTokens', { as: { cookie: owner.cookie } });
    expect(list.data.find((x) => x.id === r.body.id)).toMatchObject({ expires_at: expires, models: ['gpt-fake', 'router/x'] });
    expect(list.data.find((x) => x.id === plain.body.id)).toMatchObject({ expires_at: null, models: null });
  });

  it('refuses an expiry in the past, now, or more than a year ahead, and an empty or malformed allowlist, writing nothing', async () => {
    const before = (await callOk(t.origin, 'listTokens', { as: { cookie: owner.cookie } })).data.length;
    const bad: [Record<string, unknown>, string][] = [
      [{ expires_at: now() - 10 }, 'expires_at must be in the future'],
      [{ expires_at: now() }, 'expires_at must be in the future'],
      [{ expires_at: now() + 367 * 24 * 3600 }, 'expires_at must be at most one year ahead'],
      [{ expires_at: now() + 60.5 }, 'Invalid request'],
      [{ expires_at: '2030-01-01' }, 'Invalid request'],
      [{ models: [] }, 'models must name at least one model; omit it to allow every model'],
      [{ models: ['gpt-fake', ''] }, 'Invalid request'],
      [{ models: 'gpt-fake' }, 'Invalid request'],
      [{ models: Array.from({ length: 101 }, (_, i) => `m${i}`) }, 'Invalid request'],
    ];
    for (const [body, message] of bad) {
      const r = await mint(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toEqual({ detail: { code: 'INVALID_REQUEST', message } });
    }
    expect((await callOk(t.origin, 'listTokens', { as: { cookie: owner.cookie } })).data).toHaveLength(before);
  });
});

describe('an expiring token', () => {
  it('works until expires_at, then is "invalid token", refused from the warm cache without asking Postgres', async () => {
    const expires = now() + 2;
    const r = await mint({ expires_at: expires });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    const as = { bearer: r.body.token };
    expect((await call(t.origin, 'listModels', { as })).status).toBe(200);
    const lookups = vi.spyOn(t.app.get(TokensRepository), 'findByHash');
    try {
      await sleep(expires * 1000 - Date.now() + 50);
      for (const request of [call(t.origin, 'listModels', { as }), call(t.origin, 'listClients', { as })]) {
        const answer = await request;
        expect(answer.status).toBe(401);
        expect(answer.body).toEqual({ detail: 'invalid token' });
      }
      expect((await chat(r.body.token, 'gpt-fake')).status).toBe(401);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  it('already expired when first seen (cold cache) is "invalid token" too', async () => {
    const expires = now() + 1;
    const r = await mint({ expires_at: expires });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    await sleep(expires * 1000 - Date.now() + 50);
    const answer = await call(t.origin, 'listClients', { as: { bearer: r.body.token } });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ detail: 'invalid token' });
  });
});

describe('a token with a model allowlist', () => {
  it('lists only its models, calls them, and gets 403 "model not allowed for this token" for any other', async () => {
    const r = await mint({ models: ['gpt-fake', 'router/anything'] });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    const listed = await callOk(t.origin, 'listModels', { as: { bearer: r.body.token } });
    expect(listed.data.map((m) => m.id)).toEqual(['gpt-fake']);
    const calls = upstream.calls.length;
    expect((await chat(r.body.token, 'gpt-fake')).status).toBe(200);
    expect((await chat(r.body.token, 'router/anything')).status).toBe(200);
    // Refused whether or not the model is served here, and before any upstream call.
    for (const model of ['gpt-fake-mini', 'router/other', 'no-such-model']) {
      const res = await chat(r.body.token, model);
      expect(res.status, model).toBe(403);
      expect(await res.json()).toEqual({ detail: 'model not allowed for this token' });
    }
    expect(upstream.calls.length).toBe(calls + 2);
  });

  it('a token without a list sees and calls every model', async () => {
    const r = await mint({});
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    const listed = await callOk(t.origin, 'listModels', { as: { bearer: r.body.token } });
    expect(listed.data.map((m) => m.id)).toEqual(expect.arrayContaining(['gpt-fake', 'gpt-fake-mini']));
    expect((await chat(r.body.token, 'gpt-fake-mini')).status).toBe(200);
  });

  it('the run loop refuses a model outside the list with close 1008, before any upstream call', async () => {
    const admin = await registerUser(t.origin, { email: ADMIN_EMAIL });
    const adminToken = await mint({}, admin);
    if (!adminToken.ok) throw new Error(JSON.stringify(adminToken.body));
    await seedBuildAgent(t, adminToken.body.token);
    const r = await mint({ models: ['gpt-fake'] });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    const calls = upstream.calls.length;
    const refused = await RunClient.open(t);
    refused.begin(r.body.token, { messages: userMessages, model: 'gpt-fake-mini' });
    expect(await refused.closed).toEqual({ code: 1008, reason: 'model not allowed for this token' });
    expect(refused.frames).toEqual([]);
    expect(upstream.calls.length).toBe(calls);

    const allowed = await RunClient.open(t);
    allowed.begin(r.body.token, { messages: userMessages, model: 'gpt-fake' });
    expect(await allowed.frame(0)).toMatchObject({ type: 'ready' });
    expect(await allowed.closed).toMatchObject({ code: 1000 });
  });
});
