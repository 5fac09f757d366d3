import { startTestSmtp, type TestSmtp } from '@aius/test-support';
import { PASSWORD, WEB_ORIGIN, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

/**
 * Issue 17 in the browser: a forgotten password reset through a mail caught by a real SMTP server
 * (the API sends to it through SMTP_URL), and an invitation accepted through its mail.
 */
let smtp: TestSmtp;
test.beforeAll(async () => {
  smtp = await startTestSmtp(Number(process.env.E2E_SMTP_PORT));
});
test.afterAll(async () => {
  await smtp?.close();
});

const NEW_PASSWORD = 'Quiet-river-77';

// Each test walks two browsers through sign-up, mail and sign-in: on the shared two cores that
// takes most of the default minute, so they get three.
test.slow();

test('forgot password → mail → reset → the old session is gone', async ({ page, browser }, testInfo) => {
  const email = uniqueEmail('forgetful');
  await signUp(page, 'Forgetful Fern', email);

  // Another browser, signed out, asks for a link.
  const other = await browser.newContext();
  const tab = await other.newPage();
  await tab.goto('/login');
  await tab.getByRole('link', { name: 'Forgot your password?' }).click();
  await expect(tab).toHaveURL(/\/forgot-password$/);
  const before = smtp.received.length;
  await tab.getByLabel('Email').fill(email);
  await tab.getByRole('button', { name: 'Send reset link' }).click();
  await expect(tab.getByRole('status')).toContainText(`If an account uses ${email}`);

  const mail = await smtp.waitFor(email, { after: before, timeoutMs: 20_000 });
  expect(mail.subject).toBe('Reset your AIUS password');
  const link = mail.links.find((l) => l.includes('/reset-password#token='))!;
  expect(new URL(link).origin).toBe(WEB_ORIGIN);

  await tab.goto(link);
  await expect(tab.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await tab.getByLabel('New password').fill(NEW_PASSWORD);
  await tab.getByLabel(/Also revoke every API token/).check();
  await snap(tab, testInfo, 'reset-password');
  await tab.getByRole('button', { name: 'Change password' }).click();
  await expect(tab.getByRole('heading', { name: 'Password changed' })).toBeVisible();

  // The first browser's session ended with the reset.
  await page.goto('/security');
  await expect(page).toHaveURL(/\/login/);

  await tab.getByRole('link', { name: 'Sign in' }).click();
  await tab.getByLabel('Email').fill(email);
  await tab.getByLabel('Password').fill(NEW_PASSWORD);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await expect(tab).toHaveURL(/\/projects$/);

  // The link worked once.
  await tab.goto(link);
  await tab.getByLabel('New password').fill('Another-pass-88');
  await tab.getByRole('button', { name: 'Change password' }).click();
  await expect(tab.getByText('This reset link is invalid, already used or expired. Ask for a new one.')).toBeVisible();
  await other.close();
});

test('security page: change the password and see the other session signed out', async ({ page, browser }) => {
  const email = uniqueEmail('careful');
  await signUp(page, 'Careful Cleo', email);
  const other = await browser.newContext();
  const tab = await other.newPage();
  await tab.goto('/login');
  await tab.getByLabel('Email').fill(email);
  await tab.getByLabel('Password').fill(PASSWORD);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await expect(tab).toHaveURL(/\/projects$/);

  await page.goto('/security');
  await expect(page.getByTestId('sessions').getByRole('listitem')).toHaveCount(2);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Password changed; your other sessions were signed out')).toBeVisible();
  await expect(page.getByTestId('sessions').getByRole('listitem')).toHaveCount(1);
  await tab.goto('/security');
  await expect(tab).toHaveURL(/\/login/);
  await other.close();
});

test('invite by email → the invitee registers through the link and joins', async ({ page, browser }, testInfo) => {
  const owner = uniqueEmail('owner');
  await signUp(page, 'Owner Olive', owner);
  await page.goto('/organizations');
  await page.getByRole('link', { name: /Personal/ }).first().click();
  await expect(page.getByRole('heading', { name: 'Invite by email' })).toBeVisible();

  const invitee = uniqueEmail('invitee');
  const before = smtp.received.length;
  const invite = page.locator('form', { has: page.getByRole('button', { name: 'Send invitation' }) });
  await invite.getByLabel('Email').fill(invitee);
  await invite.getByLabel('Role').selectOption('admin');
  await invite.getByRole('button', { name: 'Send invitation' }).click();
  await expect(page.getByTestId('pending-invitations')).toContainText(invitee);

  const mail = await smtp.waitFor(invitee, { after: before, timeoutMs: 20_000 });
  const link = mail.links.find((l) => l.includes('/invitations/accept#token='))!;

  const other = await browser.newContext();
  const tab = await other.newPage();
  await tab.goto(link);
  await expect(tab.getByRole('heading', { name: 'Join Personal' })).toBeVisible();
  await tab.getByLabel('Name').fill('Invited Ivan');
  await tab.getByLabel('Password').fill(PASSWORD);
  await snap(tab, testInfo, 'accept-invitation');
  await tab.getByRole('button', { name: 'Create account and join' }).click();
  await expect(tab).toHaveURL(/\/organizations$/);
  await expect(tab.getByText('Admin').first()).toBeVisible();

  await page.reload();
  await expect(page.getByRole('listitem').filter({ hasText: invitee }).first()).toBeVisible();
  await expect(page.getByText('No pending invitations')).toBeVisible();
  await other.close();
});
