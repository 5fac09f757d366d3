import { describe, expect, it } from 'vitest';
import { call, callOk, callRaw, ok, registerUser, statusAndBody, userWithToken } from '@aius/test-support';
import { coded } from '../support/envelopes.js';
import { gatewayApp } from '../support/test-app.js';

const spec = gatewayApp();
const api = () => spec.t.origin;

const PROJECT_KEYS = ['created_at', 'description', 'forked_from_id', 'forked_from_name', 'id', 'name', 'org_id', 'updated_at'];

describe('projects', () => {
  it('create, get, list, patch and delete, with cookie or bearer', async () => {
    const u = await userWithToken(api());
    const created = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: ' Site ', description: 'Docs' }, as: { bearer: u.token } }));
    expect(Object.keys(created).sort()).toEqual(PROJECT_KEYS);
    expect(created).toMatchObject({ id: expect.stringMatching(/^proj_/), org_id: u.clientId, name: 'Site', description: 'Docs', forked_from_id: null, forked_from_name: null });
    const id = created.id;

    expect((await call(api(), 'getProject', { params: { id }, as: { cookie: u.cookie } })).body).toEqual(created);
    const bare = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: 'Bare' }, as: { cookie: u.cookie } }));
    expect(bare.description).toBeNull();
    const listed = ok(await call(api(), 'listProjects', { query: { org_id: u.clientId }, as: { bearer: u.token } }));
    expect(listed.data.map((p: { id: string }) => p.id)).toEqual([id, bare.id]);

    const renamed = ok(await call(api(), 'updateProject', { params: { id }, body: { name: 'Renamed' }, as: { cookie: u.cookie } }));
    expect(renamed).toMatchObject({ id, name: 'Renamed', description: 'Docs' });
    const cleared = ok(await call(api(), 'updateProject', { params: { id }, body: { description: null }, as: { bearer: u.token } }));
    expect(cleared).toMatchObject({ name: 'Renamed', description: null });
    expect((await call(api(), 'updateProject', { params: { id }, body: {}, as: { bearer: u.token } })).body).toEqual(cleared);
    expect((await call(api(), 'updateProject', { params: { id }, body: { name: '  ' }, as: { bearer: u.token } })).body).toEqual(coded('MISSING_NAME'));

    expect(statusAndBody(await call(api(), 'deleteProject', { params: { id }, as: { bearer: u.token } }))).toEqual({ status: 200, body: { deleted: true } });
    expect((await call(api(), 'getProject', { params: { id }, as: { bearer: u.token } })).status).toBe(404);
    expect((await call(api(), 'deleteProject', { params: { id }, as: { bearer: u.token } })).body).toEqual(coded('NOT_FOUND'));
  });

  it('input errors: MISSING_ORG_ID, MISSING_NAME, NOT_FOUND for an unknown client, INVALID_REQUEST for oversize', async () => {
    const u = await registerUser(api());
    const me = { cookie: u.cookie };
    const clientId = (await callOk(api(), 'listClients', { as: me })).data[0]!.id;
    expect(statusAndBody(await callRaw(api(), 'listProjects', { as: me }))).toEqual({ status: 400, body: coded('MISSING_ORG_ID') });
    expect((await call(api(), 'listProjects', { query: { org_id: '' }, as: me })).body).toEqual(coded('MISSING_ORG_ID'));
    expect((await callRaw(api(), 'createProject', { body: { name: 'x' }, as: me })).body).toEqual(coded('MISSING_ORG_ID'));
    expect((await callRaw(api(), 'createProject', { body: { org_id: clientId }, as: me })).body).toEqual(coded('MISSING_NAME'));
    expect(statusAndBody(await call(api(), 'listProjects', { query: { org_id: 'client_unknown' }, as: me }))).toEqual({ status: 404, body: coded('NOT_FOUND') });
    expect((await call(api(), 'createProject', { body: { org_id: 'client_unknown', name: 'x' }, as: me })).status).toBe(404);
    expect((await call(api(), 'createProject', { body: { org_id: clientId, name: 'x', description: 'd'.repeat(10_001) }, as: me })).body).toEqual(
      coded('INVALID_REQUEST'),
    );
    expect(statusAndBody(await call(api(), 'getProject', { params: { id: 'proj_unknown' }, as: me }))).toEqual({ status: 404, body: coded('NOT_FOUND') });
    expect((await call(api(), 'forkProject', { params: { id: 'proj_unknown' }, as: me })).status).toBe(404);
  });

  it('fork: a point-in-time copy named "(fork)", then "(fork 2)", the original untouched', async () => {
    const u = await userWithToken(api());
    const original = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: 'Site', description: 'v1' }, as: { bearer: u.token } }));
    const first = ok(await call(api(), 'forkProject', { params: { id: original.id }, as: { bearer: u.token } }));
    expect(first).toMatchObject({ org_id: u.clientId, name: 'Site (fork)', description: 'v1', forked_from_id: original.id });
    expect(first.id).not.toBe(original.id);
    const second = ok(await call(api(), 'forkProject', { params: { id: original.id }, as: { cookie: u.cookie } }));
    expect(second).toMatchObject({ name: 'Site (fork 2)', forked_from_id: original.id });
    const ofFork = ok(await call(api(), 'forkProject', { params: { id: first.id }, as: { cookie: u.cookie } }));
    expect(ofFork).toMatchObject({ name: 'Site (fork) (fork)', forked_from_id: first.id });

    await call(api(), 'updateProject', { params: { id: original.id }, body: { description: 'v2' }, as: { cookie: u.cookie } });
    expect(ok(await call(api(), 'getProject', { params: { id: first.id }, as: { cookie: u.cookie } })).description).toBe('v1');
    expect((await call(api(), 'getProject', { params: { id: original.id }, as: { cookie: u.cookie } })).body).toMatchObject({ name: 'Site', forked_from_id: null });
  });

  it("a fork keeps its origin's name: it follows the origin's renames and stays once the origin is deleted", async () => {
    const u = await userWithToken(api());
    const me = { bearer: u.token };
    const original = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: 'Harbor' }, as: me }));
    const fork = ok(await call(api(), 'forkProject', { params: { id: original.id }, as: me }));
    expect(fork).toMatchObject({ name: 'Harbor (fork)', forked_from_id: original.id, forked_from_name: 'Harbor' });

    expect((await call(api(), 'updateProject', { params: { id: original.id }, body: { name: 'Harbor lights' }, as: me })).status).toBe(200);
    expect((await call(api(), 'getProject', { params: { id: fork.id }, as: me })).body).toMatchObject({ name: 'Harbor (fork)', forked_from_name: 'Harbor lights' });

    expect((await call(api(), 'deleteProject', { params: { id: original.id }, as: { cookie: u.cookie } })).status).toBe(200);
    expect((await call(api(), 'getProject', { params: { id: fork.id }, as: me })).body).toMatchObject({ forked_from_id: null, forked_from_name: 'Harbor lights' });
    const listed = ok(await call(api(), 'listProjects', { query: { org_id: u.clientId }, as: me })).data;
    expect(listed).toEqual([expect.objectContaining({ id: fork.id, forked_from_id: null, forked_from_name: 'Harbor lights' })]);
  });

  it("renames racing forks leave every fork with its origin's final name", async () => {
    const u = await userWithToken(api());
    const me = { bearer: u.token };
    const original = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: 'Name 0' }, as: me }));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => [
        call(api(), 'forkProject', { params: { id: original.id }, as: me }),
        call(api(), 'updateProject', { params: { id: original.id }, body: { name: `Name ${i + 1}` }, as: me }),
      ]).flat(),
    );
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const listed = ok(await call(api(), 'listProjects', { query: { org_id: u.clientId }, as: me })).data as { id: string; name: string; forked_from_name: string | null }[];
    const finalName = listed.find((p) => p.id === original.id)!.name;
    expect(listed.filter((p) => p.id !== original.id).map((p) => p.forked_from_name)).toEqual(Array(10).fill(finalName));
  });

  it('five concurrent forks get five distinct names', async () => {
    const u = await userWithToken(api());
    const original = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: 'Busy' }, as: { bearer: u.token } }));
    const forks = await Promise.all(Array.from({ length: 5 }, () => call(api(), 'forkProject', { params: { id: original.id }, as: { bearer: u.token } })));
    expect(forks.map((f) => f.status)).toEqual([200, 200, 200, 200, 200]);
    expect(forks.map((f) => ok(f).name).sort()).toEqual(['Busy (fork 2)', 'Busy (fork 3)', 'Busy (fork 4)', 'Busy (fork 5)', 'Busy (fork)']);
  });

  it('fork names count up for names with characters outside the basic plane too', async () => {
    // JavaScript counts 😀 as two UTF-16 units, Postgres as one character: a length taken
    // on one side and applied on the other misses the existing forks.
    const u = await userWithToken(api());
    const original = ok(await call(api(), 'createProject', { body: { org_id: u.clientId, name: '😀 Ünïcode' }, as: { bearer: u.token } }));
    const names: string[] = [];
    for (let i = 0; i < 3; i++) names.push(ok(await call(api(), 'forkProject', { params: { id: original.id }, as: { bearer: u.token } })).name);
    expect(names).toEqual(['😀 Ünïcode (fork)', '😀 Ünïcode (fork 2)', '😀 Ünïcode (fork 3)']);
  });

  it("someone else's project is NO_ACCESS for every action; a member of its client may use it", async () => {
    const [owner, stranger, member] = [await userWithToken(api()), await userWithToken(api()), await registerUser(api())];
    const p = ok(await call(api(), 'createProject', { body: { org_id: owner.clientId, name: 'Private' }, as: { bearer: owner.token } }));
    for (const as of [{ cookie: stranger.cookie }, { bearer: stranger.token }]) {
      for (const r of [
        await call(api(), 'getProject', { params: { id: p.id }, as: as }),
        await call(api(), 'updateProject', { params: { id: p.id }, body: { name: 'hijacked' }, as: as }),
        await call(api(), 'deleteProject', { params: { id: p.id }, as: as }),
        await call(api(), 'forkProject', { params: { id: p.id }, as: as }),
        await call(api(), 'listProjects', { query: { org_id: owner.clientId }, as: as }),
        await call(api(), 'createProject', { body: { org_id: owner.clientId, name: 'intruder' }, as }),
      ]) {
        expect(statusAndBody(r)).toEqual({ status: 403, body: coded('NO_ACCESS') });
      }
    }
    expect(ok(await call(api(), 'getProject', { params: { id: p.id }, as: { bearer: owner.token } })).name).toBe('Private');
    await call(api(), 'addMember', { params: { id: owner.clientId }, body: { email: member.email }, as: { cookie: owner.cookie } });
    expect((await call(api(), 'getProject', { params: { id: p.id }, as: { cookie: member.cookie } })).status).toBe(200);
  });

  it('a plain member creates, renames and forks, but only an owner or admin deletes (spec §6)', async () => {
    const owner = await userWithToken(api());
    const [member, admin] = [await userWithToken(api()), await userWithToken(api())];
    await call(api(), 'addMember', { params: { id: owner.clientId }, body: { email: member.email, role: 'member' }, as: { cookie: owner.cookie } });
    await call(api(), 'addMember', { params: { id: owner.clientId }, body: { email: admin.email, role: 'admin' }, as: { cookie: owner.cookie } });
    const made = ok(await call(api(), 'createProject', { body: { org_id: owner.clientId, name: 'By a member' }, as: { cookie: member.cookie } }));
    expect(ok(await call(api(), 'updateProject', { params: { id: made.id }, body: { name: 'Renamed' }, as: { cookie: member.cookie } })).name).toBe('Renamed');
    const fork = ok(await call(api(), 'forkProject', { params: { id: made.id }, as: { cookie: member.cookie } }));
    expect(fork.name).toBe('Renamed (fork)');
    // Not even their own project, with the cookie or a bearer.
    for (const id of [made.id, fork.id]) {
      expect(statusAndBody(await call(api(), 'deleteProject', { params: { id }, as: { cookie: member.cookie } }))).toEqual({ status: 403, body: coded('NO_ACCESS') });
      expect(statusAndBody(await call(api(), 'deleteProject', { params: { id }, as: { bearer: member.token } }))).toEqual({ status: 403, body: coded('NO_ACCESS') });
      expect((await call(api(), 'getProject', { params: { id }, as: { cookie: owner.cookie } })).status).toBe(200);
    }
    expect(statusAndBody(await call(api(), 'deleteProject', { params: { id: made.id }, as: { bearer: admin.token } }))).toEqual({ status: 200, body: { deleted: true } });
    expect(statusAndBody(await call(api(), 'deleteProject', { params: { id: fork.id }, as: { cookie: owner.cookie } }))).toEqual({ status: 200, body: { deleted: true } });
    expect((await call(api(), 'getProject', { params: { id: fork.id }, as: { cookie: owner.cookie } })).status).toBe(404);
  });
});
