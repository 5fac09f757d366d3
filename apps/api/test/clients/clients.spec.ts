import { describe, expect, it } from 'vitest';
import { registerUser } from '../support/accounts.js';
import { coded, gatewayApp, userWithToken } from '../gateway/http.js';

const spec = gatewayApp();

describe('GET /clients', () => {
  it('lists the default client as owner, with cookie or bearer alike', async () => {
    const u = await userWithToken(spec.t.base);
    const viaCookie = await spec.api.get('/clients', { cookie: u.cookie });
    const viaBearer = await spec.api.get('/clients', { bearer: u.token });
    expect(viaCookie.status).toBe(200);
    expect(viaBearer).toEqual(viaCookie);
    expect(viaCookie.body.data).toEqual([{ id: u.clientId, name: expect.any(String), role: 'owner', created_at: expect.any(Number) }]);
  });

  it("shows the caller's own role in each client", async () => {
    const [owner, member] = [await registerUser(spec.t.base), await registerUser(spec.t.base)];
    const c = (await spec.api.post('/clients', { cookie: owner.cookie }, { name: 'Shared' })).body;
    await spec.api.post(`/clients/${c.id}/members`, { cookie: owner.cookie }, { email: member.email, role: 'admin' });
    const listed = (await spec.api.get('/clients', { cookie: member.cookie })).body.data;
    expect(listed).toHaveLength(2);
    expect(listed[1]).toEqual({ id: c.id, name: 'Shared', role: 'admin', created_at: c.created_at });
  });

  it('lists the default client first even when an older client is shared with the caller later (the CLI uploads to data[0])', async () => {
    const elder = await registerUser(spec.t.base);
    const older = (await spec.api.post('/clients', { cookie: elder.cookie }, { name: 'Older' })).body;
    const u = await userWithToken(spec.t.base);
    const newer = (await spec.api.post('/clients', { cookie: u.cookie }, { name: 'Newer' })).body;
    await spec.api.post(`/clients/${older.id}/members`, { cookie: elder.cookie }, { email: u.email });
    for (const credential of [{ cookie: u.cookie }, { bearer: u.token }, { bearer: u.token }]) {
      const ids = (await spec.api.get('/clients', credential)).body.data.map((c: { id: string }) => c.id);
      expect(ids).toEqual([u.clientId, older.id, newer.id]);
    }
  });
});

describe('POST /clients', () => {
  it("creates a client whose owner is the caller, owner_id being the caller's email", async () => {
    const u = await userWithToken(spec.t.base);
    const r = await spec.api.post('/clients', { bearer: u.token }, { name: '  Acme  ' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: expect.stringMatching(/^client_[A-Za-z0-9_-]+$/), name: 'Acme', owner_id: u.email, created_at: expect.any(Number) });
    const members = await spec.api.get(`/clients/${r.body.id}/members`, { cookie: u.cookie });
    expect(members.body.data).toEqual([{ user_id: u.user.id, email: u.email, name: u.user.name, role: 'owner', created_at: expect.any(Number) }]);
  });

  it('needs a name', async () => {
    const u = await registerUser(spec.t.base);
    for (const body of [{}, { name: '' }, { name: '   ' }]) {
      const r = await spec.api.post('/clients', { cookie: u.cookie }, body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual(coded('MISSING_NAME'));
    }
    expect((await spec.api.post('/clients', { cookie: u.cookie }, { name: 'x'.repeat(256) })).body).toEqual(coded('INVALID_REQUEST'));
  });
});

describe('members', () => {
  async function team() {
    const [owner, admin, member, outsider] = [
      await registerUser(spec.t.base),
      await registerUser(spec.t.base),
      await registerUser(spec.t.base),
      await registerUser(spec.t.base),
    ];
    const client = (await spec.api.post('/clients', { cookie: owner.cookie }, { name: 'Team' })).body.id as string;
    expect((await spec.api.post(`/clients/${client}/members`, { cookie: owner.cookie }, { email: admin.email, role: 'admin' })).status).toBe(200);
    expect((await spec.api.post(`/clients/${client}/members`, { cookie: owner.cookie }, { email: member.email })).body.role).toBe('member');
    return { owner, admin, member, outsider, client, path: `/clients/${client}/members` };
  }

  it('members see the member list; outsiders get NO_ACCESS; unknown clients NOT_FOUND', async () => {
    const { member, outsider, path, owner, admin } = await team();
    const r = await spec.api.get(path, { cookie: member.cookie });
    expect(r.status).toBe(200);
    expect(r.body.data.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [owner.email, 'owner'],
      [admin.email, 'admin'],
      [member.email, 'member'],
    ]);
    expect((await spec.api.get(path, { cookie: outsider.cookie })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.get('/clients/client_nope/members', { cookie: outsider.cookie })).body).toEqual(coded('NOT_FOUND'));
  });

  it('adding: by email, case-insensitive; USER_NOT_FOUND; ALREADY_MEMBER', async () => {
    const { owner, outsider, path } = await team();
    const added = await spec.api.post(path, { cookie: owner.cookie }, { email: outsider.email.toUpperCase(), role: 'member' });
    expect(added.status).toBe(200);
    expect(added.body).toEqual({ user_id: outsider.user.id, email: outsider.email, name: outsider.user.name, role: 'member', created_at: expect.any(Number) });
    const again = await spec.api.post(path, { cookie: owner.cookie }, { email: outsider.email });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(coded('ALREADY_MEMBER'));
    const nobody = await spec.api.post(path, { cookie: owner.cookie }, { email: 'nobody-here@example.com' });
    expect(nobody.status).toBe(404);
    expect(nobody.body).toEqual(coded('USER_NOT_FOUND'));
    expect((await spec.api.post(path, { cookie: owner.cookie }, { email: 'not-an-email' })).body).toEqual(coded('INVALID_EMAIL'));
    expect((await spec.api.post(path, { cookie: owner.cookie }, { email: outsider.email, role: 'king' })).body).toEqual(coded('INVALID_REQUEST'));
  });

  it('a member cannot add members; an admin can, but cannot grant owner', async () => {
    const { admin, member, outsider, path } = await team();
    const byMember = await spec.api.post(path, { cookie: member.cookie }, { email: outsider.email });
    expect(byMember.status).toBe(403);
    expect(byMember.body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.post(path, { cookie: admin.cookie }, { email: outsider.email, role: 'owner' })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.post(path, { cookie: admin.cookie }, { email: outsider.email, role: 'admin' })).status).toBe(200);
  });

  it('changing roles: owners may grant owner; admins cannot touch owners; the last owner cannot be demoted', async () => {
    const { owner, admin, member, path } = await team();
    const demoteSelf = await spec.api.patch(`${path}/${owner.user.id}`, { cookie: owner.cookie }, { role: 'admin' });
    expect(demoteSelf.status).toBe(409);
    expect(demoteSelf.body).toEqual(coded('LAST_OWNER'));
    expect((await spec.api.patch(`${path}/${member.user.id}`, { cookie: member.cookie }, { role: 'admin' })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.patch(`${path}/${member.user.id}`, { cookie: admin.cookie }, { role: 'owner' })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.patch(`${path}/${owner.user.id}`, { cookie: admin.cookie }, { role: 'member' })).body).toEqual(coded('NO_ACCESS'));
    const promoted = await spec.api.patch(`${path}/${member.user.id}`, { cookie: admin.cookie }, { role: 'admin' });
    expect(promoted.status).toBe(200);
    expect(promoted.body).toMatchObject({ user_id: member.user.id, role: 'admin' });
    expect((await spec.api.patch(`${path}/${admin.user.id}`, { cookie: owner.cookie }, { role: 'owner' })).body.role).toBe('owner');
    // Two owners now: one may step down.
    expect((await spec.api.patch(`${path}/${owner.user.id}`, { cookie: owner.cookie }, { role: 'member' })).body.role).toBe('member');
    expect((await spec.api.patch(`${path}/usr_nobody`, { cookie: admin.cookie }, { role: 'member' })).body).toEqual(coded('NOT_FOUND'));
  });

  it('two owners stepping down at the same moment leave one owner', async () => {
    const { owner, admin, path } = await team();
    await spec.api.patch(`${path}/${admin.user.id}`, { cookie: owner.cookie }, { role: 'owner' });
    const [x, y] = await Promise.all([
      spec.api.patch(`${path}/${admin.user.id}`, { cookie: admin.cookie }, { role: 'member' }),
      spec.api.patch(`${path}/${owner.user.id}`, { cookie: owner.cookie }, { role: 'member' }),
    ]);
    expect([x.status, y.status].sort()).toEqual([200, 409]);
    const owners = (await spec.api.get(path, { cookie: owner.cookie })).body.data.filter((m: { role: string }) => m.role === 'owner');
    expect(owners).toHaveLength(1);
  });

  it('removing: admins remove members, anyone may leave, the last owner stays', async () => {
    const { owner, admin, member, outsider, path, client } = await team();
    expect((await spec.api.delete(`${path}/${admin.user.id}`, { cookie: member.cookie })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.delete(`${path}/${owner.user.id}`, { cookie: admin.cookie })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.delete(`${path}/${owner.user.id}`, { cookie: outsider.cookie })).body).toEqual(coded('NO_ACCESS'));
    const lastOwner = await spec.api.delete(`${path}/${owner.user.id}`, { cookie: owner.cookie });
    expect(lastOwner.status).toBe(409);
    expect(lastOwner.body).toEqual(coded('LAST_OWNER'));
    const removed = await spec.api.delete(`${path}/${member.user.id}`, { cookie: admin.cookie });
    expect(removed).toEqual({ status: 200, body: { removed: true, user_id: member.user.id } });
    expect((await spec.api.get(path, { cookie: member.cookie })).body).toEqual(coded('NO_ACCESS'));
    expect((await spec.api.get('/clients', { cookie: member.cookie })).body.data.map((c: { id: string }) => c.id)).not.toContain(client);
    expect((await spec.api.delete(`${path}/${admin.user.id}`, { cookie: admin.cookie })).body).toEqual({ removed: true, user_id: admin.user.id });
    expect((await spec.api.delete(`${path}/${member.user.id}`, { cookie: owner.cookie })).body).toEqual(coded('NOT_FOUND'));
  });
});
