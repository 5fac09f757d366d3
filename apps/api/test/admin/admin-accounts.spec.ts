import { ERRORS } from '@aius/contracts';
import { call, ok, registerUser, startTestSmtp, statusAndBody, userWithToken, type RegisteredUser, type TestSmtp } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserCommand } from '../../src/create-user-command.js';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { sql } from '../support/sql.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Issue 17 item 6 (the agent configuration for the dashboard) and accounts made by instance admins
 * under SIGNUP_MODE=closed. `t` is closed; `opening` (the same database, sign-up open) is how the
 * operator made the first accounts before closing it.
 */
const PUBLIC_URL = 'https://aius.example.test';
const UPSTREAM_KEY = 'sk-upstream-secret-do-not-show';
const ADMIN = `admin-${Date.now()}@example.com`;
const NEW_PASSWORD = 'Chosen-by-me-42';

let smtp: TestSmtp;
let opening: TestApp;
let t: TestApp;
let admin: RegisteredUser;
let plain: RegisteredUser;
beforeAll(async () => {
  smtp = await startTestSmtp();
  const env = {
    ADMIN_EMAILS: ADMIN,
    SMTP_URL: smtp.url,
    PUBLIC_URL,
    MAIL_POLL_INTERVAL_MS: '100',
    AUDIT_FLUSH_INTERVAL_MS: '60000',
    UPSTREAM_BASE_URL: 'http://127.0.0.1:9/v1',
    UPSTREAM_API_KEY: UPSTREAM_KEY,
    RUN_DEFAULT_MODEL: 'gpt-default',
    RUN_MODEL_ALIASES: JSON.stringify({ 'anthropic/claude-opus-4.8-fast': 'gpt-default' }),
  };
  opening = await startTestApp({ ...env, SIGNUP_MODE: 'open' });
  t = await startTestApp({ ...env, SIGNUP_MODE: 'closed' }, { db: opening.db, redisPrefix: opening.config.REDIS_PREFIX });
  admin = await registerUser(opening.origin, { email: ADMIN });
  plain = await registerUser(opening.origin);
});
afterAll(async () => {
  await t?.close();
  await opening?.close();
  await smtp?.close();
});

const structured = (code: keyof typeof ERRORS) => ({ detail: { code, message: ERRORS[code].message } });
const login = (email: string, password: string) => call(t.origin, 'login', { body: { email, password } });

describe('GET /admin/agents', () => {
  it('is empty before anything is configured, and says how the run loop picks a model', async () => {
    expect(ok(await call(t.origin, 'listAgents', { as: { cookie: admin.cookie } }))).toEqual({
      data: [],
      run_loop: { default_model: 'gpt-default', model_aliases: { 'anthropic/claude-opus-4.8-fast': 'gpt-default' }, max_iterations: 50 },
    });
  });

  it('lists every agent’s newest version with its newest prompt and tools, to an admin’s session, and never an upstream key', async () => {
    const { token } = await userWithToken(t.origin, { holder: admin });
    const put = async (name: 'putPrompt' | 'putTool' | 'putAgent', body: object) => expect((await call(t.origin, name, { body: body as never, as: { bearer: token } })).status).toBe(200);
    const tool = (name: string, description?: string) => JSON.stringify({ type: 'function', function: { name, ...(description ? { description } : {}), parameters: { type: 'object' } } });
    await put('putPrompt', { name: 'coder', text: 'old prompt' });
    await put('putPrompt', { name: 'coder', text: 'You are a careful coding agent.', version: 2 });
    await put('putTool', { name: 'bash', schema_json: tool('bash', 'Run a command') });
    await put('putTool', { name: 'bash', schema_json: tool('bash', 'Run a shell command'), version: 4 });
    await put('putTool', { name: 'read_file', schema_json: tool('read_file') });
    await put('putAgent', { name: 'build', prompt_name: 'coder', tool_names: ['bash'] });
    await put('putAgent', { name: 'build', prompt_name: 'coder', tool_names: ['read_file', 'bash'], version: 2 });
    await put('putAgent', { name: 'ask' });

    const answer = await call(t.origin, 'listAgents', { as: { cookie: admin.cookie } });
    expect(ok(answer).data).toEqual([
      { name: 'ask', version: 1, prompt_name: null, prompt_version: null, system_prompt: '', tools: [], updated_at: expect.any(Number) },
      {
        name: 'build',
        version: 2,
        prompt_name: 'coder',
        prompt_version: 2,
        system_prompt: 'You are a careful coding agent.',
        tools: [
          { name: 'read_file', version: 1, description: null },
          { name: 'bash', version: 4, description: 'Run a shell command' },
        ],
        updated_at: expect.any(Number),
      },
    ]);
    expect(JSON.stringify(answer.body)).not.toContain(UPSTREAM_KEY);
    expect(JSON.stringify(answer.body)).not.toContain('127.0.0.1:9');
    // A script with an admin's bearer reads the same.
    expect(ok(await call(t.origin, 'listAgents', { as: { bearer: token } })).data).toHaveLength(2);
  });

  it('is 403 NO_ACCESS for anyone else and 401 without a credential', async () => {
    expect(statusAndBody(await call(t.origin, 'listAgents', { as: { cookie: plain.cookie } }))).toEqual({ status: 403, body: structured('NO_ACCESS') });
    expect(statusAndBody(await call(t.origin, 'listAgents'))).toEqual({ status: 401, body: structured('UNAUTHENTICATED') });
  });
});

describe('GET /me is_admin', () => {
  it('is true for ADMIN_EMAILS and for a grant, false for everyone else', async () => {
    expect(ok(await call(t.origin, 'me', { as: { cookie: admin.cookie } })).is_admin).toBe(true);
    expect(ok(await call(t.origin, 'me', { as: { cookie: plain.cookie } })).is_admin).toBe(false);
    const granted = await registerUser(opening.origin);
    await sql(t, 'INSERT INTO instance_admins (email) VALUES ($1)', [granted.email]);
    expect(ok(await call(t.origin, 'me', { as: { cookie: granted.cookie } })).is_admin).toBe(true);
  });
});

describe('POST /admin/users under SIGNUP_MODE=closed', () => {
  it('nobody registers, but an admin creates an account whose owner sets a password through the mailed link and signs in', async () => {
    const email = `closed-${Date.now()}@example.com`;
    const refused = await call(t.origin, 'register', { body: { email, name: 'Nobody', password: NEW_PASSWORD } });
    expect(statusAndBody(refused)).toEqual({ status: 403, body: structured('SIGNUP_DISABLED') });

    const before = smtp.received.length;
    const created = await call(t.origin, 'createUser', { body: { email: email.toUpperCase(), name: 'Grace Hopper' }, as: { cookie: admin.cookie } });
    expect(ok(created)).toEqual({ id: expect.stringMatching(/^usr_/), email, name: 'Grace Hopper', created_at: expect.any(Number), disabled_at: null, is_admin: false });
    const userId = ok(created).id;

    const mail = await smtp.waitFor(email, { after: before });
    expect(mail.subject).toBe('Your AIUS account is ready');
    const link = mail.links.find((l) => l.startsWith(`${PUBLIC_URL}/reset-password#`))!;
    const token = new URLSearchParams(new URL(link).hash.slice(1)).get('token')!;
    // A password nobody knows until its owner chooses one; the link lives days, not the reset's 30 minutes.
    const [reset] = await sql<{ expires_at: Date }>(t, 'SELECT expires_at FROM password_resets WHERE user_id = $1 AND used_at IS NULL', [userId]);
    expect(reset!.expires_at.getTime() - Date.now()).toBeGreaterThan(6 * 24 * 3600 * 1000);

    expect(ok(await call(t.origin, 'resetPassword', { body: { token, new_password: NEW_PASSWORD } }))).toEqual({ reset: true });
    const signedIn = ok(await login(email, NEW_PASSWORD));
    expect(signedIn).toMatchObject({ message: 'Login successful', user: { id: userId, email } });
    const cookie = `__Host-aius_session=${(signedIn as { session_token: string }).session_token}`;
    // Their own default client, as at register.
    expect(ok(await call(t.origin, 'listClients', { as: { cookie } })).data).toEqual([{ id: expect.any(String), name: 'Personal', role: 'owner', created_at: expect.any(Number) }]);
    // The link worked once.
    expect(statusAndBody(await call(t.origin, 'resetPassword', { body: { token, new_password: 'Another-one-42' } }))).toEqual({ status: 400, body: structured('INVALID_RESET_TOKEN') });

    await t.app.get(AuditLog).flush();
    const log = ok(await call(t.origin, 'myAuditLog', { query: { action: 'admin.user_created' }, as: { cookie } }));
    expect(log.data.map((e) => [e.actor_id, e.actor_email, e.target_type, e.target_id])).toEqual([[admin.user.id, ADMIN, 'user', userId]]);
  });

  it('with an initial password the account signs in at once, and no mail is sent', async () => {
    const email = `initial-${Date.now()}@example.com`;
    const before = smtp.received.length;
    expect(ok(await call(t.origin, 'createUser', { body: { email, name: 'Ada', password: NEW_PASSWORD }, as: { cookie: admin.cookie } })).email).toBe(email);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.received.slice(before).filter((m) => m.to.includes(email))).toEqual([]);
    expect(await sql(t, "SELECT id FROM mail_outbox WHERE recipient = $1", [email])).toEqual([]);
  });

  it('an email already taken (in any case) is 409 EMAIL_ALREADY_EXISTS', async () => {
    const r = await call(t.origin, 'createUser', { body: { email: plain.email.toUpperCase(), name: 'Twin' }, as: { cookie: admin.cookie } });
    expect(statusAndBody(r)).toEqual({ status: 409, body: structured('EMAIL_ALREADY_EXISTS') });
  });

  it('bad input is a 400 in register’s order, and writes nothing', async () => {
    const email = `bad-${Date.now()}@example.com`;
    const cases: [object, keyof typeof ERRORS][] = [
      [{ email, name: ' ' }, 'MISSING_NAME'],
      [{ email: 'not-an-email', name: 'X' }, 'INVALID_EMAIL'],
      [{ email, name: 'X', password: 'short' }, 'PASSWORD_TOO_WEAK'],
      [{ email, name: 'X', password: '' }, 'MISSING_PASSWORD'],
    ];
    for (const [body, code] of cases) {
      const r = await call(t.origin, 'createUser', { body: body as never, as: { cookie: admin.cookie } });
      expect([r.status, (r.body as { detail: { code: string } }).detail.code]).toEqual([400, code]);
    }
    expect(await sql(t, 'SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
  });

  it('a non-admin gets 403 NO_ACCESS and no account is made; no credential is 401', async () => {
    const email = `sneaky-${Date.now()}@example.com`;
    const r = await call(t.origin, 'createUser', { body: { email, name: 'Sneaky', password: NEW_PASSWORD }, as: { cookie: plain.cookie } });
    expect(statusAndBody(r)).toEqual({ status: 403, body: structured('NO_ACCESS') });
    expect(statusAndBody(await call(t.origin, 'createUser', { body: { email, name: 'Sneaky' } }))).toEqual({ status: 401, body: structured('UNAUTHENTICATED') });
    expect(await sql(t, 'SELECT id FROM users WHERE email = $1', [email])).toEqual([]);
    expect((await login(email, NEW_PASSWORD)).status).toBe(401);
  });
});

describe('admin create-user (the command line)', () => {
  it('makes the first account of a closed server: its owner sets a password through the mailed link and signs in', async () => {
    const email = `first-${Date.now()}@example.com`;
    const before = smtp.received.length;
    expect(await createUserCommand([email.toUpperCase(), 'First', 'Admin'], t.config)).toMatch(new RegExp(`^${email} created \\(usr_[^)]+\\); a link to choose a password was mailed to ${email}$`));
    const mail = await smtp.waitFor(email, { after: before });
    const token = new URLSearchParams(new URL(mail.links.find((l) => l.includes('/reset-password#'))!).hash.slice(1)).get('token')!;
    expect(ok(await call(t.origin, 'resetPassword', { body: { token, new_password: NEW_PASSWORD } }))).toEqual({ reset: true });
    const signedIn = ok(await login(email, NEW_PASSWORD)) as { user: { id: string }; session_token: string };
    expect(signedIn).toMatchObject({ user: { email, name: 'First Admin' } });
    // Recorded (and flushed when the command closed) with no account as the actor: the operator's shell.
    const log = ok(await call(t.origin, 'myAuditLog', { query: { action: 'admin.user_created' }, as: { cookie: `__Host-aius_session=${signedIn.session_token}` } }));
    expect(log.data.map((e) => [e.actor_id, e.target_id])).toEqual([[null, signedIn.user.id]]);
    await expect(createUserCommand([email, 'Again'], t.config)).rejects.toThrow('An account with this email already exists');
    await expect(createUserCommand(['not-an-email', 'X'], t.config)).rejects.toThrow('usage: admin create-user <email> <name…> (INVALID_EMAIL)');
    expect(await sql(t, "SELECT id FROM users WHERE email = 'not-an-email'")).toEqual([]);
  });
});
