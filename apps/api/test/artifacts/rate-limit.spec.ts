import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { bearer, upload } from './support.js';

let t: TestApp;
let alice: TokenHolder;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_DEFAULT_PER_MINUTE: '10', RATE_LIMIT_TOKEN_PER_MINUTE: '40' });
  alice = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
});

describe('uploads and rate limits', () => {
  it("count against the token's quota, not the IP's: a push of 35 files leaves the same machine's other calls alone", async () => {
    for (let i = 0; i < 35; i++) {
      const res = await upload(t.origin, bearer(alice.token), { org_id: alice.clientId, path: `push/${i}.txt`, content: Buffer.from(`file ${i}`) });
      expect([i, res.status]).toEqual([i, 200]);
    }
    const me = await fetch(`${t.base}/me`, { headers: { cookie: alice.cookie } });
    expect(me.status).toBe(200);
    expect(me.headers.get('ratelimit-policy')).toBe('"per-ip";q=10;w=60');
  });

  it("answer 429 once the token's own quota is spent, naming the per-token policy", async () => {
    let refused: Response | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const res = await fetch(`${t.base}/artifacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(alice.token) },
        body: JSON.stringify({ org_id: alice.clientId, path: 'more.txt', content_base64: 'QQ==' }),
      });
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(await refused!.json()).toEqual({ detail: 'rate limit exceeded' });
    expect(refused!.headers.get('ratelimit-policy')).toBe('"per-token";q=40;w=60');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('count a session-cookie upload per IP, like any other call', async () => {
    let status = 200;
    for (let i = 0; i < 12 && status === 200; i++) {
      status = (await upload(t.origin, { cookie: alice.cookie }, { org_id: alice.clientId, path: 'web.txt', content: Buffer.from('w') })).status;
    }
    expect(status).toBe(429);
  });
});
