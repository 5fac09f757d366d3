import { SESSION_COOKIE } from '@aius/contracts';
import { call, ok, statusAndBody } from '@aius/test-support';
import { PASSWORD, WEB_ORIGIN, expect, signUp, test, uniqueEmail } from './support/fixtures';

/** Issue 17 items 5–7 in the browser: an admin disables a user (their token is refused at once), the audit log shows it, an owner renames an organization. */
const ADMIN_EMAIL = 'governance-admin@example.com';

test('an admin disables a user: their token is refused, their sign-in says so, and the audit log records it', async ({ page, browser }) => {
  const victimEmail = uniqueEmail('leaver');
  const registered = ok(await call(WEB_ORIGIN, 'register', { body: { email: victimEmail, name: 'Leaving User', password: PASSWORD } }));
  const cookie = `${SESSION_COOKIE}=${registered.session_token}`;
  const { token } = ok(await call(WEB_ORIGIN, 'createToken', { body: { token_name: 'laptop' }, as: { cookie } }));
  expect((await call(WEB_ORIGIN, 'listClients', { as: { bearer: token } })).status).toBe(200);

  await signUp(page, 'Instance Admin', ADMIN_EMAIL);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Admin', level: 1 })).toBeVisible();
  await page.getByLabel('Search users').fill(victimEmail.toUpperCase());
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row', { name: new RegExp(victimEmail) });
  await expect(row).toHaveCount(1);
  // The admin's own row cannot be disabled.
  await page.getByLabel('Search users').fill(ADMIN_EMAIL);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByRole('button', { name: `Disable ${ADMIN_EMAIL}` })).toBeDisabled();
  await page.getByLabel('Search users').fill(victimEmail);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: `Disable ${victimEmail}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Disable user' }).click();
  await expect(page.getByRole('status')).toContainText(`${victimEmail} disabled`);
  await expect(page.getByRole('row', { name: new RegExp(victimEmail) })).toContainText('Disabled');

  await test.step('their token and session are refused at once', async () => {
    expect(statusAndBody(await call(WEB_ORIGIN, 'listClients', { as: { bearer: token } }))).toEqual({ status: 401, body: { detail: 'invalid token' } });
    expect((await call(WEB_ORIGIN, 'me', { as: { cookie } })).status).toBe(401);
  });

  await test.step('their sign-in says the account is disabled', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    await other.goto('/login');
    await other.getByLabel('Email').fill(victimEmail);
    await other.getByLabel('Password').fill(PASSWORD);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await expect(other.getByText('This account has been disabled by an administrator of this server.')).toBeVisible();
    await context.close();
  });

  await test.step('the audit log shows what the admin did', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit log' }).click();
    await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible();
    await page.getByLabel('Action').selectOption('admin.user_disabled');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // Written off the request path, within one flush interval (1 s by default).
    await expect(async () => {
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await expect(page.getByRole('cell', { name: 'User disabled by an admin' })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 10_000 });
    await expect(page.getByRole('cell', { name: 'Signed in' })).toHaveCount(0);
  });

  await test.step('enable brings back their sign-in', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByLabel('Search users').fill(victimEmail);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: `Enable ${victimEmail}` }).click();
    await expect(page.getByRole('row', { name: new RegExp(victimEmail) })).toContainText('Active');
    expect((await call(WEB_ORIGIN, 'login', { body: { email: victimEmail, password: PASSWORD } })).status).toBe(200);
    // The old token stays revoked.
    expect((await call(WEB_ORIGIN, 'listClients', { as: { bearer: token } })).status).toBe(401);
  });
});

test('an owner renames an organization in its settings and its audit log shows it', async ({ page }) => {
  await signUp(page, 'Org Owner', uniqueEmail('owner'));
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organizations' }).click();
  await page.getByRole('link', { name: 'Members of Personal' }).click();
  await page.getByRole('link', { name: 'Organization settings' }).click();
  await expect(page.getByRole('heading', { name: 'Organization settings', level: 1 })).toBeVisible();
  await page.getByLabel('Organization name').fill('   ');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByLabel('Organization name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Organization name').fill('Harbor Labs');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('status')).toContainText('Renamed to Harbor Labs');
  // Its only organization: deleting it is refused with the reason.
  await page.getByRole('button', { name: 'Delete organization' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete organization' }).click();
  await expect(page.getByRole('dialog')).toContainText('cannot be deleted');
  await page.keyboard.press('Escape');

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Log').selectOption({ label: 'Harbor Labs' });
  await expect(async () => {
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect(page.getByRole('cell', { name: 'Organization renamed' })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 10_000 });
});
