import { describe, expect, it } from 'vitest';
import { registerUser } from '../support/accounts.js';
import { coded, gatewayApp, userWithToken } from '../gateway/http.js';

/**
 * Postgres `text` cannot hold U+0000. JSON can ("\u0000") and so can a path or query
 * ("%00"), so a hostile or buggy client can send one anywhere: it must be a 4xx at the
 * edge, never a database error turned into 500.
 */
const spec = gatewayApp();
const NUL = '\u0000';

describe('a NUL character in any field', () => {
  it('is 400 INVALID_REQUEST in every free-text field, and nothing is written', async () => {
    const u = await userWithToken(spec.t.base);
    const project = (await spec.api.post('/projects', { cookie: u.cookie }, { org_id: u.clientId, name: 'Site' })).body;
    const replies = {
      'register name': await spec.api.post('/register', {}, { name: `Ada${NUL}`, email: 'nul-name@example.com', password: u.password }),
      'login email': await spec.api.post('/login', {}, { email: `ada${NUL}@example.com`, password: u.password }),
      'client name': await spec.api.post('/clients', { cookie: u.cookie }, { name: `Acme${NUL}` }),
      'project name': await spec.api.post('/projects', { cookie: u.cookie }, { org_id: u.clientId, name: `P${NUL}` }),
      'project description': await spec.api.post('/projects', { cookie: u.cookie }, { org_id: u.clientId, name: 'P', description: `d${NUL}` }),
      'patched name': await spec.api.patch(`/projects/${project.id}`, { cookie: u.cookie }, { name: `P${NUL}` }),
      'patched description': await spec.api.patch(`/projects/${project.id}`, { cookie: u.cookie }, { description: `d${NUL}` }),
      'token name': await spec.api.post('/tokens', { cookie: u.cookie }, { token_name: `ci${NUL}` }),
    };
    for (const [field, r] of Object.entries(replies)) {
      expect({ field, status: r.status, body: r.body }).toEqual({ field, status: 400, body: coded('INVALID_REQUEST') });
    }
    expect((await spec.api.get(`/projects/${project.id}`, { cookie: u.cookie })).body).toMatchObject({ name: 'Site', description: null });
    expect((await spec.api.get('/tokens', { cookie: u.cookie })).body.data).toHaveLength(1);
    expect((await spec.api.get('/clients', { cookie: u.cookie })).body.data).toHaveLength(1);
  });

  it('in a client_id to mint for is a client that does not exist: 403 NO_ACCESS, like any unknown client', async () => {
    const u = await registerUser(spec.t.base);
    const r = await spec.api.post('/tokens', { cookie: u.cookie }, { token_name: 'ci', client_id: `client_${NUL}` });
    expect(r).toEqual({ status: 403, body: coded('NO_ACCESS') });
  });

  it('is 404 NOT_FOUND in an id of the path or query: no id contains one', async () => {
    const u = await userWithToken(spec.t.base);
    const other = await registerUser(spec.t.base);
    const as = { bearer: u.token };
    const replies = {
      'project id': await spec.api.get('/projects/%00', as),
      'patched project id': await spec.api.patch('/projects/proj_%00', as, { name: 'x' }),
      'deleted project id': await spec.api.delete('/projects/%00', as),
      'forked project id': await spec.api.post('/projects/%00/fork', as),
      'projects org_id': await spec.api.get('/projects?org_id=%00', as),
      'create project org_id': await spec.api.post('/projects', as, { org_id: `client_${NUL}`, name: 'P' }),
      'members client id': await spec.api.get('/clients/%00/members', as),
      'add member client id': await spec.api.post('/clients/%00/members', as, { email: other.email }),
      'member user id': await spec.api.delete(`/clients/${u.clientId}/members/%00`, as),
      'patched member user id': await spec.api.patch(`/clients/${u.clientId}/members/usr_%00`, as, { role: 'admin' }),
    };
    for (const [where, r] of Object.entries(replies)) {
      expect({ where, status: r.status, body: r.body }).toEqual({ where, status: 404, body: coded('NOT_FOUND') });
    }
  });
});

describe('an unpaired UTF-16 surrogate in a free-text field', () => {
  it('is 400 INVALID_REQUEST: it is not text Postgres can store, and would be silently mangled or refused', async () => {
    const u = await userWithToken(spec.t.base);
    for (const name of ['Acme\ud800', '\udc00Acme']) {
      expect(await spec.api.post('/clients', { cookie: u.cookie }, { name })).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
      expect(await spec.api.post('/projects', { cookie: u.cookie }, { org_id: u.clientId, name })).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
    }
    // A well-formed pair (an emoji) is ordinary text.
    expect((await spec.api.post('/clients', { cookie: u.cookie }, { name: 'Acme \ud83d\ude80' })).body).toMatchObject({ name: 'Acme \ud83d\ude80' });
  });
});
