import { describe, expect, it } from 'vitest';
import { registerUser } from '../support/accounts.js';
import { coded, gatewayApp, userWithToken } from '../gateway/http.js';

const spec = gatewayApp();

const PROJECT_KEYS = ['created_at', 'description', 'forked_from_id', 'forked_from_name', 'id', 'name', 'org_id', 'updated_at'];

describe('projects', () => {
  it('create, get, list, patch and delete, with cookie or bearer', async () => {
    const u = await userWithToken(spec.t.base);
    const created = await spec.api.post('/projects', { bearer: u.token }, { org_id: u.clientId, name: ' Site ', description: 'Docs' });
    expect(created.status).toBe(200);
    expect(Object.keys(created.body).sort()).toEqual(PROJECT_KEYS);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^proj_/), org_id: u.clientId, name: 'Site', description: 'Docs', forked_from_id: null, forked_from_name: null });
    const id = created.body.id;

    expect((await spec.api.get(`/projects/${id}`, { cookie: u.cookie })).body).toEqual(created.body);
    const bare = await spec.api.post('/projects', { cookie: u.cookie }, { org_id: u.clientId, name: 'Bare' });
    expect(bare.body.description).toBeNull();
    const listed = await spec.api.get(`/projects?org_id=${u.clientId}`, { bearer: u.token });
    expect(listed.body.data.map((p: { id: string }) => p.id)).toEqual([id, bare.body.id]);

    const renamed = await spec.api.patch(`/projects/${id}`, { cookie: u.cookie }, { name: 'Renamed' });
    expect(renamed.body).toMatchObject({ id, name: 'Renamed', description: 'Docs' });
    const cleared = await spec.api.patch(`/projects/${id}`, { bearer: u.token }, { description: null });
    expect(cleared.body).toMatchObject({ name: 'Renamed', description: null });
    expect((await spec.api.patch(`/projects/${id}`, { bearer: u.token }, {})).body).toEqual(cleared.body);
    expect((await spec.api.patch(`/projects/${id}`, { bearer: u.token }, { name: '  ' })).body).toEqual(coded('MISSING_NAME'));

    expect(await spec.api.delete(`/projects/${id}`, { bearer: u.token })).toEqual({ status: 200, body: { deleted: true } });
    expect((await spec.api.get(`/projects/${id}`, { bearer: u.token })).status).toBe(404);
    expect((await spec.api.delete(`/projects/${id}`, { bearer: u.token })).body).toEqual(coded('NOT_FOUND'));
  });

  it('input errors: MISSING_ORG_ID, MISSING_NAME, NOT_FOUND for an unknown client, INVALID_REQUEST for oversize', async () => {
    const u = await registerUser(spec.t.base);
    const me = { cookie: u.cookie };
    const clientId = (await spec.api.get('/clients', me)).body.data[0].id;
    expect(await spec.api.get('/projects', me)).toEqual({ status: 400, body: coded('MISSING_ORG_ID') });
    expect((await spec.api.get('/projects?org_id=', me)).body).toEqual(coded('MISSING_ORG_ID'));
    expect((await spec.api.post('/projects', me, { name: 'x' })).body).toEqual(coded('MISSING_ORG_ID'));
    expect((await spec.api.post('/projects', me, { org_id: clientId })).body).toEqual(coded('MISSING_NAME'));
    expect(await spec.api.get('/projects?org_id=client_unknown', me)).toEqual({ status: 404, body: coded('NOT_FOUND') });
    expect((await spec.api.post('/projects', me, { org_id: 'client_unknown', name: 'x' })).status).toBe(404);
    expect((await spec.api.post('/projects', me, { org_id: clientId, name: 'x', description: 'd'.repeat(10_001) })).body).toEqual(
      coded('INVALID_REQUEST'),
    );
    expect(await spec.api.get('/projects/proj_unknown', me)).toEqual({ status: 404, body: coded('NOT_FOUND') });
    expect((await spec.api.post('/projects/proj_unknown/fork', me)).status).toBe(404);
  });

  it('fork: a point-in-time copy named "(fork)", then "(fork 2)", the original untouched', async () => {
    const u = await userWithToken(spec.t.base);
    const original = (await spec.api.post('/projects', { bearer: u.token }, { org_id: u.clientId, name: 'Site', description: 'v1' })).body;
    const first = await spec.api.post(`/projects/${original.id}/fork`, { bearer: u.token });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ org_id: u.clientId, name: 'Site (fork)', description: 'v1', forked_from_id: original.id });
    expect(first.body.id).not.toBe(original.id);
    const second = await spec.api.post(`/projects/${original.id}/fork`, { cookie: u.cookie });
    expect(second.body).toMatchObject({ name: 'Site (fork 2)', forked_from_id: original.id });
    const ofFork = await spec.api.post(`/projects/${first.body.id}/fork`, { cookie: u.cookie });
    expect(ofFork.body).toMatchObject({ name: 'Site (fork) (fork)', forked_from_id: first.body.id });

    await spec.api.patch(`/projects/${original.id}`, { cookie: u.cookie }, { description: 'v2' });
    expect((await spec.api.get(`/projects/${first.body.id}`, { cookie: u.cookie })).body.description).toBe('v1');
    expect((await spec.api.get(`/projects/${original.id}`, { cookie: u.cookie })).body).toMatchObject({ name: 'Site', forked_from_id: null });
  });

  it("a fork keeps its origin's name: it follows the origin's renames and stays once the origin is deleted", async () => {
    const u = await userWithToken(spec.t.base);
    const me = { bearer: u.token };
    const original = (await spec.api.post('/projects', me, { org_id: u.clientId, name: 'Harbor' })).body;
    const fork = (await spec.api.post(`/projects/${original.id}/fork`, me)).body;
    expect(fork).toMatchObject({ name: 'Harbor (fork)', forked_from_id: original.id, forked_from_name: 'Harbor' });

    expect((await spec.api.patch(`/projects/${original.id}`, me, { name: 'Harbor lights' })).status).toBe(200);
    expect((await spec.api.get(`/projects/${fork.id}`, me)).body).toMatchObject({ name: 'Harbor (fork)', forked_from_name: 'Harbor lights' });

    expect((await spec.api.delete(`/projects/${original.id}`, { cookie: u.cookie })).status).toBe(200);
    expect((await spec.api.get(`/projects/${fork.id}`, me)).body).toMatchObject({ forked_from_id: null, forked_from_name: 'Harbor lights' });
    const listed = (await spec.api.get(`/projects?org_id=${u.clientId}`, me)).body.data;
    expect(listed).toEqual([expect.objectContaining({ id: fork.id, forked_from_id: null, forked_from_name: 'Harbor lights' })]);
  });

  it("renames racing forks leave every fork with its origin's final name", async () => {
    const u = await userWithToken(spec.t.base);
    const me = { bearer: u.token };
    const original = (await spec.api.post('/projects', me, { org_id: u.clientId, name: 'Name 0' })).body;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        spec.api.post(`/projects/${original.id}/fork`, me),
        spec.api.patch(`/projects/${original.id}`, me, { name: `Name ${i + 1}` }),
      ]).flat(),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const listed = (await spec.api.get(`/projects?org_id=${u.clientId}`, me)).body.data as { id: string; name: string; forked_from_name: string | null }[];
    const finalName = listed.find((p) => p.id === original.id)!.name;
    expect(listed.filter((p) => p.id !== original.id).map((p) => p.forked_from_name)).toEqual(Array(10).fill(finalName));
  });

  it('five concurrent forks get five distinct names', async () => {
    const u = await userWithToken(spec.t.base);
    const original = (await spec.api.post('/projects', { bearer: u.token }, { org_id: u.clientId, name: 'Busy' })).body;
    const forks = await Promise.all(Array.from({ length: 5 }, () => spec.api.post(`/projects/${original.id}/fork`, { bearer: u.token })));
    expect(forks.map((f) => f.status)).toEqual([200, 200, 200, 200, 200]);
    expect(forks.map((f) => f.body.name).sort()).toEqual(['Busy (fork 2)', 'Busy (fork 3)', 'Busy (fork 4)', 'Busy (fork 5)', 'Busy (fork)']);
  });

  it('fork names count up for names with characters outside the basic plane too', async () => {
    // JavaScript counts 😀 as two UTF-16 units, Postgres as one character: a length taken
    // on one side and applied on the other misses the existing forks.
    const u = await userWithToken(spec.t.base);
    const original = (await spec.api.post('/projects', { bearer: u.token }, { org_id: u.clientId, name: '😀 Ünïcode' })).body;
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push((await spec.api.post(`/projects/${original.id}/fork`, { bearer: u.token })).body.name);
    expect(names).toEqual(['😀 Ünïcode (fork)', '😀 Ünïcode (fork 2)', '😀 Ünïcode (fork 3)']);
  });

  it("someone else's project is NO_ACCESS for every action; a member of its client may use it", async () => {
    const [owner, stranger, member] = [await userWithToken(spec.t.base), await userWithToken(spec.t.base), await registerUser(spec.t.base)];
    const p = (await spec.api.post('/projects', { bearer: owner.token }, { org_id: owner.clientId, name: 'Private' })).body;
    for (const as of [{ cookie: stranger.cookie }, { bearer: stranger.token }]) {
      for (const r of [
        await spec.api.get(`/projects/${p.id}`, as),
        await spec.api.patch(`/projects/${p.id}`, as, { name: 'hijacked' }),
        await spec.api.delete(`/projects/${p.id}`, as),
        await spec.api.post(`/projects/${p.id}/fork`, as),
        await spec.api.get(`/projects?org_id=${owner.clientId}`, as),
        await spec.api.post('/projects', as, { org_id: owner.clientId, name: 'intruder' }),
      ]) {
        expect(r).toEqual({ status: 403, body: coded('NO_ACCESS') });
      }
    }
    expect((await spec.api.get(`/projects/${p.id}`, { bearer: owner.token })).body.name).toBe('Private');
    await spec.api.post(`/clients/${owner.clientId}/members`, { cookie: owner.cookie }, { email: member.email });
    expect((await spec.api.get(`/projects/${p.id}`, { cookie: member.cookie })).status).toBe(200);
  });

  it('a plain member creates, renames and forks, but only an owner or admin deletes (spec §6)', async () => {
    const owner = await userWithToken(spec.t.base);
    const [member, admin] = [await userWithToken(spec.t.base), await userWithToken(spec.t.base)];
    await spec.api.post(`/clients/${owner.clientId}/members`, { cookie: owner.cookie }, { email: member.email, role: 'member' });
    await spec.api.post(`/clients/${owner.clientId}/members`, { cookie: owner.cookie }, { email: admin.email, role: 'admin' });
    const made = await spec.api.post('/projects', { cookie: member.cookie }, { org_id: owner.clientId, name: 'By a member' });
    expect(made.status).toBe(200);
    expect((await spec.api.patch(`/projects/${made.body.id}`, { cookie: member.cookie }, { name: 'Renamed' })).body.name).toBe('Renamed');
    const fork = await spec.api.post(`/projects/${made.body.id}/fork`, { cookie: member.cookie });
    expect(fork.body.name).toBe('Renamed (fork)');
    // Not even their own project, with the cookie or a bearer.
    for (const id of [made.body.id, fork.body.id]) {
      expect(await spec.api.delete(`/projects/${id}`, { cookie: member.cookie })).toEqual({ status: 403, body: coded('NO_ACCESS') });
      expect(await spec.api.delete(`/projects/${id}`, { bearer: member.token })).toEqual({ status: 403, body: coded('NO_ACCESS') });
      expect((await spec.api.get(`/projects/${id}`, { cookie: owner.cookie })).status).toBe(200);
    }
    expect(await spec.api.delete(`/projects/${made.body.id}`, { bearer: admin.token })).toEqual({ status: 200, body: { deleted: true } });
    expect(await spec.api.delete(`/projects/${fork.body.id}`, { cookie: owner.cookie })).toEqual({ status: 200, body: { deleted: true } });
    expect((await spec.api.get(`/projects/${fork.body.id}`, { cookie: owner.cookie })).status).toBe(404);
  });
});
