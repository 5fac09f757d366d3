import { describe, expect, it } from 'vitest';
import { coded, gatewayApp, userWithToken } from '../gateway/http.js';

/**
 * The limits of spec §2 (names ≤ 255, descriptions ≤ 10 000, password ≤ 256) count
 * characters, as the existing clients do (Python's len, Postgres' char_length), not the
 * UTF-16 units of a JavaScript string, where 😀 counts twice.
 */
const spec = gatewayApp();
const emoji = (n: number) => '😀'.repeat(n);

describe('length limits count characters', () => {
  it('a name of 255 emoji is accepted everywhere a name is, 256 are INVALID_REQUEST', async () => {
    const u = await userWithToken(spec.t.base);
    const as = { cookie: u.cookie };
    const ok = {
      register: await spec.api.post('/register', {}, { name: emoji(255), email: 'emoji-name@example.com', password: u.password }),
      client: await spec.api.post('/clients', as, { name: emoji(255) }),
      project: await spec.api.post('/projects', as, { org_id: u.clientId, name: emoji(255) }),
      token: await spec.api.post('/tokens', as, { token_name: emoji(255) }),
    };
    for (const [where, r] of Object.entries(ok)) expect({ where, status: r.status }).toEqual({ where, status: 200 });
    expect(ok.project.body.name).toBe(emoji(255));

    const tooLong = {
      register: await spec.api.post('/register', {}, { name: emoji(256), email: 'emoji-long@example.com', password: u.password }),
      client: await spec.api.post('/clients', as, { name: emoji(256) }),
      project: await spec.api.post('/projects', as, { org_id: u.clientId, name: emoji(256) }),
      token: await spec.api.post('/tokens', as, { token_name: emoji(256) }),
    };
    for (const [where, r] of Object.entries(tooLong)) {
      expect({ where, status: r.status, body: r.body }).toEqual({ where, status: 400, body: coded('INVALID_REQUEST') });
    }
  });

  it('a description of 10 000 emoji is accepted, 10 001 are INVALID_REQUEST', async () => {
    const u = await userWithToken(spec.t.base);
    const ok = await spec.api.post('/projects', { bearer: u.token }, { org_id: u.clientId, name: 'P', description: emoji(10_000) });
    expect(ok.status).toBe(200);
    const long = await spec.api.patch(`/projects/${ok.body.id}`, { bearer: u.token }, { description: emoji(10_001) });
    expect(long).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
  });

  it('a password of 256 emoji (with a letter and a digit) registers and logs in; 257 characters are INVALID_REQUEST', async () => {
    const password = `a1${emoji(254)}`;
    const reg = await spec.api.post('/register', {}, { name: 'E', email: 'emoji-pass@example.com', password });
    expect(reg.status).toBe(200);
    expect((await spec.api.post('/login', {}, { email: 'emoji-pass@example.com', password })).status).toBe(200);
    const long = await spec.api.post('/register', {}, { name: 'E', email: 'emoji-pass2@example.com', password: `${password}x` });
    expect(long).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
  });
});
