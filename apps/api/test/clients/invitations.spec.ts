import { call, callOk, startTestSmtp, type TestSmtp, registerUser, type RegisteredUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

/**
 * Invitations and SIGNUP_MODE (spec §13) over a real SMTP server: the link is read out of the
 * mail. `t` is open for sign-up; `inv` (invite) and `closed` share its database.
 */
const PUBLIC_URL = 'https://aius.example.test';
let smtp: TestSmtp;
let t: TestApp;
let inv: TestApp;
let closed: TestApp;

beforeAll(async () => {
  smtp = await startTestSmtp();
  const env = { SMTP_URL: smtp.url, PUBLIC_URL, MAIL_RETRY_BASE_MS: '50', MAIL_POLL_INTERVAL_MS: '100' };
  t = await startTestApp(env);
  inv = await startTestApp({ ...env, SIGNUP_MODE: 'invite' }, { db: t.db });
  closed = await startTestApp({ ...env, SIGNUP_MODE: 'closed' }, { db: t.db });
});
afterAll(async () => {
  await closed?.close();
  await inv?.close();
  await t?.close();
  await smtp?.close();
});

const email = (tag: string) => `${tag}-${Math.random().toString(36).slice(2, 10)}@example.com`;
const defaultClient = async (u: RegisteredUser) => (await callOk(t.origin, 'listClients', { as: { cookie: u.cookie } })).data[0]!.id;

/** Invites `to` and reads the link's token out of the mail. */
async function invite(owner: RegisteredUser, clientId: string, to: string, role: 'member' | 'admin' | 'owner' = 'member') {
  const before = smtp.received.length;
  const r = await call(t.origin, 'createInvitation', { params: { id: clientId }, body: { email: to, role }, as: { cookie: owner.cookie } });
  if (!r.ok) throw new Error(`invite: ${r.status} ${JSON.stringify(r.body)}`);
  const mail = await smtp.waitFor(to, { after: before });
  const link = mail.links.find((l) => l.includes('/invitations/accept'))!;
  expect(new URL(link).origin).toBe(PUBLIC_URL);
  return { invitation: r.body, token: new URL(link).hash.replace(/^#token=/, ''), mail };
}

describe('invitations', () => {
  it('invite → mail → the invited account accepts while signed in and becomes a member with the role', async () => {
    const owner = await registerUser(t.origin, { name: 'Olga' });
    const clientId = await defaultClient(owner);
    const bob = await registerUser(t.origin);
    const { invitation, token, mail } = await invite(owner, clientId, bob.email, 'admin');
    expect(invitation).toMatchObject({ email: bob.email, role: 'admin', invited_by: owner.user.id });
    expect(mail.subject).toBe('You are invited to Personal on AIUS');
    expect(mail.text).toContain(owner.email);
    const pending = await callOk(t.origin, 'listInvitations', { params: { id: clientId }, as: { cookie: owner.cookie } });
    expect(pending.data.map((i) => i.id)).toEqual([invitation.id]);
    // Only the hash is stored.
    const [row] = await sql<{ token_hash: string }>(t, 'SELECT token_hash FROM invitations WHERE id = $1', [invitation.id]);
    expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await call(t.origin, 'inspectInvitation', { body: { token } })).toMatchObject({ status: 200, body: { client_name: 'Personal', email: bob.email, role: 'admin', has_account: true } });
    const accepted = await call(t.origin, 'acceptInvitation', { body: { token }, as: { cookie: bob.cookie } });
    expect(accepted).toMatchObject({ status: 200, body: { id: clientId, name: 'Personal', role: 'admin' } });
    const bobsClients = await callOk(t.origin, 'listClients', { as: { cookie: bob.cookie } });
    expect(bobsClients.data.find((c) => c.id === clientId)).toMatchObject({ role: 'admin' });
    expect((await callOk(t.origin, 'listInvitations', { params: { id: clientId }, as: { cookie: owner.cookie } })).data).toEqual([]);
    // Used up.
    expect(await call(t.origin, 'acceptInvitation', { body: { token }, as: { cookie: bob.cookie } })).toMatchObject({ status: 400, body: structured('INVALID_INVITATION', 'This invitation is invalid, used or expired') });
  });

  it('accepting signed in as another email is NO_ACCESS and leaves the invitation usable', async () => {
    const owner = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    const bob = await registerUser(t.origin);
    const eve = await registerUser(t.origin);
    const { token } = await invite(owner, clientId, bob.email);
    expect(await call(t.origin, 'acceptInvitation', { body: { token }, as: { cookie: eve.cookie } })).toMatchObject({ status: 403, body: structured('NO_ACCESS', 'This invitation is for another email address') });
    expect((await call(t.origin, 'acceptInvitation', { body: { token }, as: { cookie: bob.cookie } })).status).toBe(200);
  });

  it('a cancelled invitation cannot be accepted; a newer one voids the older', async () => {
    const owner = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    const bob = await registerUser(t.origin);
    const first = await invite(owner, clientId, bob.email);
    const second = await invite(owner, clientId, bob.email);
    expect(await call(t.origin, 'acceptInvitation', { body: { token: first.token }, as: { cookie: bob.cookie } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_INVITATION' } } });
    const cancelled = await call(t.origin, 'cancelInvitation', { params: { id: clientId, invitation_id: second.invitation.id }, as: { cookie: owner.cookie } });
    expect(cancelled).toMatchObject({ status: 200, body: { id: second.invitation.id, cancelled: true } });
    expect(await call(t.origin, 'acceptInvitation', { body: { token: second.token }, as: { cookie: bob.cookie } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_INVITATION' } } });
    expect(await call(t.origin, 'inspectInvitation', { body: { token: second.token } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_INVITATION' } } });
    expect(await call(t.origin, 'cancelInvitation', { params: { id: clientId, invitation_id: second.invitation.id }, as: { cookie: owner.cookie } })).toMatchObject({ status: 404, body: structured('NOT_FOUND', 'Not found') });
    expect((await callOk(t.origin, 'listClients', { as: { cookie: bob.cookie } })).data.some((c) => c.id === clientId)).toBe(false);
  });

  it('roles: members cannot invite, admins cannot invite owners, members already in are ALREADY_MEMBER', async () => {
    const owner = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    const admin = await registerUser(t.origin);
    const member = await registerUser(t.origin);
    await callOk(t.origin, 'addMember', { params: { id: clientId }, body: { email: admin.email, role: 'admin' }, as: { cookie: owner.cookie } });
    await callOk(t.origin, 'addMember', { params: { id: clientId }, body: { email: member.email, role: 'member' }, as: { cookie: owner.cookie } });
    const as = (u: RegisteredUser, body: { email: string; role: 'member' | 'admin' | 'owner' }) => call(t.origin, 'createInvitation', { params: { id: clientId }, body, as: { cookie: u.cookie } });
    expect(await as(member, { email: email('x'), role: 'member' })).toMatchObject({ status: 403, body: { detail: { code: 'NO_ACCESS' } } });
    expect(await call(t.origin, 'listInvitations', { params: { id: clientId }, as: { cookie: member.cookie } })).toMatchObject({ status: 403 });
    expect(await as(admin, { email: email('x'), role: 'owner' })).toMatchObject({ status: 403, body: { detail: { code: 'NO_ACCESS' } } });
    expect((await as(admin, { email: email('x'), role: 'admin' })).status).toBe(200);
    expect(await as(owner, { email: member.email, role: 'member' })).toMatchObject({ status: 409, body: { detail: { code: 'ALREADY_MEMBER' } } });
    expect(await as(owner, { email: 'not-an-email', role: 'member' })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_EMAIL' } } });
    expect(await as(owner, { email: email('x'), role: 'king' as never })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_REQUEST' } } });
    expect(await call(t.origin, 'createInvitation', { params: { id: 'client_nope' }, body: { email: email('x'), role: 'member' }, as: { cookie: owner.cookie } })).toMatchObject({ status: 404 });
  });
});

describe('SIGNUP_MODE', () => {
  it('invite: registering needs an invitation link, and registering through it joins the client', async () => {
    const owner = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    const newcomer = email('new');
    const plain = await call(inv.origin, 'register', { body: { name: 'New', email: newcomer, password: 'pass-word-1!' } });
    expect(plain).toMatchObject({ status: 403, body: structured('SIGNUP_DISABLED', 'Registration is not open on this server') });
    expect(await call(inv.origin, 'instanceInfo')).toMatchObject({ body: { signup_mode: 'invite', mail_delivery: 'smtp' } });
    const { token } = await invite(owner, clientId, newcomer);
    expect(await call(inv.origin, 'inspectInvitation', { body: { token } })).toMatchObject({ body: { has_account: false } });
    // Another email with this link: refused, and nothing is created.
    const other = email('other');
    expect(await call(inv.origin, 'register', { body: { name: 'X', email: other, password: 'pass-word-1!', invitation_token: token } })).toMatchObject({ status: 403, body: { detail: { code: 'NO_ACCESS' } } });
    expect(await sql(t, 'SELECT id FROM users WHERE email = $1', [other])).toEqual([]);
    const r = await call(inv.origin, 'register', { body: { name: 'New', email: newcomer, password: 'pass-word-1!', invitation_token: token } });
    expect(r.status).toBe(200);
    const cookie = `__Host-aius_session=${(r.body as { session_token: string }).session_token}`;
    const clients = await callOk(inv.origin, 'listClients', { as: { cookie } });
    expect(clients.data.find((c) => c.id === clientId)).toMatchObject({ role: 'member' });
    expect(clients.data).toHaveLength(2); // and a default client of their own
  });

  it('invite: a bad link is INVALID_INVITATION and leaves no account behind', async () => {
    const newcomer = email('bad');
    const r = await call(inv.origin, 'register', { body: { name: 'New', email: newcomer, password: 'pass-word-1!', invitation_token: 'z'.repeat(43) } });
    expect(r).toMatchObject({ status: 400, body: structured('INVALID_INVITATION', 'This invitation is invalid, used or expired') });
    expect(await sql(t, 'SELECT id FROM users WHERE email = $1', [newcomer])).toEqual([]);
  });

  it('closed: nobody registers, not even with an invitation; existing accounts still accept theirs', async () => {
    const owner = await registerUser(t.origin);
    const clientId = await defaultClient(owner);
    const newcomer = email('closed');
    const { token } = await invite(owner, clientId, newcomer);
    expect(await call(closed.origin, 'register', { body: { name: 'N', email: newcomer, password: 'pass-word-1!', invitation_token: token } })).toMatchObject({ status: 403, body: { detail: { code: 'SIGNUP_DISABLED' } } });
    const bob = await registerUser(t.origin);
    const second = await invite(owner, clientId, bob.email);
    expect(second.mail.text).toContain('Sign in with this email address to accept');
    expect((await call(closed.origin, 'acceptInvitation', { body: { token: second.token }, as: { cookie: bob.cookie } })).status).toBe(200);
  });

  it('open (the default) registers without an invitation', async () => {
    expect(await call(t.origin, 'instanceInfo')).toMatchObject({ body: { signup_mode: 'open' } });
    expect((await call(t.origin, 'register', { body: { name: 'O', email: email('open'), password: 'pass-word-1!' } })).status).toBe(200);
  });
});
