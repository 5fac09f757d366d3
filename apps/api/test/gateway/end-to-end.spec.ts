import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, ROOMY_LIMITS } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(ROOMY_LIMITS);
});
afterAll(async () => {
  await t?.close();
});

/**
 * Plain fetch, the way a script or the CLI would drive the API: deliberately not the typed
 * harness, and its answers read as loosely as a script reads them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

async function send(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${t.base}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Loose };
}

describe('scripted end to end', () => {
  it('register → mint with the cookie → clients with the bearer → project → fork twice → revoke → invalid token', async () => {
    const reg = await send('POST', '/register', {}, { email: 'script@example.com', name: 'Script', password: 'pa55word!' });
    expect(reg.status).toBe(200);
    const cookie = { cookie: `__Host-aius_session=${reg.body.session_token}` };

    const minted = await send('POST', '/tokens', cookie, { token_name: 'script' });
    expect(minted.status).toBe(200);
    const bearer = { authorization: `Bearer ${minted.body.token}` };

    const clients = await send('GET', '/clients', bearer);
    expect(clients.status).toBe(200);
    expect(clients.body.data).toEqual([{ id: minted.body.client_id, name: expect.any(String), role: 'owner', created_at: expect.any(Number) }]);
    const orgId = clients.body.data[0].id;

    const project = await send('POST', '/projects', bearer, { org_id: orgId, name: 'Pipeline' });
    expect(project.status).toBe(200);
    const fork1 = await send('POST', `/projects/${project.body.id}/fork`, bearer);
    const fork2 = await send('POST', `/projects/${project.body.id}/fork`, bearer);
    expect([fork1.body.name, fork2.body.name]).toEqual(['Pipeline (fork)', 'Pipeline (fork 2)']);
    expect(fork2.body.forked_from_id).toBe(project.body.id);
    const listed = await send('GET', `/projects?org_id=${orgId}`, bearer);
    expect(listed.body.data.map((p: { name: string }) => p.name)).toEqual(['Pipeline', 'Pipeline (fork)', 'Pipeline (fork 2)']);

    const revoked = await send('DELETE', `/tokens/${minted.body.id}`, cookie);
    expect(revoked).toEqual({ status: 200, body: { id: minted.body.id, revoked_at: expect.any(Number) } });
    expect(await send('GET', '/clients', bearer)).toEqual({ status: 401, body: { detail: 'invalid token' } });
    expect(await send('GET', `/projects/${project.body.id}`, bearer)).toEqual({ status: 401, body: { detail: 'invalid token' } });
    // The session still works: only the token died.
    expect((await send('GET', '/clients', cookie)).status).toBe(200);
  });
});
