import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { startFakeUpstream, type FakeUpstream, userWithToken } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from './support.js';

let upstream: FakeUpstream;
let t: TestApp;

beforeAll(async () => {
  upstream = await startFakeUpstream({ record: false });
  t = await startTestApp(upstreamsEnv(upstream, { RATE_LIMIT_TOKEN_PER_MINUTE: '3', USAGE_FLUSH_INTERVAL_MS: '60000' }));
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const chat = (token: string) =>
  fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-fake', messages: [] }),
  });

describe('the per-token limit of the chat proxy', () => {
  it('refuses a token past its quota with 429, leaves other tokens alone, and meters only what passed', async () => {
    const first = await userWithToken(t.origin);
    const second = await userWithToken(t.origin, { holder: first, request: { client_id: first.clientId } });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(first.token)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const refused = await chat(first.token);
    expect(await refused.json()).toEqual({ detail: 'rate limit exceeded' });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.headers.get('ratelimit-policy')).toContain('"per-token";q=3;w=60');
    expect((await chat(second.token)).status).toBe(200);

    await t.app.get(UsageRecorder).flush();
    const res = await fetch(`${t.base}/usage?org_id=${first.clientId}`, { headers: { cookie: first.cookie } });
    expect(((await res.json()) as { totals: { requests: number } }).totals.requests).toBe(4);
  });

  it('counts every call whose credential is accepted, taken with the per-IP check once the token is known', async () => {
    const holder = await userWithToken(t.origin);
    const badBody = () =>
      fetch(`${t.base}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [] }),
      });
    // Another last character, never the same one (a fixed 'x' left one token in 62 unchanged).
    const wrong = holder.token.slice(0, -1) + (holder.token.at(-1) === 'x' ? 'y' : 'x');
    const wrongToken = () => fetch(`${t.base}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${wrong}` } });
    const statuses = [(await chat(holder.token)).status]; // cold: the token is looked up, then charged
    statuses.push((await wrongToken()).status); // refused before any quota of this token is touched
    statuses.push((await badBody()).status); // warm: charged on arrival, then refused for its body
    statuses.push((await chat(holder.token)).status);
    statuses.push((await chat(holder.token)).status);
    expect(statuses).toEqual([200, 401, 400, 200, 429]);
  });
});
