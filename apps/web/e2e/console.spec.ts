import { expect, signUp, snap, test, uniqueEmail } from './support/fixtures';

// Strict: any console error at all fails this test, including a failed request.
test.use({ strictConsole: true });

test('every page loads and works without a single console error', async ({ page }, testInfo) => {
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await signUp(page, 'Quiet Console', uniqueEmail('console'));
  const nav = page.getByRole('navigation', { name: 'Sections' });

  await page.getByLabel('Project name').fill('Clean run');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('button', { name: 'Fork Clean run', exact: true })).toBeVisible();

  await nav.getByRole('link', { name: 'Organizations' }).click();
  await expect(page.getByRole('heading', { name: 'Your organizations' })).toBeVisible();
  await page.getByRole('link', { name: /^Members of / }).first().click();
  await expect(page.getByRole('listitem').filter({ hasText: 'Quiet Console' })).toBeVisible();

  await nav.getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByText('No tokens yet')).toBeVisible();
  await page.getByLabel('Token name').fill('console');
  await page.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByTestId('new-token')).toBeVisible();

  await nav.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await snap(page, testInfo, 'security-setup');

  // Keyboard only: the sign-out button is reachable and works from the keyboard.
  await page.getByRole('button', { name: 'Sign out' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/signup');
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
});
