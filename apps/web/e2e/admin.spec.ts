import { call, ok, startTestSmtp, type TestSmtp } from '@aius/test-support';
import { PASSWORD, WEB_ORIGIN, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

/**
 * Issue 17 item 6 in the browser: an instance admin sees the agent configuration, and creates an
 * account whose owner chooses a password through the mailed link and signs in. (The e2e server's
 * sign-up is open, since the other tests sign up; the API tests prove the same under SIGNUP_MODE=closed.)
 */
const ADMIN_EMAIL = 'accounts-admin@example.com';
const LONG_PROMPT = `You are the e2e coding agent. ${'Read the code before you change it. '.repeat(8)}The end.`;

let smtp: TestSmtp;
test.beforeAll(async () => {
  smtp = await startTestSmtp(Number(process.env.E2E_SMTP_PORT));
});
test.afterAll(async () => {
  await smtp?.close();
});
test.slow();

test('an admin sees the configured agents, creates a user, and that user sets a password from the mail and signs in', async ({ page, browser }, testInfo) => {
  await signUp(page, 'Accounts Admin', ADMIN_EMAIL);
  const session = (await page.context().cookies()).find((c) => c.name === '__Host-aius_session')!;
  const cookie = `${session.name}=${session.value}`;

  await test.step('the agents a script configured are on the Admin page, newest versions, no secret', async () => {
    const { token: bearer } = ok(await call(WEB_ORIGIN, 'createToken', { body: { token_name: 'seeding script' }, as: { cookie } }));
    const as = { bearer };
    const tool = JSON.stringify({ type: 'function', function: { name: 'e2e_bash', description: 'Run a shell command', parameters: { type: 'object' } } });
    ok(await call(WEB_ORIGIN, 'putPrompt', { body: { name: 'e2e-coder', text: 'an old prompt' }, as }));
    ok(await call(WEB_ORIGIN, 'putPrompt', { body: { name: 'e2e-coder', text: LONG_PROMPT, version: 2 }, as }));
    ok(await call(WEB_ORIGIN, 'putTool', { body: { name: 'e2e_bash', schema_json: tool }, as }));
    ok(await call(WEB_ORIGIN, 'putAgent', { body: { name: 'e2e-agent', prompt_name: 'e2e-coder', tool_names: ['e2e_bash'] }, as }));

    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await expect(page.getByRole('heading', { name: 'Agents', level: 2 })).toBeVisible();
    const agent = page.getByRole('listitem', { name: 'Agent e2e-agent' });
    await expect(agent).toContainText('Prompt “e2e-coder” v2');
    await expect(agent).toContainText('e2e_bash v1');
    await expect(agent).toContainText('You are the e2e coding agent.');
    // A summary first; the whole prompt on demand.
    await expect(agent.getByText('The end.')).toBeHidden();
    await agent.getByText(/Full system prompt/).click();
    await expect(agent.getByText('The end.')).toBeVisible();
    await expect(page.getByTestId('run-loop-models')).toContainText('Default model: e2e-model');
    await expect(page.getByRole('region', { name: 'Agents' })).not.toContainText('127.0.0.1');
    await snap(page, testInfo, 'admin-agents');
  });

  const email = uniqueEmail('made-by-admin');
  await test.step('the admin creates an account without a password; its owner is mailed a link', async () => {
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    await form.getByLabel('Name').fill('Made By Admin');
    await form.getByLabel('Email').fill(email);
    const before = smtp.received.length;
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('status')).toContainText(`${email} created`);
    await expect(page.getByRole('row', { name: new RegExp(email) })).toContainText('Active');

    // The same email again is refused, in words meant for an admin.
    await form.getByLabel('Name').fill('Twin');
    await form.getByLabel('Email').fill(email);
    await form.getByRole('button', { name: 'Create user' }).click();
    await expect(page.getByRole('region', { name: 'Create a user' }).getByRole('alert')).toContainText(`${email} already has an account`);

    const mail = await smtp.waitFor(email, { after: before, timeoutMs: 20_000 });
    expect(mail.subject).toBe('Your AIUS account is ready');
    const link = mail.links.find((l) => l.includes('/reset-password#token='))!;
    expect(new URL(link).origin).toBe(WEB_ORIGIN);

    const other = await browser.newContext();
    const tab = await other.newPage();
    await tab.goto(link);
    await expect(tab.getByRole('heading', { name: 'Choose your password' })).toBeVisible();
    await expect(tab.getByLabel(/Also revoke every API token/)).toHaveCount(0);
    await tab.getByLabel('Password').fill(PASSWORD);
    await tab.getByRole('button', { name: 'Set password' }).click();
    await expect(tab.getByRole('heading', { name: 'Password set' })).toBeVisible();
    await tab.getByRole('link', { name: 'Sign in' }).click();
    await tab.getByLabel('Email').fill(email);
    await tab.getByLabel('Password').fill(PASSWORD);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await expect(tab).toHaveURL(/\/projects$/);
    // Not an admin: no Admin section in their menu.
    await expect(tab.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit log' })).toBeVisible();
    await expect(tab.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
    await other.close();
  });

  await test.step('the audit log shows the creation', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Action').selectOption('admin.user_created');
    await expect(async () => {
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(page.getByRole('cell', { name: 'User created by an admin' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 10_000 });
  });
});
