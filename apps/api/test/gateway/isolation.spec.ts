import { call, ok, statusAndBody, userWithToken, type As } from '@aius/test-support';
import { describe, expect, it } from 'vitest';
import { gatewayApp } from '../support/test-app.js';

const spec = gatewayApp();

describe('identity comes only from the credential', () => {
  it("another user's client, project, token and member list are 403/404 with a cookie and with a bearer", async () => {
    const victim = await userWithToken(spec.t.origin);
    const attacker = await userWithToken(spec.t.origin);
    const project = ok(await call(spec.t.origin, 'createProject', { body: { org_id: victim.clientId, name: 'Secret' }, as: { bearer: victim.token } }));
    const credentials: [string, As][] = [
      ['cookie', { cookie: attacker.cookie }],
      ['bearer', { bearer: attacker.token }],
    ];
    for (const [kind, as] of credentials) {
      const attempts = {
        'list members': await call(spec.t.origin, 'listMembers', { params: { id: victim.clientId }, as }),
        'add self as member': await call(spec.t.origin, 'addMember', { params: { id: victim.clientId }, body: { email: attacker.email, role: 'owner' }, as }),
        'promote self': await call(spec.t.origin, 'updateMember', { params: { id: victim.clientId, user_id: attacker.user.id }, body: { role: 'owner' }, as }),
        'remove victim': await call(spec.t.origin, 'removeMember', { params: { id: victim.clientId, user_id: victim.user.id }, as }),
        'list projects': await call(spec.t.origin, 'listProjects', { query: { org_id: victim.clientId }, as }),
        'create project': await call(spec.t.origin, 'createProject', { body: { org_id: victim.clientId, name: 'x' }, as }),
        'get project': await call(spec.t.origin, 'getProject', { params: { id: project.id }, as }),
        'patch project': await call(spec.t.origin, 'updateProject', { params: { id: project.id }, body: { name: 'x' }, as }),
        'fork project': await call(spec.t.origin, 'forkProject', { params: { id: project.id }, as }),
        'delete project': await call(spec.t.origin, 'deleteProject', { params: { id: project.id }, as }),
        'revoke token': await call(spec.t.origin, 'revokeToken', { params: { id: String(victim.tokenId) }, as }),
        'mint for client': await call(spec.t.origin, 'createToken', { body: { token_name: 'x', client_id: victim.clientId }, as }),
      };
      for (const [what, r] of Object.entries(attempts)) {
        expect([401, 403, 404], `${kind}: ${what} → ${r.status}`).toContain(r.status);
      }
      // Token endpoints take the session only; with the cookie they answer for the caller's own tokens.
      if (kind === 'cookie') {
        expect(statusAndBody(attempts['revoke token'])).toEqual({ status: 404, body: { detail: 'token not found' } });
        expect(attempts['mint for client'].status).toBe(403);
        const mine = ok(await call(spec.t.origin, 'listTokens', { as })).data.map((x) => x.id);
        expect(mine).not.toContain(victim.tokenId);
      }
      const clients = ok(await call(spec.t.origin, 'listClients', { as })).data.map((c) => c.id);
      expect(clients).toEqual([attacker.clientId]);
    }
    // Nothing of the victim's changed.
    expect((await call(spec.t.origin, 'getProject', { params: { id: project.id }, as: { bearer: victim.token } })).body).toEqual(project);
    expect(ok(await call(spec.t.origin, 'listMembers', { params: { id: victim.clientId }, as: { bearer: victim.token } })).data).toHaveLength(1);
    expect(ok(await call(spec.t.origin, 'listTokens', { as: { cookie: victim.cookie } })).data[0]!.revoked_at).toBeNull();
  });
});
