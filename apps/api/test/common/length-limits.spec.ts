import { call, ok, statusAndBody, userWithToken } from '@aius/test-support';
import { describe, expect, it } from 'vitest';
import { coded } from '../support/envelopes.js';
import { gatewayApp } from '../support/test-app.js';

/**
 * The limits of spec §2 (names ≤ 255, descriptions ≤ 10 000, password ≤ 256) count
 * characters, as the existing clients do (Python's len, Postgres' char_length), not the
 * UTF-16 units of a JavaScript string, where 😀 counts twice.
 */
const spec = gatewayApp();
const emoji = (n: number) => '😀'.repeat(n);

describe('length limits count characters', () => {
  it('a name of 255 emoji is accepted everywhere a name is, 256 are INVALID_REQUEST', async () => {
    const u = await userWithToken(spec.t.origin);
    const as = { cookie: u.cookie };
    const accepted = {
      register: await call(spec.t.origin, 'register', { body: { name: emoji(255), email: 'emoji-name@example.com', password: u.password } }),
      client: await call(spec.t.origin, 'createClient', { body: { name: emoji(255) }, as }),
      project: await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: emoji(255) }, as }),
      token: await call(spec.t.origin, 'createToken', { body: { token_name: emoji(255) }, as }),
    };
    for (const [where, r] of Object.entries(accepted)) expect({ where, status: r.status }).toEqual({ where, status: 200 });
    expect(ok(accepted.project).name).toBe(emoji(255));

    const tooLong = {
      register: await call(spec.t.origin, 'register', { body: { name: emoji(256), email: 'emoji-long@example.com', password: u.password } }),
      client: await call(spec.t.origin, 'createClient', { body: { name: emoji(256) }, as }),
      project: await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: emoji(256) }, as }),
      token: await call(spec.t.origin, 'createToken', { body: { token_name: emoji(256) }, as }),
    };
    for (const [where, r] of Object.entries(tooLong)) {
      expect({ where, status: r.status, body: r.body }).toEqual({ where, status: 400, body: coded('INVALID_REQUEST') });
    }
  });

  it('a description of 10 000 emoji is accepted, 10 001 are INVALID_REQUEST', async () => {
    const u = await userWithToken(spec.t.origin);
    const created = await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: 'P', description: emoji(10_000) }, as: { bearer: u.token } });
    expect(created.status).toBe(200);
    const long = await call(spec.t.origin, 'updateProject', { params: { id: ok(created).id }, body: { description: emoji(10_001) }, as: { bearer: u.token } });
    expect(statusAndBody(long)).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
  });

  it('a password of 256 emoji (with a letter and a digit) registers and logs in; 257 characters are INVALID_REQUEST', async () => {
    const password = `a1${emoji(254)}`;
    const reg = await call(spec.t.origin, 'register', { body: { name: 'E', email: 'emoji-pass@example.com', password } });
    expect(reg.status).toBe(200);
    expect((await call(spec.t.origin, 'login', { body: { email: 'emoji-pass@example.com', password } })).status).toBe(200);
    const long = await call(spec.t.origin, 'register', { body: { name: 'E', email: 'emoji-pass2@example.com', password: `${password}x` } });
    expect(statusAndBody(long)).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
  });
});
