import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { captureLogs } from '../faults/log-capture.js';
import { startFakeUpstream, sparePort, userWithToken, type TokenHolder } from '@aius/test-support';

let t: TestApp;
let bob: TokenHolder;

beforeAll(async () => {
  // The single-upstream shorthand, pointing at a port nothing listens on.
  t = await startTestApp({ UPSTREAM_BASE_URL: `http://127.0.0.1:${await sparePort()}/v1`, UPSTREAM_API_KEY: 'sk-x' });
  bob = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
});

describe('an unreachable upstream', () => {
  it('makes chat answer 503 "Failed to reach upstream service" at once', async () => {
    const started = performance.now();
    const res = await fetch(`${t.base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'anything', messages: [], stream: true }),
    });
    expect([res.status, await res.json()]).toEqual([503, { detail: 'Failed to reach upstream service' }]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('still answers GET /models 200 to a valid token (so a CLI does not call the key unverified), with no model it never heard of', async () => {
    const res = await fetch(`${t.base}/models`, { headers: { authorization: `Bearer ${bob.token}` } });
    expect([res.status, await res.json()]).toEqual([200, { object: 'list', data: [] }]);
    const refused = await fetch(`${t.base}/models`, { headers: { authorization: 'Bearer aius_nope' } });
    expect(refused.status).toBe(401);
  });

  it('surfaces to the OpenAI SDK as a 503', async () => {
    const sdk = new OpenAI({ baseURL: t.base, apiKey: bob.token, maxRetries: 0 });
    await expect(sdk.chat.completions.create({ model: 'x', messages: [] })).rejects.toMatchObject({ status: 503 });
  });
});

describe('an upstream that goes away after it listed its models', () => {
  it('leaves GET /models at 200 with the configured models and the last list it gave, and says so in the log', async () => {
    const upstream = await startFakeUpstream({ models: ['remote-a', 'remote-b'] });
    const app = await startTestApp({
      LOG_LEVEL: 'warn',
      UPSTREAM_MODELS_CACHE_SECONDS: '0',
      UPSTREAMS: JSON.stringify([
        { name: 'configured', base_url: `http://127.0.0.1:${await sparePort()}/v1`, models: ['local-x'] },
        { name: 'remote', base_url: upstream.url, prefix: 'remote/' },
      ]),
    });
    const logs = captureLogs();
    try {
      const holder = await userWithToken(app.origin);
      const models = async () => {
        const res = await fetch(`${app.base}/models`, { headers: { authorization: `Bearer ${holder.token}` } });
        return [res.status, ((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)];
      };
      const expected = [200, ['local-x', 'remote/remote-a', 'remote/remote-b']];
      expect(await models()).toEqual(expected);
      await upstream.close();
      expect(await models()).toEqual(expected);
      expect(logs.count(/remote: GET \/models failed .*lists what it last gave/)).toBeGreaterThan(0);
      const chat = await fetch(`${app.base}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${holder.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'remote/remote-a', messages: [] }),
      });
      expect(chat.status).toBe(503);
    } finally {
      logs.stop();
      await app.close();
    }
  });
});
