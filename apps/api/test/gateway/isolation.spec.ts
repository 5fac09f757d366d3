import { describe, expect, it } from 'vitest';
import { gatewayApp, userWithToken, type As } from './http.js';

const spec = gatewayApp();

describe('identity comes only from the credential', () => {
  it("another user's client, project, token and member list are 403/404 with a cookie and with a bearer", async () => {
    const victim = await userWithToken(spec.t.base);
    const attacker = await userWithToken(spec.t.base);
    const project = (await spec.api.post('/projects', { bearer: victim.token }, { org_id: victim.clientId, name: 'Secret' })).body;
    const credentials: [string, As][] = [
      ['cookie', { cookie: attacker.cookie }],
      ['bearer', { bearer: attacker.token }],
    ];
    for (const [kind, as] of credentials) {
      const attempts = {
        'list members': await spec.api.get(`/clients/${victim.clientId}/members`, as),
        'add self as member': await spec.api.post(`/clients/${victim.clientId}/members`, as, { email: attacker.email, role: 'owner' }),
        'promote self': await spec.api.patch(`/clients/${victim.clientId}/members/${attacker.user.id}`, as, { role: 'owner' }),
        'remove victim': await spec.api.delete(`/clients/${victim.clientId}/members/${victim.user.id}`, as),
        'list projects': await spec.api.get(`/projects?org_id=${victim.clientId}`, as),
        'create project': await spec.api.post('/projects', as, { org_id: victim.clientId, name: 'x' }),
        'get project': await spec.api.get(`/projects/${project.id}`, as),
        'patch project': await spec.api.patch(`/projects/${project.id}`, as, { name: 'x' }),
        'fork project': await spec.api.post(`/projects/${project.id}/fork`, as),
        'delete project': await spec.api.delete(`/projects/${project.id}`, as),
        'revoke token': await spec.api.delete(`/tokens/${victim.tokenId}`, as),
        'mint for client': await spec.api.post('/tokens', as, { token_name: 'x', client_id: victim.clientId }),
      };
      for (const [what, r] of Object.entries(attempts)) {
        expect([401, 403, 404], `${kind}: ${what} → ${r.status}`).toContain(r.status);
      }
      // Token endpoints take the session only; with the cookie they answer for the caller's own tokens.
      if (kind === 'cookie') {
        expect(attempts['revoke token']).toEqual({ status: 404, body: { detail: 'token not found' } });
        expect(attempts['mint for client'].status).toBe(403);
        const mine = (await spec.api.get('/tokens', as)).body.data.map((x: { id: number }) => x.id);
        expect(mine).not.toContain(victim.tokenId);
      }
      const clients = (await spec.api.get('/clients', as)).body.data.map((c: { id: string }) => c.id);
      expect(clients).toEqual([attacker.clientId]);
    }
    // Nothing of the victim's changed.
    expect((await spec.api.get(`/projects/${project.id}`, { bearer: victim.token })).body).toEqual(project);
    expect((await spec.api.get(`/clients/${victim.clientId}/members`, { bearer: victim.token })).body.data).toHaveLength(1);
    expect((await spec.api.get('/tokens', { cookie: victim.cookie })).body.data[0].revoked_at).toBeNull();
  });
});
