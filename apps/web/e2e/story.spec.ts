import { call, ok, statusAndBody } from '@aius/test-support';
import { PASSWORD, API_BASE, WEB_ORIGIN, expect, signUp, snap, test, uniqueEmail } from './support/fixtures';
import { totpCode } from './support/totp';

// The whole day-one story of issue 6, in one browser session against the real API.
test('a new user secures the account, builds an organization, and controls API access', async ({ page, request }, testInfo) => {
  test.setTimeout(150_000);
  const email = uniqueEmail('story');
  let usedStep = 0;
  let secret = '';

  await test.step('sign up', async () => {
    await signUp(page, 'Story Owner', email);
    await snap(page, testInfo, '01-signed-up');
  });

  await test.step('enable 2FA from the QR page, with the code computed from the shown secret', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Security' }).click();
    await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
    secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{16,}=*$/);
    await snap(page, testInfo, '02-2fa-setup');

    const { code, step } = await totpCode(secret);
    usedStep = step;
    await page.getByLabel('Enter the 6-digit code the app shows').fill(code);
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem')).toHaveCount(10);
    await snap(page, testInfo, '03-recovery-codes');
    await page.getByRole('button', { name: 'I’ve saved them' }).click();
    await expect(page.getByRole('heading', { name: 'Save your recovery codes' })).toBeHidden();
    await expect(page.getByText('On', { exact: true })).toBeVisible();
  });

  await test.step('sign out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto('/projects');
    await expect(page).toHaveURL(/\/login\?next=%2Fprojects/);
  });

  await test.step('sign in with the password, then the TOTP code', async () => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
    // A fresh, focused field: nothing typed on the password step carries over.
    await expect(page.getByLabel('Authentication code')).toBeFocused();
    await expect(page.getByLabel('Authentication code')).toHaveValue('');
    await snap(page, testInfo, '04-2fa-challenge');
    const { code } = await totpCode(secret, usedStep);
    await page.getByLabel('Authentication code').fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await expect(page).toHaveURL(/\/projects$/);
  });

  const orgName = `Harbor Labs ${Date.now().toString(36)}`;
  await test.step('create an organization and switch to it', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organizations' }).click();
    await page.getByLabel('Organization name').fill(orgName);
    await page.getByRole('button', { name: 'Create organization' }).click();
    const row = page.getByRole('listitem').filter({ hasText: orgName });
    await expect(row.getByText('Current')).toBeVisible();
    await expect(row).toContainText('Owner');
    await expect(page.getByLabel('Current organization')).toHaveValue(/.+/);
    await expect(page.getByLabel('Current organization').locator('option:checked')).toHaveText(orgName);
  });

  const memberEmail = uniqueEmail('member');
  await test.step('add a second registered user as a member and make them an admin', async () => {
    const registered = await request.post(`${API_BASE}/register`, { data: { name: 'Second Person', email: memberEmail, password: PASSWORD } });
    expect(registered.status()).toBe(200);

    await page.getByRole('link', { name: `Members of ${orgName}` }).click();
    await expect(page.getByRole('heading', { name: orgName, level: 1 })).toBeVisible();
    const add = page.getByRole('region', { name: 'Add a member' });
    await add.getByLabel('Email').fill(memberEmail);
    await add.getByLabel('Role', { exact: true }).selectOption('member');
    await add.getByRole('button', { name: 'Add member' }).click();
    const row = page.getByRole('listitem').filter({ hasText: memberEmail });
    await expect(row).toBeVisible();
    await row.getByLabel('Role of Second Person').selectOption('admin');
    await expect(row.getByLabel('Role of Second Person')).toHaveValue('admin');
    await expect(row.getByLabel('Role of Second Person')).toBeEnabled();
    await snap(page, testInfo, '05-members');
  });

  await test.step('create, rename and fork a project', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Projects' }).click();
    await expect(page.getByRole('heading', { name: `Projects in ${orgName}` })).toBeVisible();
    await page.getByLabel('Project name').fill('Tide tables');
    await page.getByLabel('Description (optional)').fill('Forecasts for the harbor');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page.getByRole('listitem').filter({ hasText: 'Tide tables' })).toBeVisible();

    await page.getByRole('button', { name: 'Rename Tide tables' }).click();
    const edit = page.getByRole('form', { name: 'Edit Tide tables' });
    await edit.getByLabel('Project name').fill('Tide charts');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByRole('button', { name: 'Rename Tide charts' })).toBeVisible();

    await page.getByRole('button', { name: 'Fork Tide charts', exact: true }).click();
    const fork = page.locator('[data-project="Tide charts (fork)"]');
    await expect(fork).toBeVisible();
    await expect(fork).toContainText('Forked from “Tide charts”');
    await snap(page, testInfo, '06-projects');

    // A second fork, then delete it after confirming; the first fork and the original stay.
    await page.getByRole('button', { name: 'Fork Tide charts', exact: true }).click();
    await expect(page.locator('[data-project="Tide charts (fork 2)"]')).toBeVisible();
    await page.getByRole('button', { name: 'Delete Tide charts (fork 2)' }).click();
    await page.getByRole('dialog', { name: 'Delete “Tide charts (fork 2)”?' }).getByRole('button', { name: 'Delete project' }).click();
    await expect(page.locator('[data-project="Tide charts (fork 2)"]')).toBeHidden();
    await expect(fork).toBeVisible();
  });

  let token = '';
  await test.step('mint a token and call the API with it', async () => {
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('harbor-ci');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByText('This is the only time the token is shown')).toBeVisible();
    token = (await page.getByTestId('new-token').textContent())?.trim() ?? '';
    expect(token).toMatch(/^aius_[0-9A-Za-z]{38}$/);
    await expect(page.getByRole('button', { name: 'Copy token' })).toBeVisible();
    await snap(page, testInfo, '07-token-minted');

    expect(ok(await call(WEB_ORIGIN, 'me', { as: { bearer: token } })).user.email).toBe(email);

    await page.getByRole('button', { name: 'I’ve stored it' }).click();
    const row = page.getByRole('row').filter({ hasText: 'harbor-ci' });
    await expect(row).toContainText(token.slice(0, 12));
    await expect(row).toContainText(orgName);
    await expect(row.getByText('Active')).toBeVisible();
  });

  await test.step('revoke it: the same call now fails with 401 invalid token', async () => {
    await page.getByRole('button', { name: 'Revoke harbor-ci' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke “harbor-ci”?' });
    await expect(dialog).toBeVisible();
    await snap(page, testInfo, '08-revoke-confirm');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('row').filter({ hasText: 'harbor-ci' })).toContainText('Revoked');

    expect(statusAndBody(await call(WEB_ORIGIN, 'me', { as: { bearer: token } }))).toEqual({ status: 401, body: { detail: 'invalid token' } });
    await snap(page, testInfo, '09-token-revoked');
  });
});
