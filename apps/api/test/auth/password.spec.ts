import { request as httpRequest } from 'node:http';
import { call, callOk, callRaw, startTestSmtp, type TestSmtp, registerUser, type RegisteredUser } from '@aius/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';
import { structured } from '../support/envelopes.js';

const PUBLIC_URL = 'https://aius.example.test';
const NEW_PASSWORD = 'brand-new-pass-7?';

let smtp: TestSmtp;
let t: TestApp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await startTestApp({ SMTP_URL: smtp.url, PUBLIC_URL, MAIL_RETRY_BASE_MS: '50', MAIL_POLL_INTERVAL_MS: '100' });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const me = (cookie: string) => call(t.origin, 'me', { as: { cookie } });
const login = (email: string, password: string) => call(t.origin, 'login', { body: { email, password } });

/** A second session of the same account (another browser). */
async function secondSession(user: RegisteredUser): Promise<string> {
  const r = await callOk(t.origin, 'login', { body: { email: user.email, password: user.password } });
  return `__Host-aius_session=${(r as { session_token: string }).session_token}`;
}

/** Asks for a reset link and reads it out of the mail the SMTP server received. */
async function resetLink(email: string): Promise<{ link: string; token: string }> {
  const before = smtp.received.length;
  const r = await call(t.origin, 'forgotPassword', { body: { email } });
  expect(r).toMatchObject({ status: 200, body: { sent: true } });
  const mail = await smtp.waitFor(email, { after: before });
  const link = mail.links.find((l) => l.includes('/reset-password'))!;
  return { link, token: new URL(link).hash.replace(/^#token=/, '') };
}

/** Lets the next reset mail to this address through the one-per-minute limit. */
const forgetRecentMail = (email: string) => sql(t, "UPDATE mail_outbox SET sent_at = now() - interval '2 minutes' WHERE recipient = $1", [email]);

describe('POST /password/change', () => {
  it('changes the password and ends every other session; the caller stays signed in', async () => {
    const ada = await registerUser(t.origin);
    const other = await secondSession(ada);
    const r = await call(t.origin, 'changePassword', { body: { current_password: ada.password, new_password: NEW_PASSWORD }, as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 200, body: { changed: true } });
    expect((await me(ada.cookie)).status).toBe(200);
    expect(await me(other)).toMatchObject({ status: 401, body: { detail: 'invalid session' } });
    expect((await login(ada.email, ada.password)).status).toBe(401);
    expect((await login(ada.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('a wrong current password is 401 INVALID_CREDENTIALS and changes nothing', async () => {
    const ada = await registerUser(t.origin);
    const other = await secondSession(ada);
    const r = await call(t.origin, 'changePassword', { body: { current_password: 'wrong-pass-1!', new_password: NEW_PASSWORD }, as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 401, body: structured('INVALID_CREDENTIALS', 'Invalid email or password') });
    expect((await me(other)).status).toBe(200);
    expect((await login(ada.email, ada.password)).status).toBe(200);
  });

  it('the new password follows the policy of register, and nothing changes when it does not', async () => {
    const ada = await registerUser(t.origin);
    const r = await call(t.origin, 'changePassword', { body: { current_password: ada.password, new_password: 'short1!' }, as: { cookie: ada.cookie } });
    expect(r).toMatchObject({ status: 400, body: structured('PASSWORD_TOO_WEAK', 'Password must be at least 8 characters') });
    const missing = await call(t.origin, 'changePassword', { body: { current_password: '', new_password: NEW_PASSWORD }, as: { cookie: ada.cookie } });
    expect(missing).toMatchObject({ status: 400, body: structured('MISSING_PASSWORD', 'Password is required') });
    expect((await login(ada.email, ada.password)).status).toBe(200);
  });

  it('takes the session cookie only: an API token cannot change the password', async () => {
    const ada = await registerUser(t.origin);
    const token = await callOk(t.origin, 'createToken', { body: { token_name: 'ci' }, as: { cookie: ada.cookie } });
    const r = await call(t.origin, 'changePassword', { body: { current_password: ada.password, new_password: NEW_PASSWORD }, as: { bearer: token.token } });
    expect(r).toMatchObject({ status: 401, body: { detail: 'no session cookie' } });
  });
});

describe('forgot → mail → reset', () => {
  it('mails a single-use link built from PUBLIC_URL; the reset ends every session and the new password works', async () => {
    const ada = await registerUser(t.origin);
    const other = await secondSession(ada);
    const { link, token } = await resetLink(ada.email);
    expect(link.startsWith(`${PUBLIC_URL}/reset-password#token=`)).toBe(true);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the hash is stored.
    const stored = await sql<{ token_hash: string }>(t, 'SELECT token_hash FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = $1', [ada.email]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(token);
    // Opening the link (a mail scanner's GET of the page) uses nothing up: only the POST does.
    const r = await call(t.origin, 'resetPassword', { body: { token, new_password: NEW_PASSWORD } });
    expect(r).toMatchObject({ status: 200, body: { reset: true } });
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await me(ada.cookie)).status).toBe(401);
    expect((await me(other)).status).toBe(401);
    expect((await login(ada.email, ada.password)).status).toBe(401);
    expect((await login(ada.email, NEW_PASSWORD)).status).toBe(200);
    const again = await call(t.origin, 'resetPassword', { body: { token, new_password: 'another-pass-8!' } });
    expect(again).toMatchObject({ status: 400, body: structured('INVALID_RESET_TOKEN', 'This password reset link is invalid, used or expired') });
    expect((await login(ada.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('the link comes from PUBLIC_URL whatever Host and X-Forwarded-Host the request claims', async () => {
    const ada = await registerUser(t.origin);
    const before = smtp.received.length;
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${t.base}/password/forgot`, {
        method: 'POST',
        headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http', 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ email: ada.email }));
    });
    expect(status).toBe(200);
    const mail = await smtp.waitFor(ada.email, { after: before });
    expect(mail.text).not.toContain('evil.example');
    expect(mail.links.length).toBeGreaterThan(0);
    expect(mail.links.map((l) => new URL(l).origin)).toEqual(mail.links.map(() => PUBLIC_URL));
  });

  it('an unknown email gets the same answer and no mail', async () => {
    const ghost = `ghost-${Date.now()}@example.com`;
    const r = await call(t.origin, 'forgotPassword', { body: { email: ghost } });
    expect(r).toMatchObject({ status: 200, body: { sent: true } });
    // The row is handled (and found to have no account) by the outbox's sender.
    for (let i = 0; i < 100; i++) {
      const [row] = await sql<{ sent_at: Date | null }>(t, 'SELECT sent_at FROM mail_outbox WHERE recipient = $1', [ghost]);
      if (row?.sent_at) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const [row] = await sql<{ sent_at: Date | null }>(t, 'SELECT sent_at FROM mail_outbox WHERE recipient = $1', [ghost]);
    expect(row!.sent_at).toBeInstanceOf(Date);
    expect(smtp.received.some((m) => m.to.includes(ghost))).toBe(false);
  });

  it('the answer never waits on SMTP: with a relay taking 1.5 s a mail, known and unknown emails answer alike and fast', async () => {
    const ada = await registerUser(t.origin);
    smtp.setDelay(1500);
    try {
      const timed = async (email: string) => {
        const started = performance.now();
        const r = await call(t.origin, 'forgotPassword', { body: { email } });
        expect(r.body).toEqual({ sent: true });
        return performance.now() - started;
      };
      const known: number[] = [];
      const unknown: number[] = [];
      // Ten of each, in turns that alternate which goes first, so a slow moment of a busy machine
      // (CI runs test files side by side) weighs on both lists alike: with six in a fixed order one
      // run measured 9.9 ms against 4.0, where the same test alone measures 6–20 ms for both.
      for (let i = 0; i < 10; i++) {
        await forgetRecentMail(ada.email);
        const stranger = `nobody-${i}-${Date.now()}@example.com`;
        if (i % 2 === 0) {
          known.push(await timed(ada.email));
          unknown.push(await timed(stranger));
        } else {
          unknown.push(await timed(stranger));
          known.push(await timed(ada.email));
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      console.log(`forgot timing: known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms`);
      expect(Math.max(...known)).toBeLessThan(1000);
      expect(median(known) / median(unknown)).toBeLessThan(2);
      expect(median(known) / median(unknown)).toBeGreaterThan(0.5);
    } finally {
      smtp.setDelay(0);
    }
  });

  it('a newer link voids the older one', async () => {
    const ada = await registerUser(t.origin);
    const first = await resetLink(ada.email);
    await forgetRecentMail(ada.email);
    const second = await resetLink(ada.email);
    expect(second.token).not.toBe(first.token);
    const old = await call(t.origin, 'resetPassword', { body: { token: first.token, new_password: NEW_PASSWORD } });
    expect(old).toMatchObject({ status: 400, body: structured('INVALID_RESET_TOKEN', 'This password reset link is invalid, used or expired') });
    expect((await call(t.origin, 'resetPassword', { body: { token: second.token, new_password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('sends one reset mail per address per minute, however often the form is sent', async () => {
    const ada = await registerUser(t.origin);
    const before = smtp.received.length;
    await resetLink(ada.email);
    for (let i = 0; i < 3; i++) await call(t.origin, 'forgotPassword', { body: { email: ada.email } });
    const skipped = async () => (await sql<{ n: number }>(t, "SELECT count(*)::int AS n FROM mail_outbox WHERE recipient = $1 AND last_error LIKE 'skipped:%'", [ada.email]))[0]!.n;
    for (let i = 0; i < 100 && (await skipped()) < 3; i++) await new Promise((res) => setTimeout(res, 50));
    expect(await skipped()).toBe(3);
    expect(smtp.received.slice(before).filter((m) => m.to.includes(ada.email))).toHaveLength(1);
  });

  it('an expired link is refused', async () => {
    const ada = await registerUser(t.origin);
    const { token } = await resetLink(ada.email);
    await sql(t, "UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE user_id = $1", [ada.user.id]);
    const r = await call(t.origin, 'resetPassword', { body: { token, new_password: NEW_PASSWORD } });
    expect(r).toMatchObject({ status: 400, body: structured('INVALID_RESET_TOKEN', 'This password reset link is invalid, used or expired') });
    expect((await login(ada.email, ada.password)).status).toBe(200);
  });

  it('a weak new password is refused without using the link up', async () => {
    const ada = await registerUser(t.origin);
    const { token } = await resetLink(ada.email);
    const weak = await call(t.origin, 'resetPassword', { body: { token, new_password: 'password' } });
    expect(weak).toMatchObject({ status: 400, body: structured('PASSWORD_TOO_WEAK', 'Password must contain at least one number') });
    expect((await me(ada.cookie)).status).toBe(200);
    expect((await call(t.origin, 'resetPassword', { body: { token, new_password: NEW_PASSWORD } })).status).toBe(200);
  });

  it('bad links and bodies are 4xx, never 500', async () => {
    expect(await call(t.origin, 'resetPassword', { body: { token: 'x'.repeat(43), new_password: NEW_PASSWORD } })).toMatchObject({ status: 400, body: structured('INVALID_RESET_TOKEN', 'This password reset link is invalid, used or expired') });
    expect(await call(t.origin, 'resetPassword', { body: { token: '', new_password: NEW_PASSWORD } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_RESET_TOKEN' } } });
    expect(await call(t.origin, 'resetPassword', { body: { token: 'y'.repeat(300), new_password: NEW_PASSWORD } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_RESET_TOKEN' } } });
    expect(await callRaw(t.origin, 'resetPassword', { body: { new_password: NEW_PASSWORD } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_RESET_TOKEN' } } });
    expect(await callRaw(t.origin, 'resetPassword', { body: { token: 42, new_password: NEW_PASSWORD } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_REQUEST' } } });
    expect(await callRaw(t.origin, 'resetPassword', { body: { token: 'abc', new_password: NEW_PASSWORD, revoke_api_tokens: 'yes' } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_REQUEST' } } });
    expect(await call(t.origin, 'forgotPassword', { body: { email: 'not-an-email' } })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_EMAIL' } } });
    expect(await callRaw(t.origin, 'forgotPassword', { body: {} })).toMatchObject({ status: 400, body: { detail: { code: 'MISSING_EMAIL' } } });
  });

  it('two submissions of one link at once: exactly one resets', async () => {
    const ada = await registerUser(t.origin);
    const { token } = await resetLink(ada.email);
    const answers = await Promise.all(['first-pass-1!', 'second-pass-2!'].map((p) => call(t.origin, 'resetPassword', { body: { token, new_password: p } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
  });

  it('revoke_api_tokens: true also revokes every API token of the account, on the next request', async () => {
    const ada = await registerUser(t.origin);
    const token = await callOk(t.origin, 'createToken', { body: { token_name: 'laptop' }, as: { cookie: ada.cookie } });
    expect((await call(t.origin, 'listClients', { as: { bearer: token.token } })).status).toBe(200);
    const { token: link } = await resetLink(ada.email);
    expect((await call(t.origin, 'resetPassword', { body: { token: link, new_password: NEW_PASSWORD, revoke_api_tokens: true } })).status).toBe(200);
    expect(await call(t.origin, 'listClients', { as: { bearer: token.token } })).toMatchObject({ status: 401, body: { detail: 'invalid token' } });
    const fresh = await login(ada.email, NEW_PASSWORD);
    const cookie = `__Host-aius_session=${(fresh.body as { session_token: string }).session_token}`;
    const list = await callOk(t.origin, 'listTokens', { as: { cookie } });
    expect(list.data[0]).toMatchObject({ id: token.id, revoked_reason: 'password_reset' });
  });

  it('without revoke_api_tokens the API tokens keep working', async () => {
    const ada = await registerUser(t.origin);
    const token = await callOk(t.origin, 'createToken', { body: { token_name: 'ci' }, as: { cookie: ada.cookie } });
    const { token: link } = await resetLink(ada.email);
    expect((await call(t.origin, 'resetPassword', { body: { token: link, new_password: NEW_PASSWORD } })).status).toBe(200);
    expect((await call(t.origin, 'listClients', { as: { bearer: token.token } })).status).toBe(200);
  });
});

describe('GET /instance', () => {
  it('says how mail is delivered', async () => {
    expect(await call(t.origin, 'instanceInfo')).toMatchObject({ status: 200, body: { mail_delivery: 'smtp' } });
  });
});

