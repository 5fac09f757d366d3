import { call, registerUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { structured } from '../support/envelopes.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ APP_ORIGINS: 'https://aius.example.com,http://localhost:3000' });
});
afterAll(async () => {
  await t?.close();
});

const REFUSED = structured('NO_ACCESS', 'Cross-site request refused');

describe('cross-site request forgery', () => {
  it('a cookie-authenticated write with a foreign Origin is refused and changes nothing', async () => {
    const ada = await registerUser(t.origin);
    const r = await call(t.origin, 'twoFactorSetup', { as: { cookie: ada.cookie, headers: { origin: 'https://evil.example' } } });
    expect(r).toMatchObject({ status: 403, body: REFUSED });
    const out = await call(t.origin, 'logout', { as: { cookie: ada.cookie, headers: { origin: 'https://evil.example' } } });
    expect(out).toMatchObject({ status: 403, body: REFUSED });
    expect((await call(t.origin, 'me', { as: { cookie: ada.cookie } })).status).toBe(200);
    expect((await call(t.origin, 'twoFactorStatus', { as: { cookie: ada.cookie } })).body).toEqual({ enabled: false, recovery_codes_remaining: 0 });
  });

  it('a look-alike origin (other scheme, port or subdomain) is foreign too', async () => {
    const ada = await registerUser(t.origin);
    for (const origin of ['http://aius.example.com', 'https://aius.example.com:8443', 'https://evil.aius.example.com', 'null']) {
      const r = await call(t.origin, 'twoFactorSetup', { as: { cookie: ada.cookie, headers: { origin } } });
      expect({ origin, status: r.status }).toEqual({ origin, status: 403 });
    }
  });

  it('a write with no Origin (CLI, scripts) passes', async () => {
    const ada = await registerUser(t.origin);
    expect((await call(t.origin, 'twoFactorSetup', { as: { cookie: ada.cookie } })).status).toBe(200);
    expect(await call(t.origin, 'logout', { as: { cookie: ada.cookie } })).toMatchObject({ status: 200, body: { logged_out: true } });
  });

  it('a write from one of the app’s own origins passes', async () => {
    const ada = await registerUser(t.origin);
    for (const origin of ['https://aius.example.com', 'http://localhost:3000']) {
      expect((await call(t.origin, 'twoFactorSetup', { as: { cookie: ada.cookie, headers: { origin } } })).status).toBe(200);
    }
  });

  it('a read with a foreign Origin is not a write and passes', async () => {
    const ada = await registerUser(t.origin);
    expect((await call(t.origin, 'me', { as: { cookie: ada.cookie, headers: { origin: 'https://evil.example' } } })).status).toBe(200);
  });
});
