import { call, ok, registerUser, statusAndBody, userWithToken } from '@aius/test-support';
import { describe, expect, it } from 'vitest';
import { coded } from '../support/envelopes.js';
import { gatewayApp } from '../support/test-app.js';

/**
 * Postgres `text` cannot hold U+0000. JSON can ("\u0000") and so can a path or query
 * ("%00"), so a hostile or buggy client can send one anywhere: it must be a 4xx at the
 * edge, never a database error turned into 500.
 */
const spec = gatewayApp();
const NUL = '\u0000';

describe('a NUL character in any field', () => {
  it('is 400 INVALID_REQUEST in every free-text field, and nothing is written', async () => {
    const u = await userWithToken(spec.t.origin);
    const project = ok(await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: 'Site' }, as: { cookie: u.cookie } }));
    const replies = {
      'register name': await call(spec.t.origin, 'register', { body: { name: `Ada${NUL}`, email: 'nul-name@example.com', password: u.password } }),
      'login email': await call(spec.t.origin, 'login', { body: { email: `ada${NUL}@example.com`, password: u.password } }),
      'client name': await call(spec.t.origin, 'createClient', { body: { name: `Acme${NUL}` }, as: { cookie: u.cookie } }),
      'project name': await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: `P${NUL}` }, as: { cookie: u.cookie } }),
      'project description': await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name: 'P', description: `d${NUL}` }, as: { cookie: u.cookie } }),
      'patched name': await call(spec.t.origin, 'updateProject', { params: { id: project.id }, body: { name: `P${NUL}` }, as: { cookie: u.cookie } }),
      'patched description': await call(spec.t.origin, 'updateProject', { params: { id: project.id }, body: { description: `d${NUL}` }, as: { cookie: u.cookie } }),
      'token name': await call(spec.t.origin, 'createToken', { body: { token_name: `ci${NUL}` }, as: { cookie: u.cookie } }),
    };
    for (const [field, r] of Object.entries(replies)) {
      expect({ field, status: r.status, body: r.body }).toEqual({ field, status: 400, body: coded('INVALID_REQUEST') });
    }
    expect((await call(spec.t.origin, 'getProject', { params: { id: project.id }, as: { cookie: u.cookie } })).body).toMatchObject({ name: 'Site', description: null });
    expect(ok(await call(spec.t.origin, 'listTokens', { as: { cookie: u.cookie } })).data).toHaveLength(1);
    expect(ok(await call(spec.t.origin, 'listClients', { as: { cookie: u.cookie } })).data).toHaveLength(1);
  });

  it('in a client_id to mint for is a client that does not exist: 403 NO_ACCESS, like any unknown client', async () => {
    const u = await registerUser(spec.t.origin);
    const r = await call(spec.t.origin, 'createToken', { body: { token_name: 'ci', client_id: `client_${NUL}` }, as: { cookie: u.cookie } });
    expect(statusAndBody(r)).toEqual({ status: 403, body: coded('NO_ACCESS') });
  });

  it('is 404 NOT_FOUND in an id of the path or query: no id contains one', async () => {
    const u = await userWithToken(spec.t.origin);
    const other = await registerUser(spec.t.origin);
    const as = { bearer: u.token };
    const replies = {
      'project id': await call(spec.t.origin, 'getProject', { params: { id: NUL }, as }),
      'patched project id': await call(spec.t.origin, 'updateProject', { params: { id: `proj_${NUL}` }, body: { name: 'x' }, as }),
      'deleted project id': await call(spec.t.origin, 'deleteProject', { params: { id: NUL }, as }),
      'forked project id': await call(spec.t.origin, 'forkProject', { params: { id: NUL }, as }),
      'projects org_id': await call(spec.t.origin, 'listProjects', { query: { org_id: NUL }, as }),
      'create project org_id': await call(spec.t.origin, 'createProject', { body: { org_id: `client_${NUL}`, name: 'P' }, as }),
      'members client id': await call(spec.t.origin, 'listMembers', { params: { id: NUL }, as }),
      'add member client id': await call(spec.t.origin, 'addMember', { params: { id: NUL }, body: { email: other.email }, as }),
      'member user id': await call(spec.t.origin, 'removeMember', { params: { id: u.clientId, user_id: NUL }, as }),
      'patched member user id': await call(spec.t.origin, 'updateMember', { params: { id: u.clientId, user_id: `usr_${NUL}` }, body: { role: 'admin' }, as }),
    };
    for (const [where, r] of Object.entries(replies)) {
      expect({ where, status: r.status, body: r.body }).toEqual({ where, status: 404, body: coded('NOT_FOUND') });
    }
  });
});

describe('an unpaired UTF-16 surrogate in a free-text field', () => {
  it('is 400 INVALID_REQUEST: it is not text Postgres can store, and would be silently mangled or refused', async () => {
    const u = await userWithToken(spec.t.origin);
    for (const name of ['Acme\ud800', '\udc00Acme']) {
      expect(statusAndBody(await call(spec.t.origin, 'createClient', { body: { name }, as: { cookie: u.cookie } }))).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
      expect(statusAndBody(await call(spec.t.origin, 'createProject', { body: { org_id: u.clientId, name }, as: { cookie: u.cookie } }))).toEqual({ status: 400, body: coded('INVALID_REQUEST') });
    }
    // A well-formed pair (an emoji) is ordinary text.
    expect((await call(spec.t.origin, 'createClient', { body: { name: 'Acme \ud83d\ude80' }, as: { cookie: u.cookie } })).body).toMatchObject({ name: 'Acme \ud83d\ude80' });
  });
});
