import { describe, expect, it } from 'vitest';
import { call, callRaw, ok, registerUser, statusAndBody, userWithToken } from '@aius/test-support';
import { coded } from '../support/envelopes.js';
import { gatewayApp } from '../support/test-app.js';

const spec = gatewayApp();

describe('GET /clients', () => {
  it('lists the default client as owner, with cookie or bearer alike', async () => {
    const u = await userWithToken(spec.t.origin);
    const viaCookie = await call(spec.t.origin, 'listClients', { as: { cookie: u.cookie } });
    const viaBearer = await call(spec.t.origin, 'listClients', { as: { bearer: u.token } });
    expect(viaCookie.status).toBe(200);
    expect(statusAndBody(viaBearer)).toEqual(statusAndBody(viaCookie));
    expect(ok(viaCookie).data).toEqual([{ id: u.clientId, name: expect.any(String), role: 'owner', created_at: expect.any(Number) }]);
  });

  it("shows the caller's own role in each client", async () => {
    const [owner, member] = [await registerUser(spec.t.origin), await registerUser(spec.t.origin)];
    const c = ok(await call(spec.t.origin, 'createClient', { body: { name: 'Shared' }, as: { cookie: owner.cookie } }));
    await call(spec.t.origin, 'addMember', { params: { id: c.id }, body: { email: member.email, role: 'admin' }, as: { cookie: owner.cookie } });
    const listed = ok(await call(spec.t.origin, 'listClients', { as: { cookie: member.cookie } })).data;
    expect(listed).toHaveLength(2);
    expect(listed[1]).toEqual({ id: c.id, name: 'Shared', role: 'admin', created_at: c.created_at });
  });

  it('lists the default client first even when an older client is shared with the caller later (the CLI uploads to data[0])', async () => {
    const elder = await registerUser(spec.t.origin);
    const older = ok(await call(spec.t.origin, 'createClient', { body: { name: 'Older' }, as: { cookie: elder.cookie } }));
    const u = await userWithToken(spec.t.origin);
    const newer = ok(await call(spec.t.origin, 'createClient', { body: { name: 'Newer' }, as: { cookie: u.cookie } }));
    await call(spec.t.origin, 'addMember', { params: { id: older.id }, body: { email: u.email }, as: { cookie: elder.cookie } });
    for (const credential of [{ cookie: u.cookie }, { bearer: u.token }, { bearer: u.token }]) {
      const ids = ok(await call(spec.t.origin, 'listClients', { as: credential })).data.map((c) => c.id);
      expect(ids).toEqual([u.clientId, older.id, newer.id]);
    }
  });
});

describe('POST /clients', () => {
  it("creates a client whose owner is the caller, owner_id being the caller's email", async () => {
    const u = await userWithToken(spec.t.origin);
    const r = await call(spec.t.origin, 'createClient', { body: { name: '  Acme  ' }, as: { bearer: u.token } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.stringMatching(/^client_[A-Za-z0-9_-]+$/), name: 'Acme', owner_id: u.email, created_at: expect.any(Number) });
    const members = await call(spec.t.origin, 'listMembers', { params: { id: ok(r).id }, as: { cookie: u.cookie } });
    expect(ok(members).data).toEqual([{ user_id: u.user.id, email: u.email, name: u.user.name, role: 'owner', created_at: expect.any(Number) }]);
  });

  it('needs a name', async () => {
    const u = await registerUser(spec.t.origin);
    for (const body of [{}, { name: '' }, { name: '   ' }]) {
      const r = await callRaw(spec.t.origin, 'createClient', { body, as: { cookie: u.cookie } });
      expect(r.status).toBe(400);
      expect(r.body).toEqual(coded('MISSING_NAME'));
    }
    expect((await call(spec.t.origin, 'createClient', { body: { name: 'x'.repeat(256) }, as: { cookie: u.cookie } })).body).toEqual(coded('INVALID_REQUEST'));
  });
});

describe('members', () => {
  async function team() {
    const [owner, admin, member, outsider] = [
      await registerUser(spec.t.origin),
      await registerUser(spec.t.origin),
      await registerUser(spec.t.origin),
      await registerUser(spec.t.origin),
    ];
    const client = ok(await call(spec.t.origin, 'createClient', { body: { name: 'Team' }, as: { cookie: owner.cookie } })).id;
    expect((await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: admin.email, role: 'admin' }, as: { cookie: owner.cookie } })).status).toBe(200);
    expect((await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: member.email }, as: { cookie: owner.cookie } })).body).toMatchObject({ role: 'member' });
    return { owner, admin, member, outsider, client };
  }

  it('members see the member list; outsiders get NO_ACCESS; unknown clients NOT_FOUND', async () => {
    const { member, outsider, client, owner, admin } = await team();
    const r = await call(spec.t.origin, 'listMembers', { params: { id: client }, as: { cookie: member.cookie } });
    expect(r.status).toBe(200);
    expect(ok(r).data.map((m) => [m.email, m.role])).toEqual([
      [owner.email, 'owner'],
      [admin.email, 'admin'],
      [member.email, 'member'],
    ]);
    expect((await call(spec.t.origin, 'listMembers', { params: { id: client }, as: { cookie: outsider.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'listMembers', { params: { id: 'client_nope' }, as: { cookie: outsider.cookie } })).body).toEqual(coded('NOT_FOUND'));
  });

  it('adding: by email, case-insensitive; USER_NOT_FOUND; ALREADY_MEMBER', async () => {
    const { owner, outsider, client } = await team();
    const added = await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email.toUpperCase(), role: 'member' }, as: { cookie: owner.cookie } });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ user_id: outsider.user.id, email: outsider.email, name: outsider.user.name, role: 'member', created_at: expect.any(Number) });
    const again = await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email }, as: { cookie: owner.cookie } });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(coded('ALREADY_MEMBER'));
    const nobody = await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: 'nobody-here@example.com' }, as: { cookie: owner.cookie } });
    expect(nobody.status).toBe(404);
    expect(nobody.body).toEqual(coded('USER_NOT_FOUND'));
    expect((await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: 'not-an-email' }, as: { cookie: owner.cookie } })).body).toEqual(coded('INVALID_EMAIL'));
    expect((await callRaw(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email, role: 'king' }, as: { cookie: owner.cookie } })).body).toEqual(coded('INVALID_REQUEST'));
  });

  it('a member cannot add members; an admin can, but cannot grant owner', async () => {
    const { admin, member, outsider, client } = await team();
    const byMember = await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email }, as: { cookie: member.cookie } });
    expect(byMember.status).toBe(403);
    expect(byMember.body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email, role: 'owner' }, as: { cookie: admin.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'addMember', { params: { id: client }, body: { email: outsider.email, role: 'admin' }, as: { cookie: admin.cookie } })).status).toBe(200);
  });

  it('changing roles: owners may grant owner; admins cannot touch owners; the last owner cannot be demoted', async () => {
    const { owner, admin, member, client } = await team();
    const demoteSelf = await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: owner.user.id }, body: { role: 'admin' }, as: { cookie: owner.cookie } });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body).toEqual(coded('LAST_OWNER'));
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: member.user.id }, body: { role: 'admin' }, as: { cookie: member.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: member.user.id }, body: { role: 'owner' }, as: { cookie: admin.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: owner.user.id }, body: { role: 'member' }, as: { cookie: admin.cookie } })).body).toEqual(coded('NO_ACCESS'));
    const promoted = await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: member.user.id }, body: { role: 'admin' }, as: { cookie: admin.cookie } });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ user_id: member.user.id, role: 'admin' });
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: admin.user.id }, body: { role: 'owner' }, as: { cookie: owner.cookie } })).body).toMatchObject({ role: 'owner' });
    // Two owners now: one may step down.
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: owner.user.id }, body: { role: 'member' }, as: { cookie: owner.cookie } })).body).toMatchObject({ role: 'member' });
    expect((await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: 'usr_nobody' }, body: { role: 'member' }, as: { cookie: admin.cookie } })).body).toEqual(coded('NOT_FOUND'));
  });

  it('two owners stepping down at the same moment leave one owner', async () => {
    const { owner, admin, client } = await team();
    await call(spec.t.origin, 'updateMember', { params: { id: client, user_id: admin.user.id }, body: { role: 'owner' }, as: { cookie: owner.cookie } });
    const [x, y] = await Promise.all([
      call(spec.t.origin, 'updateMember', { params: { id: client, user_id: admin.user.id }, body: { role: 'member' }, as: { cookie: admin.cookie } }),
      call(spec.t.origin, 'updateMember', { params: { id: client, user_id: owner.user.id }, body: { role: 'member' }, as: { cookie: owner.cookie } }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const owners = ok(await call(spec.t.origin, 'listMembers', { params: { id: client }, as: { cookie: owner.cookie } })).data.filter((m) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('removing: admins remove members, anyone may leave, the last owner stays', async () => {
    const { owner, admin, member, outsider, client } = await team();
    expect((await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: admin.user.id }, as: { cookie: member.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: owner.user.id }, as: { cookie: admin.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect((await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: owner.user.id }, as: { cookie: outsider.cookie } })).body).toEqual(coded('NO_ACCESS'));
    const lastOwner = await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: owner.user.id }, as: { cookie: owner.cookie } });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body).toEqual(coded('LAST_OWNER'));
    const removed = await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: member.user.id }, as: { cookie: admin.cookie } });
    expect(statusAndBody(removed)).toEqual({ status: 200, body: { removed: true, user_id: member.user.id } });
    expect((await call(spec.t.origin, 'listMembers', { params: { id: client }, as: { cookie: member.cookie } })).body).toEqual(coded('NO_ACCESS'));
    expect(ok(await call(spec.t.origin, 'listClients', { as: { cookie: member.cookie } })).data.map((c) => c.id)).not.toContain(client);
    expect((await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: admin.user.id }, as: { cookie: admin.cookie } })).body).toEqual({ removed: true, user_id: admin.user.id });
    expect((await call(spec.t.origin, 'removeMember', { params: { id: client, user_id: member.user.id }, as: { cookie: owner.cookie } })).body).toEqual(coded('NOT_FOUND'));
  });
});
