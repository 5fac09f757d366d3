import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { closedPort, userWithToken, type TokenHolder } from './support.js';

let t: TestApp;
let bob: TokenHolder;

beforeAll(async () => {
  // The single-upstream shorthand, pointing at a port nothing listens on.
  t = await startTestApp({ UPSTREAM_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`, UPSTREAM_API_KEY: 'sk-x' });
  bob = await userWithToken(t);
});
afterAll(async () => {
  await t?.close();
});

describe('an unreachable upstream', () => {
  it('makes chat and models answer 503 "Failed to reach upstream service" at once', async () => {
    for (const [method, path] of [['POST', '/chat/completions'], ['GET', '/models']] as const) {
      const started = performance.now();
      const res = await fetch(`${t.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${bob.token}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ model: 'anything', messages: [], stream: true }) : undefined,
      });
      expect([path, res.status, await res.json()]).toEqual([path, 503, { detail: 'Failed to reach upstream service' }]);
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('surfaces to the OpenAI SDK as a 503', async () => {
    const sdk = new OpenAI({ baseURL: t.base, apiKey: bob.token, maxRetries: 0 });
    await expect(sdk.chat.completions.create({ model: 'x', messages: [] })).rejects.toMatchObject({ status: 503 });
  });
});
